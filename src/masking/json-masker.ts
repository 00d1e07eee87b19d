import { isCardNumber, maskAllButLastFour } from './card-number.ts';
import type { MaskCounts } from './kinds.ts';
import type { TextMasker } from './text-masker.ts';

/**
 * Masks JSON (or NDJSON) text that arrives in pieces, keeping its structure:
 * every string is decoded (escapes included, so `\u0040` is an `@`), masked
 * as text and written back JSON-escaped; an integer that is a card number
 * becomes a string with its last four digits. Everything else passes
 * through unchanged. Valid JSON in gives valid JSON out; this is a lexer,
 * not a validator.
 */
export class JsonMasker {
  readonly #strings: TextMasker;
  readonly #counts: MaskCounts;
  readonly #cardNumbers: boolean;
  #state: 'outside' | 'number' | 'long-number' | 'string' | 'escape' | 'unicode' = 'outside';
  #unicode = '';
  /** Decoded pieces of the current string not yet given to the masker. */
  #decoded: string[] = [];
  /** The number being read outside strings. */
  #number = '';

  constructor(strings: TextMasker, counts: MaskCounts, cardNumbers: boolean) {
    this.#strings = strings;
    this.#counts = counts;
    this.#cardNumbers = cardNumbers;
  }

  push(text: string): string {
    const out: string[] = [];
    let plainFrom = 0;
    let i = 0;
    while (i < text.length) {
      let c = text[i] as string;
      switch (this.#state) {
        case 'outside':
          i = nextInteresting(text, i, this.#cardNumbers);
          if (i === text.length) break;
          c = text[i] as string;
          if (c === '"') {
            out.push(text.slice(plainFrom, i + 1));
            this.#state = 'string';
            plainFrom = i + 1;
          } else if (this.#cardNumbers && (c === '-' || (c >= '0' && c <= '9'))) {
            out.push(text.slice(plainFrom, i));
            this.#state = 'number';
            this.#number = c;
            plainFrom = i + 1;
          }
          i += 1;
          break;
        case 'number':
        case 'long-number':
          if (!isNumberChar(c)) {
            if (this.#state === 'number') {
              out.push(this.#endNumber());
              plainFrom = i;
            }
            this.#state = 'outside';
          } else if (this.#state === 'long-number') {
            i += 1;
          } else if (this.#number.length < MAX_NUMBER_CHARS) {
            this.#number += c;
            i += 1;
          } else {
            out.push(this.#number);
            this.#state = 'long-number';
            plainFrom = i;
          }
          break;
        case 'string': {
          const stop = nextSpecial(text, i);
          if (stop > i) this.#decoded.push(text.slice(i, stop));
          i = stop;
          if (i === text.length) break;
          if (text[i] === '"') {
            out.push(this.#flushString(true), '"');
            this.#state = 'outside';
            plainFrom = i + 1;
          } else {
            this.#state = 'escape';
          }
          i += 1;
          break;
        }
        case 'escape':
          if (c === 'u') {
            this.#state = 'unicode';
            this.#unicode = '';
          } else {
            this.#decoded.push(SIMPLE_ESCAPES[c] ?? c);
            this.#state = 'string';
          }
          i += 1;
          break;
        case 'unicode':
          this.#unicode += c;
          if (this.#unicode.length === 4) {
            const code = /^[0-9A-Fa-f]{4}$/.test(this.#unicode) ? Number.parseInt(this.#unicode, 16) : 0xfffd;
            this.#decoded.push(String.fromCharCode(code));
            this.#state = 'string';
          }
          i += 1;
          break;
      }
    }
    if (this.#state === 'outside' || this.#state === 'long-number') out.push(text.slice(plainFrom));
    else if (this.#state !== 'number') out.push(this.#flushString(false));
    return out.join('');
  }

  end(): string {
    const state = this.#state;
    this.#state = 'outside';
    if (state === 'number') return this.#endNumber();
    return state === 'outside' || state === 'long-number' ? '' : this.#flushString(true);
  }

  #flushString(closing: boolean): string {
    const decoded = this.#decoded.join('');
    this.#decoded = [];
    const masked = this.#strings.push(decoded) + (closing ? this.#strings.end() : '');
    return escapeJsonString(masked);
  }

  #endNumber(): string {
    const number = this.#number;
    this.#number = '';
    if (/^\d{13,19}$/.test(number) && isCardNumber(number)) {
      this.#counts['card-number'] = (this.#counts['card-number'] ?? 0) + 1;
      return `"${maskAllButLastFour(number)}"`;
    }
    return number;
  }
}

const MAX_NUMBER_CHARS = 64;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Outside strings: the index of the next `"` (or digit or `-` when card numbers are masked), or the text's length. */
function nextInteresting(text: string, from: number, numbers: boolean): number {
  for (let i = from; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x22 || (numbers && ((code >= 0x30 && code <= 0x39) || code === 0x2d))) return i;
  }
  return text.length;
}

/** The index of the next `"` or `\\` at or after `from`, or the text's length. */
function nextSpecial(text: string, from: number): number {
  for (let i = from; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x22 || code === 0x5c) return i;
  }
  return text.length;
}

function isNumberChar(c: string): boolean {
  return (c >= '0' && c <= '9') || c === '.' || c === 'e' || c === 'E' || c === '+' || c === '-';
}

/** JSON-escapes `"`, `\`, control characters and lone surrogates; everything else is written as is. */
export function escapeJsonString(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    let escaped: string | null = null;
    if (code === 0x22) escaped = '\\"';
    else if (code === 0x5c) escaped = '\\\\';
    else if (code < 0x20) escaped = `\\u${code.toString(16).padStart(4, '0')}`;
    else if (code >= 0xd800 && code <= 0xdbff) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) i += 1;
      else escaped = `\\u${code.toString(16)}`;
    } else if (code >= 0xdc00 && code <= 0xdfff) escaped = `\\u${code.toString(16)}`;
    if (escaped !== null) {
      out += text.slice(from, i) + escaped;
      from = i + 1;
    }
  }
  return out + text.slice(from);
}

/**
 * Bytes spelt as a list of values in text: decimal (`137,80,78,...` in a CSV
 * or log line, `137 80 78 ...`, Java's signed `-119, 80, ...`), C/JS/Python
 * hex literals (`0x89, 0x50, ...`), and JSON arrays of strings
 * (`["137","80",...]`, `["89","50",...]`, `["0x89","0x50",...]`).
 * Values are separated by a comma or a semicolon (white space around it
 * allowed, a line break alone between CSV rows) or by white space alone;
 * the first separator decides which. Anything else ends the list.
 */

import { HEX_VALUE } from './hex-digits.ts';

const COMMA = 0x2c;
const SEMICOLON = 0x3b;
/** The delimiters of CSV: one list keeps to the one it began with. */
export const isDelimiter = (byte: number | undefined): boolean => byte === COMMA || byte === SEMICOLON;
const QUOTE = 0x22;
const MINUS = 0x2d;
const LF = 0x0a;

const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === LF;
const isDigit = (byte: number): boolean => byte >= 0x30 && byte <= 0x39;
const isHexPrefix = (b: Uint8Array, at: number): boolean => b[at] === 0x30 && (b[at + 1]! | 0x20) === 0x78;

/**
 * How each list is spelt: decimal values from -128 to 255, `0x` and one or
 * two hex digits, or either of them (or two bare hex digits) in quotes.
 */
export type ByteListKind = 'decimal' | 'hex' | 'quoted decimal' | 'quoted hex';

/**
 * Values a list must open with to count as bytes, by kind: a numeric CSV
 * or a sentence with a few small numbers is not bytes. In JSON brackets or
 * with `0x` the spelling already says bytes, as for JSON byte arrays.
 */
export const MIN_LIST_VALUES: Readonly<Record<ByteListKind, number>> = {
  decimal: 16,
  hex: 8,
  'quoted decimal': 8,
  'quoted hex': 8,
};

const GOING = 0;
const VALUE = 1;
const ENDED = 2;

/** Reads a list of byte values character by character, in any chunking; ends at the first character that does not fit. */
export class ByteList {
  ended = false;
  /** The value the last VALUE step completed. */
  last = 0;
  private readonly quoted: boolean;
  private readonly hex: boolean;
  /** Characters of the token being read, -1 between tokens. */
  private length = -1;
  private value = 0;
  private digits = 0;
  private negative = false;
  private prefixed = false;
  /** Inside the quotes of a quoted token, and past its closing quote. */
  private inQuotes = false;
  private closed = false;
  /** The separator being read: whether it has a delimiter or a line break; `mode` and `delimiter` are fixed by the first one. */
  private comma = false;
  private delimiter = 0;
  private lineBreak = false;
  private blanks = 0;
  private mode: 'comma' | 'space' | undefined;
  private values = 0;

  constructor(kind: ByteListKind) {
    this.quoted = kind === 'quoted decimal' || kind === 'quoted hex';
    this.hex = kind === 'hex' || kind === 'quoted hex';
  }

  /**
   * Decodes `b[from, to)` into `out`; returns where it stopped (at the
   * character that ended the list) and the bytes written. `to` at `end` is
   * the end of the content (the scanner's lookahead is ahead otherwise),
   * which completes the last value.
   */
  decode(b: Uint8Array, from: number, to: number, end: number, out: Uint8Array): { next: number; written: number } {
    let written = 0;
    let i = from;
    for (; i < to && !this.ended; i++) {
      const state = this.step(b[i]!);
      if (state === VALUE) out[written++] = this.last;
      if (this.ended) break;
    }
    if (i === end && this.finish() === VALUE) out[written++] = this.last;
    return { next: i, written };
  }

  /** The content ends: the value being read, if any, is complete. */
  finish(): number {
    return this.ended || this.length < 0 || (this.inQuotes && !this.closed) ? GOING : this.complete(-1);
  }

  /** GOING, VALUE (a value is complete: `last`) or ENDED. */
  step(byte: number): number {
    if (this.length >= 0) return this.tokenStep(byte);
    if (isSpace(byte)) {
      this.lineBreak ||= byte === LF;
      return ++this.blanks > MAX_SEPARATOR_BYTES ? this.end() : GOING;
    }
    if (this.values > 0 && !this.comma && this.takesDelimiter(byte)) return ((this.comma = true), GOING);
    if (!this.startsToken(byte)) return this.end();
    if (this.values > 0) {
      const mode = this.comma ? 'comma' : 'space';
      // CSV rows: a line break alone separates values of a comma-separated list
      if (this.mode !== undefined && mode !== this.mode && !(this.mode === 'comma' && this.lineBreak)) return this.end();
      this.mode ??= mode;
    }
    this.comma = this.lineBreak = false;
    this.blanks = 0;
    this.length = this.digits = this.value = 0;
    this.negative = this.prefixed = this.closed = false;
    this.inQuotes = this.quoted;
    return this.quoted ? GOING : this.tokenStep(byte);
  }

  /** Whether `byte` is the list's delimiter, or may become it (the first separator). */
  private takesDelimiter(byte: number): boolean {
    if (!isDelimiter(byte) || this.mode === 'space' || (this.delimiter !== 0 && byte !== this.delimiter)) return false;
    this.delimiter = byte;
    return true;
  }

  private startsToken(byte: number): boolean {
    if (this.quoted) return byte === QUOTE;
    return this.hex ? byte === 0x30 : isDigit(byte) || byte === MINUS;
  }

  private tokenStep(byte: number): number {
    if (this.closed) return this.complete(byte);
    if (this.inQuotes && byte === QUOTE) return ((this.closed = true), GOING);
    if (!this.inQuotes && (isSpace(byte) || isDelimiter(byte) || !this.continuesToken(byte))) return this.complete(byte);
    return this.inToken(byte) ? GOING : this.end();
  }

  /** A character that could go on with an unquoted token: else the token is complete where it stands. */
  private continuesToken(byte: number): boolean {
    const letter = byte | 0x20;
    return isDigit(byte) || byte === MINUS || byte === 0x5f || (letter >= 0x61 && letter <= 0x7a);
  }

  /** Takes one character of a token; false when it cannot be one. */
  private inToken(byte: number): boolean {
    this.length++;
    if (this.hex) {
      if (this.length === 2 && this.digits === 1 && this.value === 0 && (byte | 0x20) === 0x78) {
        this.prefixed = true;
        this.digits = 0;
        return true;
      }
      const digit = HEX_VALUE[byte]!;
      if (digit < 0 || this.digits === 2) return false;
      this.value = (this.value << 4) | digit;
      this.digits++;
      return true;
    }
    if (byte === MINUS) return this.length === 1 && (this.negative = true);
    if (!isDigit(byte) || this.digits === 3) return false;
    // zero-padded values (`00 01`, `007`) are hex dumps and fixed-width columns, never a list of byte values
    if (this.digits === 1 && this.value === 0) return false;
    this.value = this.value * 10 + byte - 0x30;
    this.digits++;
    return this.value <= (this.negative ? 128 : 255);
  }

  /** The token ends at `byte`: its value, if it is one, and whether `byte` also ends the list. */
  private complete(byte: number): number {
    // hex is `0x` and one or two digits; in quotes also exactly two digits
    const valid = this.hex ? (this.prefixed ? this.digits > 0 : this.quoted && this.digits === 2) : this.digits > 0;
    if (!valid) return this.end();
    this.last = this.negative ? (256 - this.value) & 0xff : this.value;
    this.values++;
    this.length = -1;
    if (isSpace(byte)) this.lineBreak = byte === LF;
    else if (this.takesDelimiter(byte)) this.comma = true;
    else this.ended = true;
    return VALUE;
  }

  private end(): number {
    this.ended = true;
    return ENDED;
  }
}

/** The kind of list that may start at `b[at]`, from its first characters (quoted ones from the tokens in view). */
export function byteListKindAt(b: Uint8Array, at: number, end: number): ByteListKind | null {
  const first = b[at]!;
  if (first === QUOTE) return quotedKind(b, at, end);
  if (isHexPrefix(b, at)) return 'hex';
  return isDigit(first) || (first === MINUS && isDigit(b[at + 1] ?? 0)) ? 'decimal' : null;
}

/** How far the tokens that tell quoted hex from quoted decimal are looked for: well within the scanner's lookahead, so that every chunking decides alike. */
const KIND_LOOKAHEAD = 8 * 1024;
/** White space that one separator may hold. */
const MAX_SEPARATOR_BYTES = 64;

/**
 * Quoted values are hex when one has a hex letter, a `0x` prefix or a
 * leading zero in two digits (`"0d"`, `"08"`); decimal when one is shorter
 * or longer than two characters; two-digit values all along are hex pairs.
 */
function quotedKind(b: Uint8Array, at: number, end: number): ByteListKind | null {
  let tokens = 0;
  const stop = Math.min(end, at + KIND_LOOKAHEAD);
  for (let i = at; i < stop; ) {
    if (b[i] !== QUOTE) return tokens > 0 ? 'quoted hex' : null;
    let close = i + 1;
    while (close < stop && close - i <= 5 && b[close] !== QUOTE) close++;
    if (close >= stop || b[close] !== QUOTE) return tokens > 0 ? 'quoted hex' : null;
    const length = close - i - 1;
    if (isHexPrefix(b, i + 1)) return 'quoted hex';
    for (let c = i + 1; c < close; c++) if (!isDigit(b[c]!) && b[c] !== MINUS) return HEX_VALUE[b[c]!]! >= 0 ? 'quoted hex' : null;
    if (length === 2 && b[i + 1] === 0x30) return 'quoted hex';
    if (length !== 2) return 'quoted decimal';
    tokens++;
    i = close + 1;
    while (i < stop && (isSpace(b[i]!) || isDelimiter(b[i]))) i++;
  }
  return tokens > 0 ? 'quoted hex' : null;
}

/** Reading from `at` (`end` is where the content ends, or further than a list of `max` values reaches): the values a list of `kind` opens with (up to `max`) and the index where reading stopped. */
export function countByteList(b: Uint8Array, at: number, end: number, kind: ByteListKind, max: number): { values: number; stop: number } {
  const list = new ByteList(kind);
  let values = 0;
  let i = at;
  for (; i < end && values < max; i++) {
    const state = list.step(b[i]!);
    if (state === VALUE) values++;
    if (list.ended) break;
  }
  if (i === end && list.finish() === VALUE) values++;
  return { values, stop: i };
}

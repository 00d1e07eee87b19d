/**
 * What co-browse recorders (rrweb is the reference) put in their event JSON
 * besides data: URLs and base64, which the scanner finds on its own:
 * `{"rr_type":"ImageData","args":[...pixels...]}` canvas pixel dumps, and
 * events packed as zlib bytes in a latin1 JSON string (rrweb's packer).
 */

import { bytesOf, latin1EscapeAt, startsWith } from './bytes.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const RR_TYPE = bytesOf('rr_type');
const ARGS = bytesOf('args');

const isSpace = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

function skip(b: Uint8Array, at: number, end: number, test: (byte: number | undefined) => boolean): number {
  while (at < end && test(b[at])) at++;
  return at;
}

const skipSpaces = (b: Uint8Array, at: number, end: number): number => skip(b, at, end, isSpace);
const skipBackslashes = (b: Uint8Array, at: number, end: number): number => skip(b, at, end, (byte) => byte === BACKSLASH);

/**
 * When the `"` at `quote` closes an `rr_type` key (also JSON-escaped, `\"rr_type\"`),
 * the type name that follows and the offset just past it.
 */
export function rrTypeAt(b: Uint8Array, quote: number, end: number, earliest: number): { type: string; next: number } | null {
  let keyEnd = quote;
  while (keyEnd > earliest && b[keyEnd - 1] === BACKSLASH) keyEnd--;
  if (b[keyEnd - 1] !== 0x65 || !startsWith(b, keyEnd - RR_TYPE.length, end, RR_TYPE)) return null;
  let at = skipSpaces(b, quote + 1, end);
  if (b[at] !== 0x3a) return null;
  at = skipBackslashes(b, skipSpaces(b, at + 1, end), end);
  if (b[at] !== QUOTE) return null;
  let type = '';
  for (at++; at < end && b[at] !== QUOTE && b[at] !== BACKSLASH && type.length < 64; at++) type += String.fromCharCode(b[at]!);
  at = skipBackslashes(b, at, end);
  return b[at] === QUOTE ? { type, next: at + 1 } : null;
}

/** Offset of the `[` of an `"args":[` that directly follows `at` (after a comma), or -1. */
export function argsArrayAfter(b: Uint8Array, at: number, end: number): number {
  at = skipSpaces(b, at, end);
  if (b[at] !== 0x2c) return -1;
  at = skipBackslashes(b, skipSpaces(b, at + 1, end), end);
  if (b[at] !== QUOTE || !startsWith(b, at + 1, end, ARGS)) return -1;
  at = skipBackslashes(b, at + 1 + ARGS.length, end);
  if (b[at] !== QUOTE) return -1;
  at = skipSpaces(b, at + 1, end);
  if (b[at] !== 0x3a) return -1;
  at = skipSpaces(b, at + 1, end);
  return b[at] === 0x5b ? at : -1;
}

/** Finds the end of a JSON array, fed piece by piece: brackets counted outside strings. */
export class JsonArrayEnd {
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Offset just past the closing `]` in `b[from, to)`, or -1 when the array goes on. */
  find(b: Uint8Array, from: number, to: number): number {
    for (let i = from; i < to; i++) {
      const byte = b[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) this.inString = false;
      } else if (byte === QUOTE) this.inString = true;
      else if (byte === 0x5b) this.depth++;
      else if (byte === 0x5d && --this.depth === 0) return i + 1;
    }
    return -1;
  }
}

const SIMPLE_ESCAPES: Readonly<Record<number, number>> = { 34: 0x22, 92: 0x5c, 47: 0x2f, 98: 0x08, 102: 0x0c, 110: 0x0a, 114: 0x0d, 116: 0x09 };

/** Needs more bytes than `end` allows. */
const INCOMPLETE = -2;
/** Not a latin1 character: a code point above U+00FF, or not valid JSON string content. */
const NOT_LATIN1 = -1;

/**
 * The byte a JSON string character at `at` stands for when the string holds
 * latin1 text (one byte per character): raw ASCII, a two-byte UTF-8 sequence
 * for U+0080-U+00FF, or an escape. Sets `length`; returns NOT_LATIN1 or INCOMPLETE.
 */
function latin1CharAt(b: Uint8Array, at: number, end: number, length: { value: number }): number {
  const byte = b[at]!;
  if (byte === BACKSLASH) {
    if (at + 1 >= end) return INCOMPLETE;
    const simple = SIMPLE_ESCAPES[b[at + 1]!];
    if (simple !== undefined) return ((length.value = 2), simple);
    if (b[at + 1] !== 0x75) return NOT_LATIN1;
    if (at + 6 > end) return INCOMPLETE;
    const escaped = latin1EscapeAt(b, at, end);
    return escaped < 0 ? NOT_LATIN1 : ((length.value = 6), escaped);
  }
  if (byte < 0x20 || byte === QUOTE) return NOT_LATIN1;
  if (byte < 0x80) return ((length.value = 1), byte);
  if (byte !== 0xc2 && byte !== 0xc3) return NOT_LATIN1;
  if (at + 1 >= end) return INCOMPLETE;
  const next = b[at + 1]!;
  if ((next & 0xc0) !== 0x80) return NOT_LATIN1;
  return ((length.value = 2), ((byte & 0x03) << 6) | (next & 0x3f));
}

export type PackedFormat = 'deflate' | 'gzip';

/** Whether the JSON string opened by the quote at `quote` starts with a zlib or gzip header, spelt as latin1 characters. */
export function packedStringFormat(b: Uint8Array, quote: number, end: number): PackedFormat | null {
  const first = b[quote + 1];
  if (first !== 0x78 && first !== BACKSLASH) return null;
  const header: number[] = [];
  const length = { value: 0 };
  for (let at = quote + 1; header.length < 3; at += length.value) {
    const byte = at < end ? latin1CharAt(b, at, end, length) : NOT_LATIN1;
    if (byte < 0) return null;
    header.push(byte);
  }
  const [cmf, flg, next] = header as [number, number, number];
  if (cmf === 0x78 && ((cmf << 8) | flg) % 31 === 0 && !(flg & 0x20) && ((next >> 1) & 3) !== 3) return 'deflate';
  if (cmf === 0x1f && flg === 0x8b && next === 0x08) return 'gzip';
  return null;
}

/**
 * Turns the content of a packed JSON string back into the bytes it holds,
 * piece by piece, until the closing quote.
 */
export class Latin1String {
  /** `closed` at the closing quote, `invalid` when the string turns out not to be latin1. */
  state: 'open' | 'closed' | 'invalid' = 'open';
  private readonly length = { value: 0 };

  /**
   * Decodes characters that start in `b[from, to)` (an escape may read on to
   * `end`) into `out`; returns the offset to go on from and the bytes written.
   */
  decode(b: Uint8Array, from: number, to: number, end: number, out: Uint8Array): { next: number; written: number } {
    let written = 0;
    let at = from;
    while (at < to) {
      if (b[at] === QUOTE) {
        this.state = 'closed';
        return { next: at + 1, written };
      }
      const byte = latin1CharAt(b, at, end, this.length);
      if (byte === INCOMPLETE) break;
      if (byte === NOT_LATIN1) {
        this.state = 'invalid';
        break;
      }
      out[written++] = byte;
      at += this.length.value;
    }
    return { next: at, written };
  }
}

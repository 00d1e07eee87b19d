/**
 * Bytes spelt with backslash escapes: Python's `repr(bytes)`
 * (`b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR...'`), C and JavaScript string
 * literals (`"\x89PNG\r\n\032\n"`), shell `$'\x89...'`, logs that escape
 * bytes that are not printable. Printable characters stand for themselves;
 * inside a JSON string each backslash is doubled, which the JSON string
 * layer undoes first.
 */

import { HEX_VALUE } from './hex-digits.ts';

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const LF = 0x0a;

const isOctal = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x37;
const isWordByte = (byte: number | undefined): boolean =>
  byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7a) || byte === 0x5f);

/** The byte each single-character escape stands for (Python and C), -1 for other characters. */
const SIMPLE_ESCAPES = new Int16Array(256).fill(-1);
for (const [letter, byte] of [
  ['n', 0x0a],
  ['r', 0x0d],
  ['t', 0x09],
  ['a', 0x07],
  ['b', 0x08],
  ['f', 0x0c],
  ['v', 0x0b],
  ['\\', BACKSLASH],
  ["'", APOSTROPHE],
  ['"', QUOTE],
] as const)
  SIMPLE_ESCAPES[letter.charCodeAt(0)] = byte;

/**
 * Escapes (each a run of backslashes) that must follow the first `\xHH`
 * or `\ooo` within ESCAPE_SPAN characters, it included, for the text to be
 * decoded as bytes: a lone `\x1b` colour code or `\x41` is not a file.
 */
export const MIN_ESCAPES = 4;
export const ESCAPE_SPAN = 32;

/** The widest escape looked for: JSON in JSON in JSON. */
const MAX_WIDTH = 8;

/** Length of the run of backslashes at `at`. */
function backslashRun(b: Uint8Array, at: number, end: number): number {
  let i = at;
  while (i < end && b[i] === BACKSLASH) i++;
  return i - at;
}

/**
 * The run of backslashes at `at` (its first) is followed by a byte escape,
 * `x` and two hex digits or three octal digits: its length, the escape's
 * width (1 as written, 2 inside a JSON string, more in JSON inside JSON);
 * else 0.
 */
export function byteEscapeWidth(b: Uint8Array, at: number, end: number): number {
  const width = backslashRun(b, at, end);
  if (width > MAX_WIDTH) return 0;
  const x = at + width;
  if (x + 3 > end) return 0;
  const hex = (b[x]! | 0x20) === 0x78 && HEX_VALUE[b[x + 1]!]! >= 0 && HEX_VALUE[b[x + 2]!]! >= 0;
  const octal = b[x]! >= 0x30 && b[x]! <= 0x33 && isOctal(b[x + 1]) && isOctal(b[x + 2]);
  return hex || octal ? width : 0;
}

/** Whether the escape at `at`, `width` backslashes long, has MIN_ESCAPES escapes within ESCAPE_SPAN characters. */
export function opensEscapedBytes(b: Uint8Array, at: number, end: number, width: number): boolean {
  const stop = Math.min(end, at + ESCAPE_SPAN * width);
  let escapes = 0;
  for (let i = at; i < stop && escapes < MIN_ESCAPES; ) {
    const run = backslashRun(b, i, stop);
    if (run >= width) escapes++;
    i += Math.max(run, 1) + 1;
  }
  return escapes >= MIN_ESCAPES;
}

const isEscaped = (b: Uint8Array, at: number, earliest: number): boolean => {
  let run = 0;
  while (at - 1 - run >= earliest && b[at - 1 - run] === BACKSLASH) run++;
  return run % 2 === 1;
};

/**
 * Index of the quote that opens the literal holding the escape at `p`, on
 * its line and no further back than `earliest`: a `b'`/`b"` bytes literal
 * first, else the nearest quote; -1 when there is none (an unquoted run).
 */
export function literalStart(b: Uint8Array, p: number, earliest: number): number {
  let nearest = -1;
  for (let i = p - 1; i >= earliest && b[i] !== LF; i--) {
    if ((b[i] !== APOSTROPHE && b[i] !== QUOTE) || isEscaped(b, i, earliest)) continue;
    if (i > earliest && (b[i - 1]! | 0x20) === 0x62 && !isWordByte(b[i - 2])) return i;
    if (nearest < 0) nearest = i;
  }
  return nearest;
}

/**
 * Decodes an escaped literal piece by piece: up to its closing quote, or,
 * unquoted, up to white space, a quote or a control character.
 */
export class EscapedBytes {
  ended = false;
  private readonly found = { value: 0, length: 0 };

  /** `quote`: the literal's quote character, or 0 for an unquoted run of escapes. */
  constructor(private readonly quote: number) {}

  /** Decodes what starts in `b[from, to)` (an escape may read on to `end`) into `out`; returns where it stopped and the bytes written. */
  decode(b: Uint8Array, from: number, to: number, end: number, out: Uint8Array): { next: number; written: number } {
    let written = 0;
    let i = from;
    while (i < to) {
      const byte = b[i]!;
      if (byte === BACKSLASH) {
        const found = this.escapeAt(b, i, end);
        if (found.length === 0) break;
        out[written++] = found.value;
        i += found.length;
        continue;
      }
      if (this.endsAt(byte)) {
        this.ended = true;
        if (byte === this.quote) i++;
        break;
      }
      out[written++] = byte;
      i++;
    }
    return { next: i, written };
  }

  private endsAt(byte: number): boolean {
    if (byte < 0x20 || byte === 0x7f) return true;
    return this.quote ? byte === this.quote : byte === 0x20 || byte === QUOTE || byte === APOSTROPHE;
  }

  /** The byte the escape at `at` stands for and its length; length 0 when it is not all in view yet. */
  private escapeAt(b: Uint8Array, at: number, end: number): { value: number; length: number } {
    const found = this.found;
    found.length = 0;
    // the scanner's lookahead keeps every escape whole in view, but at the end of the content
    if (at + 1 >= end) return found;
    const letter = b[at + 1]!;
    if ((letter | 0x20) === 0x78) {
      const high = at + 4 <= end ? HEX_VALUE[b[at + 2]!]! : -1;
      const low = at + 4 <= end ? HEX_VALUE[b[at + 3]!]! : -1;
      if (high >= 0 && low >= 0) return Object.assign(found, { value: (high << 4) | low, length: 4 });
    } else if (isOctal(letter)) {
      let value = 0;
      let length = 1;
      while (length < 4 && at + length < end && isOctal(b[at + length]) && (value << 3) + b[at + length]! - 0x30 <= 0xff)
        value = (value << 3) + b[at + length++]! - 0x30;
      return Object.assign(found, { value, length });
    } else if (SIMPLE_ESCAPES[letter]! >= 0) {
      return Object.assign(found, { value: SIMPLE_ESCAPES[letter]!, length: 2 });
    }
    // an escape that stands for nothing keeps its backslash (Python's rule)
    return Object.assign(found, { value: BACKSLASH, length: 1 });
  }
}

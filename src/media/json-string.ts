/**
 * The text a JSON string holds, as UTF-8 bytes: its escapes undone
 * (`\\` `\"` `\/` `\n` `\uXXXX` ...), its other bytes as they are. Text
 * that spells bytes out (a Python repr with its backslashes doubled, a hex
 * dump with its line breaks escaped) is read from there.
 */

import { HEX_VALUE } from './hex-digits.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The character each single-character JSON escape stands for, -1 for other characters. */
const SIMPLE_ESCAPES = new Int16Array(256).fill(-1);
for (const [letter, byte] of [
  ['"', QUOTE],
  ['\\', BACKSLASH],
  ['/', 0x2f],
  ['b', 0x08],
  ['f', 0x0c],
  ['n', 0x0a],
  ['r', 0x0d],
  ['t', 0x09],
] as const)
  SIMPLE_ESCAPES[letter.charCodeAt(0)] = byte;

/** The code unit of a `\uXXXX` escape at `at`, or -1. */
function unicodeEscapeAt(b: Uint8Array, at: number, end: number): number {
  if (at + 6 > end || b[at] !== BACKSLASH || b[at + 1] !== 0x75) return -1;
  let unit = 0;
  for (let i = at + 2; i < at + 6; i++) {
    const digit = HEX_VALUE[b[i]!]!;
    if (digit < 0) return -1;
    unit = (unit << 4) | digit;
  }
  return unit;
}

/** Writes `codePoint` as UTF-8 at `out[at]`; returns the bytes written. */
function writeUtf8(codePoint: number, out: Uint8Array, at: number): number {
  if (codePoint < 0x80) return ((out[at] = codePoint), 1);
  if (codePoint < 0x800) return ((out[at] = 0xc0 | (codePoint >> 6)), (out[at + 1] = 0x80 | (codePoint & 0x3f)), 2);
  if (codePoint < 0x10000) {
    out[at] = 0xe0 | (codePoint >> 12);
    out[at + 1] = 0x80 | ((codePoint >> 6) & 0x3f);
    out[at + 2] = 0x80 | (codePoint & 0x3f);
    return 3;
  }
  out[at] = 0xf0 | (codePoint >> 18);
  out[at + 1] = 0x80 | ((codePoint >> 12) & 0x3f);
  out[at + 2] = 0x80 | ((codePoint >> 6) & 0x3f);
  out[at + 3] = 0x80 | (codePoint & 0x3f);
  return 4;
}

/** Decodes a JSON string piece by piece, from just past its opening quote to its closing one. */
export class JsonString {
  ended = false;

  /**
   * Decodes what starts in `b[from, to)` (an escape may read on to `end`)
   * into `out` (as long as `to - from`: no escape is shorter than what it
   * stands for); returns where it stopped and the bytes written.
   */
  decode(b: Uint8Array, from: number, to: number, end: number, out: Uint8Array): { next: number; written: number } {
    let written = 0;
    let i = from;
    while (i < to) {
      const byte = b[i]!;
      if (byte === QUOTE) {
        this.ended = true;
        return { next: i + 1, written };
      }
      if (byte !== BACKSLASH) {
        out[written++] = byte;
        i++;
        continue;
      }
      // the scanner's lookahead keeps every escape whole in view, but at the end of the content
      if (i + 1 >= end) break;
      const simple = SIMPLE_ESCAPES[b[i + 1]!]!;
      if (simple >= 0) {
        out[written++] = simple;
        i += 2;
        continue;
      }
      // a `\u` escape is decoded once all of it lies before `to`, so that what it writes fits in `out`
      if (i + 12 > to && i + 12 <= end) break;
      const unit = unicodeEscapeAt(b, i, Math.min(to, end));
      if (unit < 0) {
        // not JSON after all: the string ends here
        this.ended = true;
        break;
      }
      const low = unit >= 0xd800 && unit < 0xdc00 ? unicodeEscapeAt(b, i + 6, Math.min(to, end)) : -1;
      if (low >= 0xdc00 && low < 0xe000) {
        written += writeUtf8(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00), out, written);
        i += 12;
      } else {
        // a lone surrogate stands for U+FFFD, as TextDecoder has it
        written += writeUtf8(unit >= 0xd800 && unit < 0xe000 ? 0xfffd : unit, out, written);
        i += 6;
      }
    }
    return { next: i, written };
  }
}

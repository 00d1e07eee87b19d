/**
 * Percent-encoding (RFC 3986, and `application/x-www-form-urlencoded` with
 * `+` for a space): a form post of `canvas.toDataURL()`, a file sent as a
 * URL-encoded field. A value is decoded from where it starts (after `=`,
 * `&`, `?`, a quote or white space) to where it ends.
 */

import { HEX_VALUE } from './hex-digits.ts';

const PERCENT = 0x25;
const PLUS = 0x2b;
const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const QUESTION = 0x3f;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;

const hexValue = (byte: number | undefined): number => (byte === undefined ? -1 : HEX_VALUE[byte]!);

/** The byte a `%XX` at `at` stands for, or -1. */
export function percentEscapeAt(b: Uint8Array, at: number, end: number): number {
  if (at + 3 > end || b[at] !== PERCENT) return -1;
  const high = hexValue(b[at + 1]);
  const low = hexValue(b[at + 2]);
  return high < 0 || low < 0 ? -1 : (high << 4) | low;
}

const endsValue = (byte: number): boolean => byte <= 0x20 || byte === AMPERSAND || byte === QUOTE || byte === APOSTROPHE || byte === 0x7f;

/** Index where the value holding index `p` starts, looking back no further than `earliest`. */
export function valueStart(b: Uint8Array, p: number, earliest: number): number {
  let i = p;
  while (i > earliest && !endsValue(b[i - 1]!) && b[i - 1] !== EQUALS && b[i - 1] !== QUESTION) i--;
  return i;
}

/** Decodes a percent-encoded value piece by piece up to its end. */
export class PercentStream {
  ended = false;

  /** Decodes the escapes that start in `b[from, to)` (one may read on to `end`) into `out`; returns where it stopped and the bytes written. */
  decode(b: Uint8Array, from: number, to: number, end: number, out: Uint8Array): { next: number; written: number } {
    let written = 0;
    let i = from;
    while (i < to) {
      const byte = b[i]!;
      if (endsValue(byte)) {
        this.ended = true;
        break;
      }
      if (byte === PERCENT) {
        if (i + 3 > end) break;
        const value = percentEscapeAt(b, i, end);
        out[written++] = value < 0 ? byte : value;
        i += value < 0 ? 1 : 3;
        continue;
      }
      out[written++] = byte === PLUS ? 0x20 : byte;
      i++;
    }
    return { next: i, written };
  }
}

/**
 * Base64 and base64url runs as they appear in text and JSON: the alphabets
 * mixed, JSON escapes (`\/`, `\u002b`) standing for alphabet characters, and
 * line breaks (raw, or escaped as `\n`) inside MIME-style wrapped base64.
 */

import { latin1EscapeAt } from './bytes.ts';

const BACKSLASH = 0x5c;
const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;

/** The 6-bit value of each alphabet byte (both alphabets), 255 for other bytes. */
const SEXTET = new Uint8Array(256).fill(255);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split('').forEach((char, value) => (SEXTET[char.charCodeAt(0)] = value));
SEXTET[0x2b] = SEXTET[0x2d] = 62; // + -
SEXTET[0x2f] = SEXTET[0x5f] = 63; // / _

/** 1 for bytes of the base64 or base64url alphabet (padding excluded). */
export const RUN_BYTE: Uint8Array = SEXTET.map((value) => (value === 255 ? 0 : 1));

/**
 * Length of a sequence at `at` that a run continues through without a
 * character of its own being a base64 byte (`\/` or `\u002b`: a JSON escape of
 * an alphabet byte; a raw or escaped line break followed by more alphabet), or 0.
 * `char` receives the alphabet byte an escape stands for, -1 for a line break.
 */
export function continuation(b: Uint8Array, at: number, end: number, char: { value: number }): number {
  const byte = b[at];
  if (byte === BACKSLASH && at + 1 < end) {
    const next = b[at + 1];
    if (next === 0x2f) return (char.value = 0x2f), 2;
    if (next === 0x75) {
      const escaped = latin1EscapeAt(b, at, end);
      return escaped >= 0 && RUN_BYTE[escaped] ? ((char.value = escaped), 6) : 0;
    }
    const length = next === 0x6e ? 2 : next === 0x72 && b[at + 2] === BACKSLASH && b[at + 3] === 0x6e ? 4 : 0;
    return length && at + length < end && RUN_BYTE[b[at + length]!] ? ((char.value = -1), length) : 0;
  }
  const length = byte === LF ? 1 : byte === CR && b[at + 1] === LF ? 2 : 0;
  if (!length || at + length >= end || !RUN_BYTE[b[at + length]!]) return 0;
  // a multipart boundary line ("--boundary") after a line break ends the run
  if (b[at + length] === DASH && b[at + length + 1] === DASH) return 0;
  return (char.value = -1), length;
}

/**
 * The byte at `index` of what the run starting at `at` decodes to, when the
 * run's first characters up to it are plain alphabet bytes (no escapes), or -1.
 * A cheap look at one byte before any real decoding.
 */
export function decodedByteAt(b: Uint8Array, at: number, end: number, index: number): number {
  const bit = index * 8;
  const char = at + Math.floor(bit / 6);
  if (char + 1 >= end) return -1;
  const high = SEXTET[b[char]!]!;
  const low = SEXTET[b[char + 1]!]!;
  if (high === 255 || low === 255) return -1;
  const shift = bit % 6; // 0, 2 or 4 bits of `high` already belong to the previous byte
  return (((high << 6) | low) >> (4 - shift)) & 0xff;
}

/**
 * Decodes the first bytes of base64 runs into one buffer it reuses: the
 * inspector only ever looks at the start of a run.
 */
export class RunDecoder {
  readonly bytes: Uint8Array;
  /** After `decode`: bytes written to `bytes`, and alphabet characters read. */
  length = 0;
  chars = 0;
  private readonly escaped = { value: 0 };

  constructor(maxBytes: number) {
    this.bytes = new Uint8Array(maxBytes);
  }

  /** Decodes the run starting at `at` until it ends, `end` is reached or `bytes` is full. */
  decode(b: Uint8Array, at: number, end: number): void {
    const out = this.bytes;
    let length = 0;
    let chars = 0;
    let bits = 0;
    let accumulator = 0;
    let i = at;
    while (i < end && length < out.length) {
      let byte = b[i]!;
      if (RUN_BYTE[byte]) {
        i++;
      } else {
        const step = continuation(b, i, end, this.escaped);
        if (step === 0) break;
        i += step;
        if (this.escaped.value < 0) continue;
        byte = this.escaped.value;
      }
      chars++;
      accumulator = ((accumulator << 6) | SEXTET[byte]!) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[length++] = (accumulator >> bits) & 0xff;
      }
    }
    this.length = length;
    this.chars = chars;
  }
}

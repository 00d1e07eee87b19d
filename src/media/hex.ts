/**
 * Hex runs as text holds them: plain (lower or upper case, `0x`, Postgres
 * `\x`), folded between whole bytes like base64 (`xxd -p` writes 60 digits
 * a line), or spaced pairs (`89 50 4e 47 ...`, `89:50:4e`).
 */

import { foldAt } from './base64.ts';
import { HEX_VALUE } from './hex-digits.ts';

/** 1 for hex digits. */
const HEX_BYTE: Uint8Array = Uint8Array.from(HEX_VALUE, (value) => (value >= 0 ? 1 : 0));

/** Length of a fold at `at` between two lines of a hex run, or 0; a last line may be short. */
const hexFoldAt = (b: Uint8Array, at: number, end: number): number => foldAt(b, at, end, HEX_BYTE, true);

/** Whether `b[at, at + length)` is all hex digits of one case (a hex dump, not a base64 run that happens to use few letters). */
export function isHexRun(b: Uint8Array, at: number, length: number): boolean {
  let lower = false;
  let upper = false;
  for (let i = at; i < at + length; i++) {
    const byte = b[i]!;
    if (HEX_VALUE[byte]! < 0) return false;
    if (byte >= 0x61) lower = true;
    else if (byte >= 0x41) upper = true;
  }
  return !(lower && upper);
}

const isHexSeparator = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0x3a;

/** Pairs of hex digits that must open spaced hex (`89 50 4e 47 ...`, `89:50:4e`) for it to be decoded. */
const SPACED_HEX_PAIRS = 12;

/** Whether SPACED_HEX_PAIRS pairs of hex digits, each followed by one separator, start at `at`. */
export function isSpacedHex(b: Uint8Array, at: number, end: number): boolean {
  if (at + SPACED_HEX_PAIRS * 3 > end) return false;
  for (let pair = 0; pair < SPACED_HEX_PAIRS; pair++) {
    const i = at + pair * 3;
    if (HEX_VALUE[b[i]!]! < 0 || HEX_VALUE[b[i + 1]!]! < 0 || !isHexSeparator(b[i + 2])) return false;
  }
  return true;
}

/**
 * Decodes hex digits (two per byte; with `spaced`, single separators between
 * pairs) piece by piece, through folds between whole bytes, up to the first
 * byte that is neither.
 */
export class HexStream {
  ended = false;
  private high = -1;

  constructor(private readonly spaced = false) {}

  /** Decodes the digits in `b[from, to)` (a fold may be looked at up to `end`) into `out`. */
  decode(b: Uint8Array, from: number, to: number, end: number, out: Uint8Array): { next: number; written: number } {
    let written = 0;
    let i = from;
    for (; i < to; i++) {
      const value = HEX_VALUE[b[i]!]!;
      if (value < 0 && this.spaced && this.high < 0 && isHexSeparator(b[i]) && !isHexSeparator(b[i - 1])) continue;
      if (value < 0 && this.high < 0) {
        const fold = hexFoldAt(b, i, end);
        if (fold > 0) {
          i += fold - 1;
          continue;
        }
      }
      if (value < 0) {
        this.ended = true;
        break;
      }
      if (this.high < 0) this.high = value;
      else {
        out[written++] = (this.high << 4) | value;
        this.high = -1;
      }
    }
    return { next: i, written };
  }
}

/** Decodes the first bytes of hex runs into one buffer it reuses, like RunDecoder for base64. */
export class HexPrefix {
  readonly bytes: Uint8Array;
  length = 0;
  /** After `decode`: the index where reading stopped (every byte before it is a hex digit of the run). */
  next = 0;

  constructor(maxBytes: number) {
    this.bytes = new Uint8Array(maxBytes);
  }

  decode(b: Uint8Array, at: number, end: number): void {
    this.length = 0;
    this.next = at;
    this.decodeRest(b, end);
  }

  /** Like RunDecoder's `decodeOn`: the run `before` decoded, its bytes copied and the rest decoded from where it stopped. */
  decodeOn(before: HexPrefix, b: Uint8Array, end: number): void {
    this.bytes.set(before.bytes.subarray(0, before.length));
    this.length = before.length;
    this.next = before.next;
    this.decodeRest(b, end);
  }

  private decodeRest(b: Uint8Array, end: number): void {
    let length = this.length;
    let i = this.next;
    while (i + 1 < end && length < this.bytes.length) {
      const fold = HEX_VALUE[b[i]!]! < 0 ? hexFoldAt(b, i, end) : 0;
      if (fold > 0) {
        i += fold;
        continue;
      }
      const high = HEX_VALUE[b[i]!]!;
      const low = HEX_VALUE[b[i + 1]!]!;
      if (high < 0 || low < 0) break;
      this.bytes[length++] = (high << 4) | low;
      i += 2;
    }
    this.length = length;
    this.next = i;
  }
}

/**
 * Base32 (RFC 4648: `A`-`Z` and `2`-`7`, `=` padding; either case), which
 * some services use where base64's `+` and `/` or its mixed case get in the
 * way. A base32 run is also a base64 run: the scanner decodes it both ways.
 */

/** The 5-bit value of each base32 character (both cases), -1 for other bytes. */
const QUINTET = new Int8Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.split('').forEach((char, value) => {
  QUINTET[char.charCodeAt(0)] = value;
  QUINTET[char.toLowerCase().charCodeAt(0)] = value;
});

/** Characters a run must open with to be decoded as base32. */
export const BASE32_RUN_CHARS = 32;

/**
 * Whether BASE32_RUN_CHARS base32 characters of one case open `b` at `at`,
 * with a letter past `F` among them: upper-case hex is base32 too, and is
 * read as hex.
 */
export function isBase32Run(b: Uint8Array, at: number, end: number): boolean {
  if (at + BASE32_RUN_CHARS > end) return false;
  let lower = false;
  let upper = false;
  let pastHex = false;
  for (let i = at; i < at + BASE32_RUN_CHARS; i++) {
    const byte = b[i]!;
    if (QUINTET[byte]! < 0) return false;
    if (byte >= 0x61) lower = true;
    else if (byte >= 0x41) upper = true;
    if ((byte | 0x20) > 0x66) pastHex = true;
  }
  return pastHex && !(lower && upper);
}

/** Decodes a base32 run piece by piece, up to its first byte that is neither base32 nor padding. */
export class Base32Stream {
  ended = false;
  private bits = 0;
  private accumulator = 0;

  decode(b: Uint8Array, from: number, to: number, out: Uint8Array): { next: number; written: number } {
    let written = 0;
    let i = from;
    for (; i < to; i++) {
      const value = QUINTET[b[i]!]!;
      if (value < 0) {
        this.ended = true;
        break;
      }
      this.accumulator = ((this.accumulator << 5) | value) & 0xffff;
      this.bits += 5;
      if (this.bits >= 8) {
        this.bits -= 8;
        out[written++] = (this.accumulator >> this.bits) & 0xff;
      }
    }
    return { next: i, written };
  }
}

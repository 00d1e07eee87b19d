/**
 * Reading formats whose header is text (netpbm, Y4M, FITS, XBM): such a
 * header is longer than the binary-evidence span, so these signatures check
 * themselves that what follows the header is not text.
 */

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
/** How far into the pixels `binaryFollows` looks. */
const PIXEL_SPAN = 32;

export const isSpace = (byte: number | undefined): boolean => byte === 0x20 || (byte !== undefined && byte >= TAB && byte <= CR);
export const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x39;

/** Some byte of the first bytes at `from` is neither printable ASCII nor a line break or tab: pixels, not a quoted header. */
export function binaryFollows(b: Uint8Array, from: number, end: number): boolean {
  for (let i = from; i < Math.min(end, from + PIXEL_SPAN); i++) {
    const byte = b[i]!;
    if (byte > 0x7e || (byte < 0x20 && byte !== LF && byte !== CR && byte !== TAB)) return true;
  }
  return false;
}

/** Index past the line feed that ends a printable line of at most `maxLength` bytes starting at `from`, or -1. */
export function lineEnd(b: Uint8Array, from: number, end: number, maxLength: number): number {
  for (let i = from; i < Math.min(end, from + maxLength); i++) {
    if (b[i] === LF) return i + 1;
    if (b[i]! < 0x20 || b[i]! > 0x7e) return -1;
  }
  return -1;
}

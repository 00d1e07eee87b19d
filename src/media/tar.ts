/** tar headers (POSIX ustar, GNU, and v7 with a valid checksum), read as they stream past. */

import { ascii } from './bytes.ts';

export const TAR_BLOCK = 512;

export interface TarHeader {
  readonly name: string;
  /** A regular file, whose data is content of its own (not a directory, link, or pax/GNU metadata). */
  readonly isFile: boolean;
  readonly size: number;
}

/** A numeric field: octal digits (space or NUL ended), or GNU base-256 for large sizes. */
function numberField(b: Uint8Array, at: number, length: number): number {
  if (b[at]! & 0x80) {
    let value = b[at]! & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + b[at + i]!;
    return value;
  }
  let value = 0;
  let digits = 0;
  for (let i = at; i < at + length; i++) {
    const byte = b[i]!;
    if (byte === 0 || byte === 0x20) {
      if (digits > 0) break;
      continue;
    }
    if (byte < 0x30 || byte > 0x37) return -1;
    value = value * 8 + byte - 0x30;
    digits++;
  }
  return value;
}

/** The header checksum: the sum of its bytes with the checksum field taken as spaces. */
function checksumMatches(b: Uint8Array, at: number): boolean {
  const stored = numberField(b, at + 148, 8);
  if (stored < 0) return false;
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : b[at + i]!;
  return sum === stored;
}

/** Whether a block of zeros (the end of the archive) stands at `at`. */
export function isEndBlock(b: Uint8Array, at: number): boolean {
  for (let i = at; i < at + TAR_BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

/** The tar header at `at` (its 512 bytes in view before `end`), or null. */
export function tarHeaderAt(b: Uint8Array, at: number, end: number): TarHeader | null {
  if (at + TAR_BLOCK > end || b[at] === 0 || !checksumMatches(b, at)) return null;
  const size = numberField(b, at + 124, 12);
  if (size < 0) return null;
  const type = b[at + 156]!;
  let nameEnd = at;
  while (nameEnd < at + 100 && b[nameEnd] !== 0) nameEnd++;
  return { name: ascii(b, at, nameEnd - at), isFile: type === 0x30 || type === 0 || type === 0x37, size };
}

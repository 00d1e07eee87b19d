import { u16le, u32le } from '../../bytes.ts';
import { crc32 } from '../../signatures/crc32.ts';
import type { LayerKind } from '../layer.ts';
import { refusedLayer, refusedMagic } from './refused.ts';

/**
 * Archive formats the gateway does not open. Each is recognised by its
 * magic number and a header that checks itself (a CRC, a checksum, sizes
 * that add up), strong enough to be looked for at any offset.
 */

/** 7z: the 6-byte signature, major version 0, and the CRC-32 of the start header. */
export const SEVEN_ZIP = refusedMagic(
  'a 7z archive',
  'anywhere',
  [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0x00],
  (b, at, end) => at + 32 <= end && crc32(b, at + 12, at + 32) === u32le(b, at + 8),
);

/** RAR 1.5-4: the 7-byte marker, then a main archive header (type 0x73) whose CRC (the low half of a CRC-32) holds. */
export const RAR4 = refusedMagic('a RAR archive', 'anywhere', 'Rar!\x1a\x07\x00', (b, at, end) => {
  if (at + 14 > end || b[at + 9] !== 0x73) return false;
  const headerEnd = at + 7 + u16le(b, at + 12);
  return headerEnd >= at + 20 && headerEnd <= end && (crc32(b, at + 9, headerEnd) & 0xffff) === u16le(b, at + 7);
});

/** A RAR 5 variable-length integer at `at` (7 bits a byte, low first): its value and length, or null past `end` or 3 bytes. */
function vint(b: Uint8Array, at: number, end: number): { value: number; length: number } | null {
  let value = 0;
  for (let i = 0; i < 3 && at + i < end; i++) {
    value |= (b[at + i]! & 0x7f) << (7 * i);
    if ((b[at + i]! & 0x80) === 0) return { value, length: i + 1 };
  }
  return null;
}

/** RAR 5: the 8-byte signature, then a main archive header (type 1) whose CRC-32 holds. */
export const RAR5 = refusedMagic('a RAR 5 archive', 'anywhere', 'Rar!\x1a\x07\x01\x00', (b, at, end) => {
  const size = vint(b, at + 12, end);
  if (!size || size.value < 2) return false;
  const headerEnd = at + 12 + size.length + size.value;
  return headerEnd <= end && vint(b, at + 12 + size.length, end)?.value === 1 && crc32(b, at + 12, headerEnd) === u32le(b, at + 8);
});

/** Microsoft Cabinet: `MSCF`, its three reserved fields zero, version 1.3 and the files after the header. */
export const CAB = refusedMagic(
  'a Microsoft Cabinet',
  'anywhere',
  'MSCF\0\0\0\0',
  (b, at, end) =>
    at + 36 <= end && u32le(b, at + 12) === 0 && u32le(b, at + 20) === 0 && b[at + 24] === 3 && b[at + 25] === 1 && u32le(b, at + 16) < u32le(b, at + 8),
);

/** ARJ: `60 EA`, a basic header of at most 2600 bytes, and its CRC-32 after it. */
export const ARJ = refusedMagic('an ARJ archive', 'anywhere', [0x60, 0xea], (b, at, end) => {
  if (at + 5 > end) return false;
  const size = u16le(b, at + 2);
  const headerEnd = at + 4 + size;
  return size >= 30 && size <= 2600 && b[at + 4]! >= 30 && b[at + 4]! <= size && headerEnd + 4 <= end && crc32(b, at + 4, headerEnd) === u32le(b, headerEnd);
});

const LZH_METHODS = new Set(['lh0', 'lh1', 'lh2', 'lh3', 'lh4', 'lh5', 'lh6', 'lh7', 'lhd', 'lzs', 'lz4', 'lz5']);

/** Whether a level 0 or 1 LZH header at `start` has the checksum of its bytes that it says. */
function lzhChecksumHolds(b: Uint8Array, start: number, end: number): boolean {
  const size = b[start]!;
  if (size < 22 || start + 2 + size > end) return false;
  let sum = 0;
  for (let i = start + 2; i < start + 2 + size; i++) sum += b[i]!;
  return (sum & 0xff) === b[start + 1];
}

/** Whether a level 2 LZH header at `start` is exactly as long as its extended headers add up to. */
function lzhExtensionsAddUp(b: Uint8Array, start: number, end: number): boolean {
  if (start + 26 > end) return false;
  const total = u16le(b, start);
  let at = start + 26;
  for (let next = u16le(b, start + 24); next > 0; next = u16le(b, at - 2)) {
    if (next < 3) return false;
    at += next;
    if (at > start + total || at > end) return false;
  }
  return at === start + total;
}

/**
 * LZH (LHA): a method id such as `-lh5-` two bytes into a header of level
 * 0 or 1 whose checksum holds, or of level 2 whose extended headers add up
 * to its size. Recognised at the method id, which stands at a fixed offset.
 */
export const LZH = refusedLayer(
  'an LZH archive',
  'anywhere',
  0x2d,
  (b, at, end) => {
    const start = at - 2;
    if (start < 0 || at + 19 > end || b[at + 1] !== 0x6c || b[at + 4] !== 0x2d) return false;
    if (!LZH_METHODS.has(String.fromCharCode(b[at + 1]!, b[at + 2]!, b[at + 3]!))) return false;
    const level = b[start + 20];
    return level === 0 || level === 1 ? lzhChecksumHolds(b, start, end) : level === 2 && lzhExtensionsAddUp(b, start, end);
  },
  0x6c,
);

/** ZPAQ: the 13-byte locator tag its archives carry, then a block header `zPQ` of level 1 or 2. */
export const ZPAQ = refusedMagic(
  'a ZPAQ archive',
  'anywhere',
  [0x37, 0x6b, 0x53, 0x74, 0xa0, 0x31, 0x83, 0xd3, 0x8c, 0xb2, 0x28, 0xb0, 0xd3, 0x7a, 0x50, 0x51],
  (b, at, end) => at + 18 <= end && (b[at + 16] === 1 || b[at + 16] === 2) && b[at + 17] === 1,
);

/** SquashFS 4 (little-endian `hsqs`): a known compressor, and a block size that is 2 to the block log it states. */
export const SQUASHFS = refusedMagic('a SquashFS image', 'anywhere', 'hsqs', (b, at, end) => {
  if (at + 32 > end) return false;
  const compressor = u16le(b, at + 20);
  const blockLog = u16le(b, at + 22);
  return compressor >= 1 && compressor <= 6 && blockLog >= 12 && blockLog <= 20 && u32le(b, at + 12) === 2 ** blockLog && u32le(b, at + 28) === 4;
});

/** Windows Imaging (WIM): `MSWIM` padded with zeros and the header size, 208. */
export const WIM = refusedMagic('a Windows Imaging (WIM) file', 'anywhere', [0x4d, 0x53, 0x57, 0x49, 0x4d, 0, 0, 0, 0xd0, 0, 0, 0]);

export const UNOPENED_ARCHIVES: readonly LayerKind[] = [SEVEN_ZIP, RAR4, RAR5, CAB, ARJ, LZH, ZPAQ, SQUASHFS, WIM];

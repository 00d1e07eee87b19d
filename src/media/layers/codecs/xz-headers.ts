import { u32le } from '../../bytes.ts';
import { CorruptData, UnsupportedData } from './corrupt.ts';
import { lzma2DictionarySize } from './lzma2.ts';
import { crc32Of } from './xz-checks.ts';

/** The fixed parts of the .xz format (the xz file format specification): stream header and footer, block headers. */

export const MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
export const STREAM_HEADER = 12;
export const STREAM_FOOTER = 12;
const LZMA2_FILTER = 0x21;
/** Bytes of the integrity check for each check type (xz file format 2.1.1.2). */
export const CHECK_BYTES = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];

/** The stream header's magic, its flags (a check type, nothing reserved) and the CRC32 of the flags. */
export const isStreamHeader = (b: Uint8Array, at: number, end: number): boolean =>
  at + STREAM_HEADER <= end &&
  MAGIC.every((byte, i) => b[at + i] === byte) &&
  b[at + 6] === 0 &&
  b[at + 7]! <= 0x0f &&
  crc32Of(b.subarray(at + 6, at + 8)) === u32le(b, at + 8);

/** A variable-length integer (7 bits a byte, low first) at `b[at]`: its value and the index after it. */
function vli(b: Uint8Array, at: number, end: number): { value: number; next: number } {
  let value = 0;
  for (let i = 0; i < 9 && at + i < end; i++) {
    const byte = b[at + i]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (!(byte & 0x80)) return { value, next: at + i + 1 };
  }
  throw new CorruptData('an xz header has an invalid number');
}

export interface BlockHeader {
  dictionarySize: number;
  /** The sizes the header declares, if it does (multi-threaded xz writes them): the block must decode to them. */
  compressedSize: number | undefined;
  uncompressedSize: number | undefined;
}

/** A block header (its size byte included): flags, optional sizes, filter flags, padding, CRC32. */
export function blockHeader(h: Uint8Array): BlockHeader {
  const size = h.length;
  if (crc32Of(h.subarray(0, size - 4)) !== u32le(h, size - 4)) throw new CorruptData('an xz block header does not match its CRC32');
  const flags = h[1]!;
  if (flags & 0x3c) throw new CorruptData('an xz block header has reserved flags set');
  let at = 2;
  let compressedSize: number | undefined;
  if (flags & 0x40) ({ value: compressedSize, next: at } = vli(h, at, size - 4));
  let uncompressedSize: number | undefined;
  if (flags & 0x80) ({ value: uncompressedSize, next: at } = vli(h, at, size - 4));
  const filters = (flags & 3) + 1;
  let dictionarySize: number | null = null;
  for (let f = 0; f < filters; f++) {
    const id = vli(h, at, size - 4);
    const propertiesSize = vli(h, id.next, size - 4);
    at = propertiesSize.next + propertiesSize.value;
    if (at > size - 4) throw new CorruptData('an xz filter runs past its block header');
    if (id.value !== LZMA2_FILTER || f !== filters - 1 || propertiesSize.value !== 1)
      // BCJ and delta filters rearrange the bytes LZMA2 decodes: this decoder does not undo them
      throw new UnsupportedData(`xz filter 0x${id.value.toString(16)} is not decoded here (only LZMA2 alone is)`);
    dictionarySize = lzma2DictionarySize(h[at - 1]!);
  }
  if (dictionarySize === null) throw new CorruptData('an xz block has an invalid LZMA2 dictionary size');
  for (; at < size - 4; at++) if (h[at] !== 0) throw new CorruptData('an xz block header has non-zero padding');
  return { dictionarySize, compressedSize, uncompressedSize };
}

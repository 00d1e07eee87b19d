import { u32le } from '../../bytes.ts';
import type { LayerKind } from '../layer.ts';
import { refusedMagic } from './refused.ts';
import { xxh32Short } from './xxhash32.ts';

/**
 * Compressed streams the gateway does not open. Each is recognised by its
 * magic number and the header fields after it; `anywhere` where the two
 * together are too long to occur by chance (see docs/media-inspection.md).
 */

/** The largest compressed block of a legacy lz4 frame: LZ4_compressBound(8 MiB). */
const LZ4_LEGACY_MAX_BLOCK = 8 * 1024 * 1024 + Math.floor((8 * 1024 * 1024) / 255) + 16;

/** An lz4 frame: the magic, a frame descriptor with version 01 and its reserved bits clear, and the descriptor's xxHash32 checksum byte. */
export const LZ4_FRAME = refusedMagic('an lz4 frame', 'anywhere', [0x04, 0x22, 0x4d, 0x18], (b, at, end) => {
  if (at + 7 > end) return false;
  const flags = b[at + 4]!;
  const blockSize = b[at + 5]!;
  if (flags >> 6 !== 1 || (flags & 0x02) !== 0 || (blockSize & 0x8f) !== 0 || blockSize >> 4 < 4) return false;
  const descriptorEnd = at + 6 + (flags & 0x08 ? 8 : 0) + (flags & 0x01 ? 4 : 0);
  return descriptorEnd < end && ((xxh32Short(b, at + 4, descriptorEnd) >>> 8) & 0xff) === b[descriptorEnd];
});

/** lz4's legacy frame (`lz4 -l`): the magic, then a first block of a size no 8 MiB block can exceed. */
export const LZ4_LEGACY = refusedMagic('a legacy lz4 frame', 'anywhere', [0x02, 0x21, 0x4c, 0x18], (b, at, end) => {
  if (at + 8 > end) return false;
  const block = u32le(b, at + 4);
  return block > 0 && block <= LZ4_LEGACY_MAX_BLOCK;
});

/** lzip: `LZIP`, version 1, a coded dictionary size of 4 KiB to 512 MiB, then the LZMA stream's first byte, always 0. */
export const LZIP = refusedMagic('an lzip file', 'anywhere', 'LZIP\x01', (b, at, end) => {
  if (at + 7 > end) return false;
  const log2 = b[at + 5]! & 0x1f;
  const fraction = b[at + 5]! >> 5;
  return log2 >= 12 && log2 <= 29 && !(log2 === 12 && fraction > 0) && b[at + 6] === 0;
});

/**
 * Unix compress (`.Z`): `1F 9D`, flags with a code width of 9 to 16 bits
 * and the unused bits clear, then LZW codes that could start a stream: a
 * literal byte first, and each of the next ones a literal, a clear code or
 * a code already defined (or the one being defined). Three bytes of magic
 * are weak: looked for where content starts only, and the first codes must
 * hold (random bytes pass them about once in 4,000 times).
 */
export const UNIX_COMPRESS = refusedMagic('a compress (.Z) file', 'start', [0x1f, 0x9d], (b, at, end) => {
  const flags = b[at + 2]!;
  if (at + 5 > end || (flags & 0x60) !== 0 || (flags & 0x1f) < 9 || (flags & 0x1f) > 16) return false;
  return startsLzwCodes(b, at + 3, end, (flags & 0x80) !== 0);
});

const CHECKED_LZW_CODES = 12;
const LZW_CLEAR = 256;

/** Whether the 9-bit codes at `from` (as many as `CHECKED_LZW_CODES`, fewer where the data ends) could open an LZW stream. */
function startsLzwCodes(b: Uint8Array, from: number, end: number, blockMode: boolean): boolean {
  const firstFree = blockMode ? 257 : 256;
  for (let i = 0; i < CHECKED_LZW_CODES; i++) {
    const bit = i * 9;
    const at = from + (bit >> 3);
    if (at + 1 >= end) return i > 0;
    const code = ((b[at]! | (b[at + 1]! << 8)) >> (bit & 7)) & 0x1ff;
    if (blockMode && code === LZW_CLEAR && i > 0) return true;
    // the first code is a literal; code i may name any code defined so far, or the one it defines (KwKwK)
    if (code > (i === 0 ? 255 : firstFree + i - 1)) return false;
  }
  return true;
}

/** lzop: its 9-byte magic number. */
export const LZOP = refusedMagic('an lzop file', 'anywhere', [0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Snappy's framing format: the 10-byte stream identifier chunk. */
export const SNAPPY_FRAMED = refusedMagic('a Snappy framed stream', 'anywhere', [0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]);

/**
 * bzip3: `BZ3v1`, a block size of 65 KiB to 511 MiB (the range bzip3
 * accepts), then the first block's compressed and original sizes, neither
 * of them past the block size.
 */
export const BZIP3 = refusedMagic('a bzip3 file', 'anywhere', 'BZ3v1', (b, at, end) => {
  if (at + 17 > end) return false;
  const blockSize = u32le(b, at + 5);
  const compressed = u32le(b, at + 9);
  const original = u32le(b, at + 13);
  return blockSize >= 65 * 1024 && blockSize <= 511 * 1024 * 1024 && compressed > 0 && compressed <= blockSize + 64 && original <= blockSize;
});

/** lrzip: `LRZI`, major version 0 and a known minor one, then its MD5 and encryption flags (0 or 1). */
export const LRZIP = refusedMagic(
  'an lrzip file',
  'anywhere',
  'LRZI\x00',
  (b, at, end) => at + 24 <= end && b[at + 5]! >= 1 && b[at + 5]! <= 12 && b[at + 21]! <= 1 && b[at + 22]! <= 1,
);

/** MS-DOS `COMPRESS.EXE` (SZDD, what `expand` undoes): its 8-byte magic and compression mode `A`. */
export const SZDD = refusedMagic('an MS-DOS compressed (SZDD) file', 'anywhere', [0x53, 0x5a, 0x44, 0x44, 0x88, 0xf0, 0x27, 0x33, 0x41]);

export const UNOPENED_STREAMS: readonly LayerKind[] = [LZ4_FRAME, LZ4_LEGACY, LZIP, UNIX_COMPRESS, LZOP, SNAPPY_FRAMED, BZIP3, LRZIP, SZDD];

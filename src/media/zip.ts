/** ZIP local file headers, read where they appear in a stream (the central directory comes last). */

import { u16le, u32le } from './bytes.ts';
import { bzip2 } from './layers/bzip2.ts';
import type { LayerLimits, LayerOutput, LayerStream } from './layers/layer.ts';
import { zipLzma } from './layers/lzma.ts';
import { rawDeflate } from './layers/zlib.ts';

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated, 12 bzip2, 14 LZMA; anything else cannot be inspected. */
  readonly method: number;
  readonly encrypted: boolean;
  /** Offset of the entry's data. */
  readonly dataStart: number;
  /** Compressed size, or undefined when it follows the data (streamed ZIPs, ZIP64). */
  readonly compressedSize: number | undefined;
  /** Decoded size, or undefined when it follows the data. */
  readonly uncompressedSize: number | undefined;
  /** For LZMA (method 14): whether the data ends with an end marker (flag bit 1). */
  readonly endMarker: boolean;
}

const LOCAL_HEADER_LENGTH = 30;
const DATA_DESCRIPTOR_FLAG = 0x08;
const ENCRYPTED_FLAG = 0x01;
const LZMA_END_MARKER_FLAG = 0x02;

/** Whether `PK\x03\x04` starts at `at`. */
export const isLocalHeader = (b: Uint8Array, at: number): boolean => b[at] === 0x50 && b[at + 1] === 0x4b && b[at + 2] === 0x03 && b[at + 3] === 0x04;

/** Whether `PK\x01\x02` (the central directory: no more entries) starts at `at`. */
export const isCentralDirectory = (b: Uint8Array, at: number): boolean => b[at] === 0x50 && b[at + 1] === 0x4b && b[at + 2] === 0x01 && b[at + 3] === 0x02;

/** The local file header at `at`, or null when `b[at, end)` does not hold a plausible one. */
export function localHeaderAt(b: Uint8Array, at: number, end: number): ZipEntry | null {
  if (!isLocalHeader(b, at) || at + LOCAL_HEADER_LENGTH > end) return null;
  const flags = u16le(b, at + 6);
  const method = u16le(b, at + 8);
  const compressedSize = u32le(b, at + 18);
  const uncompressedSize = u32le(b, at + 22);
  const nameLength = u16le(b, at + 26);
  const extraLength = u16le(b, at + 28);
  if (u16le(b, at + 4) > 100 || nameLength === 0) return null;
  const nameBytes = b.subarray(at + LOCAL_HEADER_LENGTH, Math.min(end, at + LOCAL_HEADER_LENGTH + Math.min(nameLength, 256)));
  const sizeFollows = (flags & DATA_DESCRIPTOR_FLAG) !== 0 || compressedSize === 0xffffffff;
  return {
    name: new TextDecoder().decode(nameBytes),
    method,
    encrypted: (flags & ENCRYPTED_FLAG) !== 0,
    dataStart: at + LOCAL_HEADER_LENGTH + nameLength + extraLength,
    compressedSize: sizeFollows ? undefined : compressedSize,
    uncompressedSize: sizeFollows || uncompressedSize === 0xffffffff ? undefined : uncompressedSize,
    endMarker: (flags & LZMA_END_MARKER_FLAG) !== 0,
  };
}

/** The decoder of a compressed entry's data: deflate, bzip2 or LZMA; null for stored data and for methods that cannot be opened. */
export function entryDecoder(entry: ZipEntry): ((output: LayerOutput, limits: LayerLimits) => LayerStream) | null {
  switch (entry.method) {
    case 8:
      return rawDeflate;
    case 12:
      return bzip2;
    case 14:
      return zipLzma(entry.uncompressedSize, entry.endMarker);
    default:
      return null;
  }
}

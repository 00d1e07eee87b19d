import { Decompress } from 'fzstd';
import { u32le } from '../bytes.ts';
import { UninspectableLayer, type LayerKind, type LayerLimits, type LayerOutput, type LayerStream } from './layer.ts';

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const SINGLE_SEGMENT = 0x20;
const FRAME_HEADER_BYTES = 6;
/** The longest frame header (magic, descriptor, window, 4-byte dictionary id, 8-byte content size). */
const HEADER_HOLD = 18;

/** No block holds more than 128 KiB (RFC 8878 3.1.1.2.3). */
const MAX_BLOCK_BYTES = 128 * 1024;

/**
 * The magic, a descriptor without its reserved bit, and a valid first block
 * header after the frame header: a table of magic numbers in a program
 * (libmagic's lists `28 b5 2f fd` before the text "zstd") is not a frame.
 */
function isFrame(b: Uint8Array, at: number, end: number): boolean {
  if (at + FRAME_HEADER_BYTES > end || b[at] !== MAGIC[0] || b[at + 1] !== MAGIC[1] || b[at + 2] !== MAGIC[2] || b[at + 3] !== MAGIC[3]) return false;
  const descriptor = b[at + 4]!;
  if (descriptor & 0x08) return false;
  const singleSegment = (descriptor & SINGLE_SEGMENT) !== 0;
  const sizeField = descriptor >> 6 === 0 ? (singleSegment ? 1 : 0) : [1, 2, 4, 8][descriptor >> 6]!;
  const block = at + 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3]! + sizeField;
  if (block + 3 > end) return false;
  const header = b[block]! | (b[block + 1]! << 8) | (b[block + 2]! << 16);
  return ((header >> 1) & 3) !== 3 && header >>> 3 <= MAX_BLOCK_BYTES;
}

/** The memory a frame asks for: its window, or its content size when it is one segment (RFC 8878 3.1.1.1). */
function frameMemory(header: Uint8Array): number {
  const descriptor = header[4]!;
  if (!(descriptor & SINGLE_SEGMENT)) {
    const window = header[5]!;
    const base = 2 ** (10 + (window >> 3));
    return base + (base / 8) * (window & 7);
  }
  const sizeField = [1, 2, 4, 8][descriptor >> 6]!;
  const at = 5 + [0, 1, 2, 4][descriptor & 3]!;
  if (header.length < at + sizeField) return Infinity;
  if (sizeField === 1) return header[at]!;
  if (sizeField === 2) return (header[at]! | (header[at + 1]! << 8)) + 256;
  if (sizeField === 4) return u32le(header, at);
  return u32le(header, at) + u32le(header, at + 4) * 2 ** 32;
}

/** Zstandard frames (RFC 8878), decoded by fzstd (pure JavaScript); a frame that asks for more memory than a layer may hold is refused. */
export class ZstdStream implements LayerStream {
  readonly endedAt = -1;
  private readonly decoder: Decompress;
  private header: number[] | null = [];

  constructor(
    output: LayerOutput,
    private readonly limits: LayerLimits,
  ) {
    this.decoder = new Decompress((bytes) => output.data(bytes));
  }

  write(chunk: Uint8Array): void {
    if (!this.header) return void this.decoder.push(chunk);
    // held back until the frame header is complete: fzstd sizes its window from it
    const taken = Math.min(chunk.length, HEADER_HOLD - this.header.length);
    for (let i = 0; i < taken; i++) this.header.push(chunk[i]!);
    if (this.header.length < HEADER_HOLD) return;
    this.releaseHeader();
    if (taken < chunk.length) this.decoder.push(chunk.subarray(taken));
  }

  finish(): void {
    if (this.header) this.releaseHeader();
    this.decoder.push(new Uint8Array(0), true);
  }

  private releaseHeader(): void {
    const header = Uint8Array.from(this.header!);
    this.header = null;
    const memory = frameMemory(header);
    if (memory > this.limits.maxMemoryBytes)
      throw new UninspectableLayer(`a zstd frame asks for ${memory} bytes of window, more than the ${this.limits.maxMemoryBytes} one layer may hold`);
    this.decoder.push(header);
  }
}

export const ZSTD: LayerKind = {
  name: 'zstd',
  where: 'anywhere',
  first: [MAGIC[0]!],
  second: [MAGIC[1]!],
  recognise: (b, at, end) => isFrame(b, at, end),
  open: (output, limits) => new ZstdStream(output, limits),
};

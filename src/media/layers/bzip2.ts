import { BLOCK_MAGIC, Bzip2BlockDecoder, END_MAGIC } from './codecs/bzip2-block.ts';
import { CorruptData, UnsupportedData } from './codecs/corrupt.ts';
import { InputBuffer } from './codecs/input-buffer.ts';
import { MsbBits, NeedMoreInput } from './codecs/msb-bits.ts';
import { UninspectableLayer, type LayerKind, type LayerLimits, type LayerOutput, type LayerStream } from './layer.ts';

/** `BZh` and the block size digit. */
const STREAM_HEADER = 4;
/** The stream header and the first block's or the end's 48-bit magic: what a stream is recognised by. */
const RECOGNISED_BYTES = STREAM_HEADER + 6;

const magicAt = (b: Uint8Array, at: number, magic: number): boolean => {
  for (let i = 0; i < 6; i++) if (b[at + i] !== Math.floor(magic / 2 ** (40 - 8 * i)) % 256) return false;
  return true;
};

const isStreamHeader = (b: Uint8Array, at: number, end: number): boolean =>
  at + RECOGNISED_BYTES <= end &&
  b[at] === 0x42 &&
  b[at + 1] === 0x5a &&
  b[at + 2] === 0x68 &&
  b[at + 3]! >= 0x31 &&
  b[at + 3]! <= 0x39 &&
  (magicAt(b, at + STREAM_HEADER, BLOCK_MAGIC) || magicAt(b, at + STREAM_HEADER, END_MAGIC));

/** The most compressed bytes a block can take: 20 bits per symbol, plus selectors and tables. */
const maxCompressedBlock = (maxBlock: number): number => Math.ceil(maxBlock * 2.5) + 64 * 1024;

/**
 * A bzip2 file: every stream in turn (`bzip2` writes several when files
 * are concatenated), each block decoded whole (a block is at most 900 kB)
 * and handed on in pieces. Blocks are not byte-aligned and carry no length,
 * so a block is decoded once enough input has arrived: the attempt that
 * runs out of input is repeated when the input has doubled.
 */
class Bzip2Stream implements LayerStream {
  endedAt = -1;
  private readonly input = new InputBuffer();
  private state: 'header' | 'blocks' = 'header';
  private streams = 0;
  /** Bits of `input` already decoded (blocks end anywhere in a byte). */
  private bitOffset = 0;
  /** Input length below which a block that ran out of input is not tried again. */
  private retryAt = 0;
  private decoder: Bzip2BlockDecoder | null = null;
  private maxBlock = 0;
  private combinedCrc = 0;
  private stopped = false;

  constructor(
    private readonly output: LayerOutput,
    private readonly limits: LayerLimits,
  ) {}

  write(chunk: Uint8Array): void {
    if (this.endedAt >= 0 || this.stopped) return;
    this.input.append(chunk);
    this.advance(false);
  }

  finish(): void {
    if (this.endedAt >= 0 || this.stopped) return;
    this.advance(true);
    if (this.state === 'blocks' && !this.stopped) throw new UninspectableLayer('the bzip2 data is truncated');
  }

  private advance(final: boolean): void {
    while (this.endedAt < 0 && !this.stopped) {
      if (this.state === 'blocks') {
        if (!this.block(final)) return;
        continue;
      }
      const { input } = this;
      if (input.length === 0 || (input.length < RECOGNISED_BYTES && !final)) return;
      // after the last stream: bytes that are not another stream end the bzip2 data
      if (!isStreamHeader(input.bytes, 0, input.length)) {
        // only where bzip2 is declared (a ZIP entry's method) can the first bytes be something else
        if (this.streams === 0) throw new UninspectableLayer('data declared as bzip2 does not start with a bzip2 stream header');
        this.endedAt = input.base;
        return;
      }
      this.openStream(input.bytes[3]! - 0x30);
      input.drop(STREAM_HEADER);
    }
  }

  private openStream(level: number): void {
    const maxBlock = level * 100_000;
    const memory = maxBlock * 4 + maxCompressedBlock(maxBlock);
    if (memory > this.limits.maxMemoryBytes)
      throw new UninspectableLayer(
        `bzip2 blocks of ${maxBlock} bytes need ${memory} bytes to decode, more than the ${this.limits.maxMemoryBytes} one layer may hold`,
      );
    if (this.maxBlock !== maxBlock) this.decoder = new Bzip2BlockDecoder(maxBlock);
    this.maxBlock = maxBlock;
    this.streams++;
    this.state = 'blocks';
    this.combinedCrc = 0;
    this.bitOffset = 0;
    this.retryAt = 0;
  }

  /** Decodes the next block, or the end of the stream; false when it must wait for more input. */
  private block(final: boolean): boolean {
    const { input } = this;
    if (!final && input.length < this.retryAt) return false;
    const bits = new MsbBits(input.bytes, input.length, this.bitOffset);
    try {
      const magic = bits.read(24) * 2 ** 24 + bits.read(24);
      if (magic === END_MAGIC) {
        const stored = ((bits.read(16) << 16) | bits.read(16)) >>> 0;
        if (stored !== this.combinedCrc) throw new CorruptData('the bzip2 stream CRC does not match its blocks');
        input.drop(Math.ceil(bits.position / 8));
        this.bitOffset = 0;
        this.state = 'header';
        return true;
      }
      if (magic !== BLOCK_MAGIC) throw new CorruptData('a bzip2 block does not start with its magic');
      const { stored, computed, stopped } = this.decoder!.decode(bits, (bytes) => this.output.data(bytes) !== false);
      if (stopped) {
        this.stopped = true;
        return false;
      }
      if (stored !== computed) throw new CorruptData('a bzip2 block does not match its CRC');
      this.combinedCrc = (((this.combinedCrc << 1) | (this.combinedCrc >>> 31)) ^ stored) >>> 0;
      input.drop(bits.position >>> 3);
      this.bitOffset = bits.position & 7;
      this.retryAt = 0;
      return true;
    } catch (error) {
      // once a stream header and a block magic were read, data that does not decode is refused, never taken for other bytes
      if (error instanceof CorruptData || error instanceof UnsupportedData) throw new UninspectableLayer(error.message);
      if (!(error instanceof NeedMoreInput)) throw error;
      if (final) throw new UninspectableLayer('the bzip2 data is truncated');
      if (input.length > maxCompressedBlock(this.maxBlock)) throw new UninspectableLayer('a bzip2 block is longer than any valid one');
      this.retryAt = input.length * 2;
      return false;
    }
  }
}

export const BZIP2: LayerKind = {
  name: 'bzip2',
  where: 'anywhere',
  first: [0x42],
  second: [0x5a],
  recognise: isStreamHeader,
  open: (output, limits) => new Bzip2Stream(output, limits),
};

/** A bzip2 stream where it is declared (a ZIP entry's method 12). */
export const bzip2 = (output: LayerOutput, limits: LayerLimits): LayerStream => new Bzip2Stream(output, limits);

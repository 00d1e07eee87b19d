import { CorruptData, UnsupportedData } from './codecs/corrupt.ts';
import { Gather } from './codecs/gather.ts';
import { Lzma2Decoder } from './codecs/lzma2.ts';
import { checkOf, type Check } from './codecs/xz-checks.ts';
import { type BlockHeader, blockHeader, CHECK_BYTES, isStreamHeader, MAGIC, STREAM_FOOTER, STREAM_HEADER } from './codecs/xz-headers.ts';
import { UninspectableLayer, type LayerKind, type LayerLimits, type LayerOutput, type LayerStream } from './layer.ts';

/** Runs `work`, turning data found corrupt, or that is not decoded here, into a refusal. */
function refuseCorrupt(work: () => void): void {
  try {
    work();
  } catch (error) {
    throw error instanceof CorruptData || error instanceof UnsupportedData ? new UninspectableLayer(error.message) : error;
  }
}

type State = 'stream-header' | 'block-start' | 'block-header' | 'block-data' | 'block-padding' | 'check' | 'index' | 'index-end' | 'footer' | 'between';

/**
 * An xz file: every stream in turn with the stream padding between them,
 * every block's LZMA2 data decoded (the one filter xz uses unless asked
 * otherwise), and where the last stream ended. Headers are checked against
 * their CRC32 and each block's bytes against its check (CRC32, CRC64 or
 * SHA-256); the index is read through (it only repeats the blocks' sizes).
 * Data that does not decode once recognised is refused, never taken for
 * other bytes.
 */
class XzStream implements LayerStream {
  endedAt = -1;
  private state: State = 'stream-header';
  private readonly gather = new Gather();
  private offset = 0;
  private streams = 0;
  private checkType = 0;
  private check: Check | null = null;
  private block: Lzma2Decoder | null = null;
  private blockHeader: BlockHeader | null = null;
  /** Input and output bytes of the block being decoded. */
  private blockBytes = 0;
  private blockOutput = 0;
  /** Input offset where the stream header being read started. */
  private headerStart = 0;
  private zeros = 0;
  /** The index as it is read: its length so far, the number being read, and how many numbers remain (-1 before the count). */
  private indexLength = 0;
  private number = 0;
  private shift = 0;
  private numbersLeft = -1;

  constructor(
    private readonly output: LayerOutput,
    private readonly limits: LayerLimits,
  ) {
    this.gather.start(STREAM_HEADER);
  }

  write(chunk: Uint8Array): void {
    let i = 0;
    refuseCorrupt(() => {
      while (i < chunk.length && this.endedAt < 0 && !this.block?.stopped) i = this.step(chunk, i);
    });
    this.offset += chunk.length;
  }

  finish(): void {
    if (this.endedAt >= 0 || this.block?.stopped) return;
    // after the last stream: padding that is not a whole group of four, or the start of a header that is not one, is not xz data
    if (this.state === 'between') {
      if (this.zeros % 4 !== 0) this.endedAt = this.offset - (this.zeros % 4);
      return;
    }
    if (this.state === 'stream-header' && this.streams > 0) {
      this.endedAt = this.headerStart;
      return;
    }
    throw new UninspectableLayer('the xz data is truncated');
  }

  /** Handles input from `chunk[i]` in the current state; returns the index reached. */
  private step(chunk: Uint8Array, i: number): number {
    switch (this.state) {
      case 'between':
        return this.between(chunk, i);
      case 'block-data': {
        const block = this.block!;
        const next = block.write(chunk, i);
        this.blockBytes += next - i;
        if (block.ended) this.endBlock();
        return next;
      }
      case 'block-start': {
        const size = chunk[i]!;
        if (size === 0) {
          this.state = 'index';
          this.indexLength = 1;
          this.numbersLeft = -1;
        } else {
          this.enter('block-header', (size + 1) * 4);
          this.gather.take(Uint8Array.of(size), 0);
        }
        return i + 1;
      }
      case 'index':
        this.indexByte(chunk[i]!);
        return i + 1;
      default: {
        const next = this.gather.take(chunk, i);
        if (this.gather.complete) this.gathered(this.gather.bytes);
        return next;
      }
    }
  }

  private enter(state: State, bytes = 0): void {
    this.state = state;
    this.gather.start(bytes);
    if (bytes === 0 && state !== 'block-data') this.gathered(new Uint8Array(0));
  }

  private gathered(bytes: Uint8Array): void {
    switch (this.state) {
      case 'stream-header':
        if (!isStreamHeader(bytes, 0, bytes.length)) {
          if (this.streams === 0) throw new Error('not an xz stream header');
          this.endedAt = this.headerStart;
          return;
        }
        this.streams++;
        this.checkType = bytes[7]!;
        return this.enter('block-start');
      case 'block-header':
        return this.openBlock(blockHeader(bytes));
      case 'block-padding':
        if (bytes.some((byte) => byte !== 0)) throw new CorruptData('xz block padding is not zero');
        return this.enter('check', CHECK_BYTES[this.checkType]!);
      case 'check':
        if (this.check?.digest().some((byte, i) => byte !== bytes[i])) throw new CorruptData('an xz block does not match its check');
        return this.enter('block-start');
      case 'index-end':
        if (bytes.subarray(0, bytes.length - 4).some((byte) => byte !== 0)) throw new CorruptData('xz index padding is not zero');
        return this.enter('footer', STREAM_FOOTER);
      case 'footer':
        if (bytes[10] !== 0x59 || bytes[11] !== 0x5a) throw new CorruptData('the xz stream footer has no magic');
        this.state = 'between';
        this.zeros = 0;
        return;
      default:
        return;
    }
  }

  private openBlock(header: BlockHeader): void {
    // a block that declares its size needs no more window than that
    const memory = Math.max(4096, Math.min(header.dictionarySize, header.uncompressedSize ?? Infinity));
    if (memory > this.limits.maxMemoryBytes)
      throw new UninspectableLayer(`an xz block asks for a ${memory}-byte dictionary, more than the ${this.limits.maxMemoryBytes} bytes one layer may hold`);
    const check = checkOf(this.checkType);
    this.check = check;
    this.blockHeader = header;
    this.blockOutput = 0;
    this.block = new Lzma2Decoder(memory, (bytes) => {
      this.blockOutput += bytes.length;
      // the window was sized by the declared size: more output than that is not this block's
      if (this.blockOutput > (header.uncompressedSize ?? Infinity)) throw new CorruptData('an xz block decodes to more than its header declares');
      check?.update(bytes);
      return this.output.data(bytes) !== false;
    });
    this.blockBytes = 0;
    this.state = 'block-data';
  }

  /** The block's data has ended: it must have the sizes its header declares. */
  private endBlock(): void {
    const { compressedSize, uncompressedSize } = this.blockHeader!;
    if ((compressedSize ?? this.blockBytes) !== this.blockBytes || (uncompressedSize ?? this.blockOutput) !== this.blockOutput)
      throw new CorruptData('an xz block does not have the sizes its header declares');
    this.enter('block-padding', (4 - (this.blockBytes % 4)) % 4);
  }

  /** One more byte of the index: the number of records, two numbers per record; then zero padding to four bytes and a CRC32. */
  private indexByte(byte: number): void {
    this.indexLength++;
    this.number += (byte & 0x7f) * 2 ** this.shift;
    this.shift += 7;
    if (byte & 0x80) {
      if (this.shift >= 63) throw new CorruptData('the xz index has an invalid number');
      return;
    }
    this.numbersLeft = this.numbersLeft < 0 ? this.number * 2 : this.numbersLeft - 1;
    this.number = 0;
    this.shift = 0;
    if (this.numbersLeft === 0) this.enter('index-end', ((4 - (this.indexLength % 4)) % 4) + 4);
  }

  /** After a stream: zero padding in groups of four, then another stream or the end of the xz data. */
  private between(chunk: Uint8Array, i: number): number {
    for (; i < chunk.length && chunk[i] === 0; i++) this.zeros++;
    if (i === chunk.length) return i;
    if (this.zeros % 4 !== 0 || chunk[i] !== MAGIC[0]) {
      this.endedAt = this.offset + i - (this.zeros % 4);
      return i;
    }
    this.headerStart = this.offset + i;
    this.enter('stream-header', STREAM_HEADER);
    return i;
  }
}

export const XZ: LayerKind = {
  name: 'xz',
  where: 'anywhere',
  first: [MAGIC[0]!],
  second: [MAGIC[1]!],
  recognise: isStreamHeader,
  open: (output, limits) => new XzStream(output, limits),
};

import { u32le } from '../bytes.ts';
import { CorruptData } from './codecs/corrupt.ts';
import { Gather } from './codecs/gather.ts';
import { lzma2DictionarySize, Lzma2Decoder } from './codecs/lzma2.ts';
import { checkOf, crc32Of, type Check } from './codecs/xz-checks.ts';
import { UninspectableLayer, type LayerKind, type LayerLimits, type LayerOutput, type LayerStream } from './layer.ts';

const MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const STREAM_HEADER = 12;
const STREAM_FOOTER = 12;
const LZMA2_FILTER = 0x21;
/** Bytes of the integrity check for each check type (xz file format 2.1.1.2). */
const CHECK_BYTES = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];

/** The stream header's magic, its flags (a check type, nothing reserved) and the CRC32 of the flags. */
const isStreamHeader = (b: Uint8Array, at: number, end: number): boolean =>
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

interface BlockHeader {
  dictionarySize: number;
  /** The sizes the header declares, if it does (multi-threaded xz writes them): the block must decode to them. */
  compressedSize: number | undefined;
  uncompressedSize: number | undefined;
}

/** A block header (its size byte included): flags, optional sizes, filter flags, padding, CRC32. */
function blockHeader(h: Uint8Array): BlockHeader {
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
      throw new UninspectableLayer(`xz filter 0x${id.value.toString(16)} is not decoded here (only LZMA2 alone is)`);
    dictionarySize = lzma2DictionarySize(h[at - 1]!);
  }
  if (dictionarySize === null) throw new CorruptData('an xz block has an invalid LZMA2 dictionary size');
  for (; at < size - 4; at++) if (h[at] !== 0) throw new CorruptData('an xz block header has non-zero padding');
  return { dictionarySize, compressedSize, uncompressedSize };
}

/** Runs `work`, turning data found corrupt into a refusal. */
function refuseCorrupt(work: () => void): void {
  try {
    work();
  } catch (error) {
    throw error instanceof CorruptData ? new UninspectableLayer(error.message) : error;
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
  recognise: isStreamHeader,
  open: (output, limits) => new XzStream(output, limits),
};

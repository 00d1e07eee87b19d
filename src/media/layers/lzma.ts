import { u32le } from '../bytes.ts';
import { CorruptData } from './codecs/corrupt.ts';
import { Gather } from './codecs/gather.ts';
import { InputBuffer } from './codecs/input-buffer.ts';
import { LzWindow } from './codecs/lz-window.ts';
import { LzmaDecoder, lzmaProperties, type LzmaProperties } from './codecs/lzma.ts';
import { UninspectableLayer, type LayerKind, type LayerLimits, type LayerOutput, type LayerStream } from './layer.ts';

/** What an LZMA header declares: the coder's properties, its dictionary, the decoded size if known, and whether an end marker follows. */
interface LzmaHeader {
  readonly properties: LzmaProperties;
  readonly dictionarySize: number;
  readonly size: number | undefined;
  readonly endMarker: 'required' | 'optional';
}

/** The `.lzma` (LZMA_Alone) header: properties, dictionary size, an 8-byte size (all ones: unknown, ended by a marker). */
const ALONE_HEADER = 13;
/** A ZIP entry's LZMA header (APPNOTE 5.8.8): version, properties size 5, then the properties and dictionary size. */
const ZIP_HEADER = 9;

function aloneHeader(b: Uint8Array): LzmaHeader | null {
  const properties = lzmaProperties(b[0]!);
  if (!properties) return null;
  const unknown = b.subarray(5, 13).every((byte) => byte === 0xff);
  const size = unknown ? undefined : u32le(b, 5) + u32le(b, 9) * 2 ** 32;
  return { properties, dictionarySize: u32le(b, 1), size, endMarker: unknown ? 'required' : 'optional' };
}

/** A dictionary size xz or 7-Zip writes: 2^n or 3 * 2^n, from 4 KiB to 1.5 GiB. */
function isUsualDictionary(size: number): boolean {
  for (let power = 12; power <= 30; power++) if (size === 2 ** power || size === 3 * 2 ** (power - 1)) return true;
  return false;
}

/**
 * An `.lzma` file where content starts, told as xz's own format detection
 * tells it: valid properties, a usual dictionary size, a size that is
 * unknown or below 2^38; and the range coder's first byte, always 0. Weak
 * magic, so where content starts only.
 */
function isAloneFile(b: Uint8Array, at: number, end: number): boolean {
  if (at + ALONE_HEADER + 1 > end || b[at + ALONE_HEADER] !== 0) return false;
  const header = aloneHeader(b.subarray(at, at + ALONE_HEADER));
  if (!header || !isUsualDictionary(header.dictionarySize)) return false;
  return header.size === undefined || header.size < 2 ** 38;
}

/**
 * Raw LZMA data after its header, decoded as it arrives: symbols are decoded
 * while at least SYMBOL_INPUT_BYTES of input are waiting (all of it once
 * the input has ended), up to the declared size or the end marker.
 */
class LzmaStream implements LayerStream {
  endedAt = -1;
  private readonly gather = new Gather();
  private readonly input = new InputBuffer();
  private header: LzmaHeader | null = null;
  private decoder: LzmaDecoder | null = null;
  private window: LzWindow | null = null;
  private left = Infinity;
  private rangeStarted = false;

  constructor(
    private readonly output: LayerOutput,
    private readonly limits: LayerLimits,
    private readonly headerBytes: number,
    private readonly readHeader: (b: Uint8Array) => LzmaHeader,
  ) {
    this.gather.start(headerBytes);
  }

  write(chunk: Uint8Array): void {
    if (this.endedAt >= 0 || this.window?.stopped) return;
    let at = 0;
    if (!this.header) {
      at = this.gather.take(chunk, 0);
      if (!this.gather.complete) return;
      this.open(this.readHeader(this.gather.bytes));
    }
    this.input.append(chunk.subarray(at));
    this.decode(false);
  }

  finish(): void {
    if (this.endedAt >= 0 || this.window?.stopped) return;
    if (!this.header) throw new UninspectableLayer('the LZMA data is truncated');
    this.decode(true);
    if (this.endedAt < 0 && !this.window!.stopped) throw new UninspectableLayer('the LZMA data is truncated');
  }

  private open(header: LzmaHeader): void {
    this.header = header;
    const memory = Math.max(4096, Math.min(header.dictionarySize, header.size ?? Infinity));
    if (memory > this.limits.maxMemoryBytes)
      throw new UninspectableLayer(`LZMA data asks for a ${memory}-byte dictionary, more than the ${this.limits.maxMemoryBytes} bytes one layer may hold`);
    this.window = new LzWindow(memory, (bytes) => this.output.data(bytes) !== false);
    this.decoder = new LzmaDecoder(this.window);
    this.decoder.reset(header.properties);
    this.left = header.size ?? Infinity;
    this.input.base = this.headerBytes;
  }

  private decode(whole: boolean): void {
    const { input, decoder, header } = this;
    try {
      if (!this.rangeStarted) {
        if (input.length < 5) {
          if (whole) throw new CorruptData('the LZMA data is truncated');
          return;
        }
        decoder!.startRange(input.bytes, 0);
        input.drop(5);
        this.rangeStarted = true;
      }
      const before = this.window!.total;
      let status = this.left > 0 ? decoder!.decode(input.bytes, 0, input.length, this.left, whole) : 'limit';
      this.left -= this.window!.total - before;
      // the declared size is reached: the data ends there, or with an end marker right after
      if (status === 'limit' && this.left === 0 && !(header!.endMarker === 'optional' && decoder!.finishedRange)) {
        status = decoder!.endMarker(input.bytes, decoder!.position, input.length, whole);
      }
      this.window!.flush();
      const used = decoder!.position;
      if (status === 'limit' || status === 'end-marker') this.endedAt = input.base + used;
      input.drop(used);
    } catch (error) {
      throw error instanceof CorruptData ? new UninspectableLayer(error.message) : error;
    }
  }
}

export const LZMA_ALONE: LayerKind = {
  name: 'lzma',
  where: 'start',
  first: Array.from({ length: 225 }, (_, byte) => byte),
  recognise: isAloneFile,
  open: (output, limits) =>
    new LzmaStream(output, limits, ALONE_HEADER, (b) => {
      const header = aloneHeader(b);
      if (!header) throw new Error('not an LZMA header');
      return header;
    }),
};

/** A ZIP entry's LZMA data (method 14): its size from the local header when known, and whether an end marker is written (flag bit 1). */
export const zipLzma =
  (size: number | undefined, endMarker: boolean) =>
  (output: LayerOutput, limits: LayerLimits): LayerStream =>
    new LzmaStream(output, limits, ZIP_HEADER, (b) => {
      const properties = lzmaProperties(b[4]!);
      if (b[2] !== 5 || b[3] !== 0 || !properties) throw new UninspectableLayer('a ZIP entry has an invalid LZMA header');
      if (!endMarker && size === undefined) throw new UninspectableLayer('a ZIP entry has LZMA data with neither a size nor an end marker');
      return { properties, dictionarySize: u32le(b, 5), size, endMarker: endMarker ? 'required' : 'optional' };
    });

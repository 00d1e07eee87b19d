import { CorruptData } from './corrupt.ts';
import { Gather } from './gather.ts';
import { LzWindow } from './lz-window.ts';
import { LzmaDecoder, lzmaProperties, type LzmaProperties } from './lzma.ts';

/** The dictionary size an LZMA2 properties byte declares, or null when the byte is not valid. */
export function lzma2DictionarySize(byte: number): number | null {
  if (byte > 40) return null;
  if (byte === 40) return 0xffffffff;
  return (2 | (byte & 1)) * 2 ** ((byte >>> 1) + 11);
}

/**
 * LZMA2 data (as in an xz block): chunks of at most 64 KiB of input, each
 * either stored or LZMA-coded with its sizes in its header, so each chunk
 * is collected whole and then decoded; a 0 byte ends the data.
 */
export class Lzma2Decoder {
  ended = false;
  private readonly window: LzWindow;
  private readonly lzma: LzmaDecoder;
  private readonly gather = new Gather();
  private phase: 'control' | 'header' | 'payload' = 'control';
  private control = 0;
  private unpackedSize = 0;
  private properties: LzmaProperties | null = null;
  private dictionaryReady = false;

  constructor(dictionarySize: number, emit: (bytes: Uint8Array) => boolean) {
    this.window = new LzWindow(dictionarySize, emit);
    this.lzma = new LzmaDecoder(this.window);
  }

  /** Whether the output was refused (the inspection stopped). */
  get stopped(): boolean {
    return this.window.stopped;
  }

  /** Takes bytes from `chunk[at...]`; returns the index after the last one taken (the end of the data, or of the chunk). */
  write(chunk: Uint8Array, at: number): number {
    while (at < chunk.length && !this.ended && !this.window.stopped) {
      if (this.phase === 'control') {
        this.control = chunk[at++]!;
        if (this.control === 0) {
          this.ended = true;
          break;
        }
        if (this.control > 2 && this.control < 0x80) throw new CorruptData(`an LZMA2 chunk has an invalid control byte ${this.control}`);
        this.phase = 'header';
        this.gather.start(this.control <= 2 ? 2 : this.control >= 0xc0 ? 5 : 4);
        continue;
      }
      at = this.gather.take(chunk, at);
      if (!this.gather.complete) break;
      if (this.phase === 'header') this.readHeader(this.gather.bytes);
      else this.decodeChunk(this.gather.bytes);
    }
    return at;
  }

  private readHeader(header: Uint8Array): void {
    const control = this.control;
    if (control <= 2) {
      this.unpackedSize = ((header[0]! << 8) | header[1]!) + 1;
      this.startPayload(this.unpackedSize, control === 1);
      return;
    }
    this.unpackedSize = (control & 0x1f) * 65536 + ((header[0]! << 8) | header[1]!) + 1;
    const reset = (control >>> 5) & 3;
    if (reset >= 2) {
      const properties = lzmaProperties(header[4]!);
      if (!properties || properties.literalContext + properties.literalPosition > 4) throw new CorruptData('an LZMA2 chunk has invalid properties');
      this.properties = properties;
    }
    if (!this.properties) throw new CorruptData('an LZMA2 chunk has no properties');
    if (reset >= 1) this.lzma.reset(this.properties);
    this.startPayload(((header[2]! << 8) | header[3]!) + 1, reset === 3);
  }

  private startPayload(size: number, resetsDictionary: boolean): void {
    if (resetsDictionary) {
      this.window.reset();
      this.dictionaryReady = true;
    }
    if (!this.dictionaryReady) throw new CorruptData('the first LZMA2 chunk does not reset the dictionary');
    this.phase = 'payload';
    this.gather.start(size);
  }

  private decodeChunk(payload: Uint8Array): void {
    this.phase = 'control';
    if (this.control <= 2) this.window.append(payload);
    else {
      if (payload.length < 5) throw new CorruptData('an LZMA2 chunk is too short');
      this.lzma.startRange(payload, 0);
      const status = this.lzma.decode(payload, 5, payload.length, this.unpackedSize, true);
      if (status === 'stopped') return;
      if (status !== 'limit' || this.lzma.position !== payload.length || !this.lzma.finishedRange)
        throw new CorruptData('an LZMA2 chunk does not decode to its declared sizes');
    }
    this.window.flush();
  }
}

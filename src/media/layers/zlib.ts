import { Inflater } from './inflate.ts';
import type { LayerKind, LayerOutput, LayerStream } from './layer.ts';

/** A zlib header (RFC 1950): deflate, a window of at most 32 KiB, a valid check, no preset dictionary. */
const isZlibHeader = (b: Uint8Array, at: number, end: number): boolean =>
  at + 2 <= end && (b[at]! & 0x0f) === 8 && b[at]! >> 4 <= 7 && ((b[at]! << 8) | b[at + 1]!) % 31 === 0 && (b[at + 1]! & 0x20) === 0;

class ZlibStream implements LayerStream {
  private readonly inflater: Inflater;

  constructor(output: LayerOutput) {
    this.inflater = new Inflater('zlib', (bytes) => output.data(bytes));
  }

  get endedAt(): number {
    return this.inflater.endedAt;
  }

  write(chunk: Uint8Array): void {
    this.inflater.write(chunk);
  }

  finish(): void {
    this.inflater.finish();
  }
}

/** zlib: two header bytes only, so recognised where content starts, never at any offset. */
export const ZLIB: LayerKind = {
  name: 'zlib',
  where: 'start',
  first: [0x08, 0x18, 0x28, 0x38, 0x48, 0x58, 0x68, 0x78],
  recognise: isZlibHeader,
  open: (output) => new ZlibStream(output),
};

/** Raw DEFLATE has no header at all: only ever opened where it is declared (a ZIP entry's method 8). */
export const rawDeflate = (output: LayerOutput): LayerStream => new Inflater('raw', (bytes) => output.data(bytes));

import type { InspectionContext } from './context.ts';

/** Where bytes go: a scanner, or a decoder in front of one. */
export interface ByteSink {
  push(chunk: Uint8Array): void;
  /** Resolves once what was pushed has been taken in, so that memory stays bounded. */
  drain(): Promise<void>;
  end(): void;
}

/** A decompressor as Web streams expose one (DecompressionStream, or an injected pair). */
export interface DecoderPair {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

export type DecoderFactory = () => DecoderPair;

/** `gzip`, `deflate` (zlib) or `deflate-raw` as the runtime's DecompressionStream provides them. */
export const decompression =
  (format: 'gzip' | 'deflate' | 'deflate-raw'): DecoderFactory =>
  () =>
    new DecompressionStream(format);

/**
 * Node before 24 has a brotli DecompressionStream that ignores bytes after the
 * end of the compressed data (measured on 22.23): a body could carry anything
 * there unseen. Only a runtime whose decoder refuses them may judge `br`.
 */
function decoderIgnoresTrailingBytes(format: string): boolean {
  const node = /^Node\.js\/(\d+)/.exec(globalThis.navigator?.userAgent ?? '');
  return format === 'brotli' && node !== null && Number(node[1]) < 24;
}

/** A format the runtime's DecompressionStream may or may not know (`brotli`: workerd does not), or undefined; also undefined where it cannot be trusted to its last byte. */
export function runtimeDecompression(format: string): DecoderFactory | undefined {
  if (decoderIgnoresTrailingBytes(format)) return undefined;
  const construct = (): DecoderPair => new (DecompressionStream as unknown as new (format: string) => DecoderPair)(format);
  try {
    construct();
    return construct;
  } catch {
    return undefined;
  }
}

/**
 * Runs bytes through a decompressor and pushes what comes out into `output`,
 * counting it against the budgets. When the input turns out not to be valid
 * compressed data, `corrupt` decides what that means (refuse, or just stop),
 * and whatever was decoded until then is still scanned.
 */
export class Decoder implements ByteSink {
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private pending: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    pair: DecoderPair,
    private readonly context: InspectionContext,
    private readonly output: ByteSink,
    private readonly corrupt: (error: unknown) => void,
  ) {
    this.writer = pair.writable.getWriter();
    this.reader = pair.readable.getReader();
    context.track(this.pump(), () => this.stop());
  }

  push(chunk: Uint8Array): void {
    if (this.stopped) return;
    const copy = chunk.slice();
    this.pending = this.pending.then(() => this.writer.write(copy)).catch(() => undefined);
  }

  drain(): Promise<void> {
    return this.pending;
  }

  end(): void {
    if (this.stopped) return;
    this.pending = this.pending.then(() => this.writer.close()).catch(() => undefined);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.writer.abort().catch(() => undefined);
    this.reader.cancel().catch(() => undefined);
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await this.reader.read();
        if (done) break;
        if (this.stopped) return;
        if (!this.context.decoded(value.length)) return this.stop();
        this.output.push(value);
        await this.output.drain();
      }
    } catch (error) {
      if (this.stopped) return;
      this.stop();
      this.corrupt(error);
    }
    this.output.end();
  }
}

import { uninspectable, type InspectionContext } from '../context.ts';
import type { ByteSink } from '../decoder.ts';
import { UninspectableLayer, type LayerOutput, type LayerStream } from './layer.ts';

export interface LayerHandlers {
  /** A sink for a side field's content (a gzip header field), or null when none may be opened (the depth budget). */
  field(name: string): ByteSink | null;
  /** The layer's data ended at input offset `at` and more bytes follow. */
  trailing(at: number): void;
  /** The input was not valid data of the layer. */
  corrupt(error: Error): void;
}

/** Stands in for a decoder that could not be opened. */
const ENDED: LayerStream = { endedAt: 0, write: () => undefined, finish: () => undefined };

/**
 * Feeds a layer's decoder synchronously and its output into `output` (a
 * scanner), counting every decoded byte against the body's budgets.
 */
export class LayerSink implements ByteSink {
  private stream: LayerStream;
  private received = 0;
  private done = false;

  constructor(
    open: (output: LayerOutput) => LayerStream,
    private readonly context: InspectionContext,
    private readonly output: ByteSink,
    private readonly handlers: LayerHandlers,
  ) {
    const layerOutput: LayerOutput = {
      data: (bytes) => {
        if (this.done || context.failure || !context.decoded(bytes.length)) return false;
        output.push(bytes);
        return !context.failure;
      },
      field: (name, bytes) => {
        const sink = this.done ? null : handlers.field(name);
        if (!sink || !context.decoded(bytes.length)) return;
        sink.push(bytes);
        sink.end();
      },
    };
    this.stream = ENDED;
    this.attempt(() => (this.stream = open(layerOutput)));
  }

  push(chunk: Uint8Array): void {
    if (this.done || this.context.failure) return;
    if (this.stream.endedAt < 0) this.attempt(() => this.stream.write(chunk));
    this.received += chunk.length;
    const endedAt = this.stream.endedAt;
    if (!this.done && endedAt >= 0 && endedAt < this.received) {
      this.done = true;
      this.handlers.trailing(endedAt);
    }
  }

  drain(): Promise<void> {
    return this.output.drain();
  }

  end(): void {
    if (!this.done && !this.context.failure && this.stream.endedAt < 0) {
      this.attempt(() => this.stream.finish());
      // a decoder may only know at the end that the last bytes were not its own
      const endedAt = this.stream.endedAt;
      if (!this.done && endedAt >= 0 && endedAt < this.received) this.handlers.trailing(endedAt);
    }
    this.done = true;
    this.output.end();
  }

  private attempt(work: () => void): void {
    try {
      work();
    } catch (error) {
      // a scanner's STOP (not an Error) passes through to the round that threw it
      if (!(error instanceof Error)) throw error;
      this.done = true;
      if (error instanceof UninspectableLayer) this.context.fail(uninspectable(error.message));
      else this.handlers.corrupt(error);
    }
  }
}

import { Refusal } from '../policy/refusal.ts';
import { isMediaRefusal } from './finding.ts';

/** Limits on the work one body may cause; running out refuses the write (fail closed). */
export interface InspectionBudgets {
  /** Bytes produced by all decompression (Content-Encoding, ZIP entries, packed strings) together. */
  maxDecodedBytes: number;
  /** Decoded bytes per byte received, checked once `ratioGraceBytes` have been decoded. */
  maxExpansionRatio: number;
  ratioGraceBytes: number;
  /** Layers inside each other: each Content-Encoding, compressed stream, archive entry, decoded base64 or hex run, packed string is one. */
  maxDepth: number;
  /** The most memory one layer's decoder may hold (a zstd window, a bzip2 block); a stream that needs more is not inspected. */
  maxLayerMemoryBytes: number;
}

/** The policy's `limits` keys that set inspection budgets (src/policy/schema.ts). */
export interface InspectionLimits {
  readonly maxInspectionDepth?: number | undefined;
  readonly maxExpansionRatio?: number | undefined;
  readonly maxExpandedBytes?: number | undefined;
}

export const DEFAULT_BUDGETS: Readonly<InspectionBudgets> = {
  maxDecodedBytes: 1024 * 1024 * 1024,
  maxExpansionRatio: 200,
  ratioGraceBytes: 4 * 1024 * 1024,
  maxDepth: 8,
  maxLayerMemoryBytes: 16 * 1024 * 1024,
};

/** The budgets a policy's `limits` set, for `createInspection({ budgets })`. */
export function budgetsFromLimits(limits: InspectionLimits): Partial<InspectionBudgets> {
  return {
    ...(limits.maxInspectionDepth !== undefined && { maxDepth: limits.maxInspectionDepth }),
    ...(limits.maxExpansionRatio !== undefined && { maxExpansionRatio: limits.maxExpansionRatio }),
    ...(limits.maxExpandedBytes !== undefined && { maxDecodedBytes: limits.maxExpandedBytes }),
  };
}

/** The refusal for a body that cannot be inspected to its last byte within the budgets. */
export const uninspectable = (detail: string): Refusal => new Refusal('body_uninspectable', `${detail}; it was not stored unchecked`);

/**
 * State shared by every scanner and decoder working on one body: the first
 * failure (a media finding outranks other refusals), the budgets, the
 * redaction count, and the asynchronous decoding still in flight.
 */
export class InspectionContext {
  failure: Refusal | undefined;
  redactions = 0;
  private receivedBytes = 0;
  private decodedBytes = 0;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly stops = new Set<() => void>();

  constructor(readonly budgets: Readonly<InspectionBudgets>) {}

  fail(refusal: Refusal): void {
    if (!this.failure || (isMediaRefusal(refusal) && !isMediaRefusal(this.failure))) this.failure = refusal;
  }

  received(bytes: number): void {
    this.receivedBytes += bytes;
  }

  /** Counts decompressed output against the budgets; false (and a failure) once they run out. */
  decoded(bytes: number): boolean {
    this.decodedBytes += bytes;
    const { maxDecodedBytes, maxExpansionRatio, ratioGraceBytes } = this.budgets;
    if (this.decodedBytes > maxDecodedBytes) {
      this.fail(uninspectable(`decompressing the body for inspection went past the budget of ${maxDecodedBytes} bytes`));
    } else if (this.decodedBytes > ratioGraceBytes && this.decodedBytes > maxExpansionRatio * this.receivedBytes) {
      this.fail(uninspectable(`the body decompresses more than ${maxExpansionRatio} times its size (a decompression bomb?)`));
    }
    return !this.failure;
  }

  /** Refuses nesting past the depth budget; true when `depth` is allowed. */
  allowDepth(depth: number, what: string): boolean {
    if (depth <= this.budgets.maxDepth) return true;
    this.fail(uninspectable(`${what} is nested ${depth} layers deep, more than the ${this.budgets.maxDepth} that are inspected`));
    return false;
  }

  /**
   * Keeps asynchronous work (a decoder's output loop) in view so that `settle`
   * can wait for it and `stopAll` stop it; lets go of it once done, as a body
   * may nest thousands of decoders (an rrweb recording's packed events).
   */
  track(work: Promise<unknown>, stop: () => void): void {
    const tracked = work
      .catch((error: unknown) => this.fail(asRefusal(error)))
      .finally(() => {
        this.inFlight.delete(tracked);
        this.stops.delete(stop);
      });
    this.inFlight.add(tracked);
    this.stops.add(stop);
  }

  /** Waits until no tracked work is left, including work that tracked work started. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  /** Stops every decoder: after a failure nothing more is inspected. */
  stopAll(): void {
    const stops = [...this.stops];
    this.stops.clear();
    for (const stop of stops) stop();
  }
}

function asRefusal(error: unknown): Refusal {
  if (error instanceof Refusal) return error;
  return new Refusal('internal_error', `inspection failed: ${error instanceof Error ? error.message : String(error)}`);
}

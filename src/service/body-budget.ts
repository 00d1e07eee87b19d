/**
 * A per-process budget of request body bytes held in memory at once, so that
 * concurrent uploads stay inside the container's memory limit. A streamed
 * upload holds at most what its store buffers (S3 parts in flight, Azure
 * blocks, the read-ahead), whatever the object's size; a small body holds
 * its own length. Each upload is charged that much for as long as its write
 * runs; when the budget cannot take a new one, the upload is refused at once
 * (503 with Retry-After) rather than queued with its connection held open.
 */

/** What a client is told to wait before trying a refused upload again. */
export const BUDGET_RETRY_AFTER_SECONDS = 1;

export interface BodyLease {
  /** Bytes charged against the budget. */
  readonly bytes: number;
  /** Gives the bytes back; later calls do nothing. */
  release(): void;
}

export class BodyBudget {
  #inUse = 0;

  /**
   * @param capacityBytes what all bodies of this process may hold together
   * @param perUploadBytes what one streamed upload may hold at most (its store's buffers)
   */
  constructor(
    readonly capacityBytes: number,
    readonly perUploadBytes: number,
  ) {
    if (!(capacityBytes > 0) || !(perUploadBytes > 0)) throw new RangeError('a body budget needs positive capacity and per-upload bytes');
  }

  /** Bytes held by the bodies admitted and not yet released. */
  get inUseBytes(): number {
    return this.#inUse;
  }

  /**
   * The charge for a body of `declaredLength` bytes (undefined: unknown, as
   * with chunked transfer): its length up to what one upload may hold, and
   * never more than the whole budget, so that one upload always fits when no
   * other runs.
   */
  chargeFor(declaredLength: number | undefined): number {
    const known = declaredLength !== undefined && Number.isSafeInteger(declaredLength) && declaredLength >= 0;
    return Math.min(known ? declaredLength : this.perUploadBytes, this.perUploadBytes, this.capacityBytes);
  }

  /** A lease for the body, or undefined when the budget cannot take it now. */
  tryAcquire(declaredLength: number | undefined): BodyLease | undefined {
    const bytes = this.chargeFor(declaredLength);
    if (this.#inUse + bytes > this.capacityBytes) return undefined;
    this.#inUse += bytes;
    let released = false;
    return {
      bytes,
      release: () => {
        if (released) return;
        released = true;
        this.#inUse -= bytes;
      },
    };
  }
}

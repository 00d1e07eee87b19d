/**
 * `unavailable`: the store could not be reached or did not answer in time
 * (connection refused, DNS, timeout) — HTTP 503 `store_unavailable`.
 * `failed`: the store answered with an error — HTTP 502 `store_error`.
 * `invalid`: the caller's input cannot be used (a list cursor that this store
 * never issued) — HTTP 400 `bad_request`.
 *
 * The message is safe to show to callers: it never carries credentials,
 * signed URLs or raw backend responses.
 */
export type StoreFailure = 'unavailable' | 'failed' | 'invalid';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly failure: StoreFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStoreError(error: unknown): error is StoreError {
  return error instanceof StoreError;
}

import { StoreError, type StoreFailure } from '../adapters/errors.ts';
import { Refusal, type ErrorCode } from '../policy/refusal.ts';

const STORE_FAILURES = { unavailable: 'store_unavailable', failed: 'store_error', invalid: 'bad_request' } as const satisfies Record<StoreFailure, ErrorCode>;

/** Every error a route can meet, as the refusal the caller sees. Unknown errors never leak their message. */
export function toRefusal(error: unknown): Refusal {
  if (error instanceof Refusal) return error;
  if (error instanceof StoreError) return new Refusal(STORE_FAILURES[error.failure], error.message);
  return new Refusal('internal_error', 'the gateway failed to handle the request; it has been logged');
}

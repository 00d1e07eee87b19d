import type { PutOptions } from './types.ts';

/**
 * The body handed to `put`, seen through a meter that every adapter shares:
 * it counts bytes, enforces a declared length, turns an abort of the signal
 * into an error of the stream (so the store's reader stops and nothing is
 * committed), and remembers when a failure came from the body side rather than
 * from the store, so that `put` can reject with the caller's own error (a
 * refusal found mid-stream, an aborted request) instead of a StoreError.
 *
 * The meter pulls one chunk only when the store asks for one, so it adds no
 * buffering of its own.
 */
export interface MeteredBody {
  readonly stream: ReadableStream<Uint8Array>;
  /** Bytes handed to the store so far. */
  readonly bytes: number;
  /** Set when the body failed: its own error, the abort reason, or a length mismatch. */
  readonly failure: { readonly error: unknown } | undefined;
  /** Cancels the source when the store gave up on it, whoever holds the metered stream. */
  abandon(reason: unknown): void;
}

export class BodyLengthError extends Error {
  override readonly name = 'BodyLengthError';
}

export function meterBody(source: ReadableStream<Uint8Array>, options: PutOptions = {}): MeteredBody {
  const { contentLength, signal } = options;
  const reader = source.getReader();
  let bytes = 0;
  let failure: { error: unknown } | undefined;
  let settled = false;

  let stopWatchingSignal = () => {};
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: unknown) => {
    failure ??= { error };
    if (settled) return;
    settled = true;
    stopWatchingSignal();
    reader.cancel(error).catch(() => {});
    controller.error(error);
  };

  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (!signal) return;
        if (signal.aborted) return fail(controller, signal.reason);
        const onAbort = () => fail(controller, signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        stopWatchingSignal = () => signal.removeEventListener('abort', onAbort);
      },
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (settled) return;
          if (done) {
            if (contentLength !== undefined && bytes !== contentLength) {
              throw new BodyLengthError(`body ended after ${bytes} bytes, ${contentLength} were declared`);
            }
            settled = true;
            stopWatchingSignal();
            controller.close();
            return;
          }
          bytes += value.byteLength;
          if (contentLength !== undefined && bytes > contentLength) {
            throw new BodyLengthError(`body is longer than the ${contentLength} bytes declared`);
          }
          controller.enqueue(value);
        } catch (error) {
          fail(controller, error);
        }
      },
      cancel(reason) {
        settled = true;
        stopWatchingSignal();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );

  return {
    stream,
    get bytes() {
      return bytes;
    },
    get failure() {
      return failure;
    },
    abandon(reason) {
      if (settled) return;
      settled = true;
      stopWatchingSignal();
      reader.cancel(reason).catch(() => {});
    },
  };
}

/**
 * What a failed `put` rejects with: the body's own failure when there was one,
 * the abort reason when the caller aborted, and otherwise the store's error
 * (the rest of the body is then cancelled: nobody will read it).
 */
export function putRejection(body: MeteredBody, signal: AbortSignal | undefined, storeError: () => Error): unknown {
  if (body.failure) return body.failure.error;
  if (signal?.aborted) return signal.reason;
  const error = storeError();
  body.abandon(error);
  return error;
}

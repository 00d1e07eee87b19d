import { emptyBody, readAll } from '../adapters/streams.ts';
import { Refusal } from '../policy/refusal.ts';

/** Errors the stream with `payload_too_large` as soon as more than `maxBytes` have passed. */
export function limitBytes(maxBytes: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > maxBytes) {
        controller.error(new Refusal('payload_too_large', `the body is larger than the limit of ${maxBytes} bytes`));
        return;
      }
      controller.enqueue(chunk);
    },
  });
}

export interface GuardedBody {
  stream: ReadableStream<Uint8Array>;
  /** Why the body stream failed, if it did (a refusal found mid-stream, or the client going away). */
  failure(): unknown;
}

/**
 * Passes the body through the given transforms and remembers why it failed,
 * because a store that sees its input error reports its own error, and the
 * caller must hear the refusal (415, 413), not "store error".
 */
export function guardBody(body: ReadableStream<Uint8Array>, transforms: TransformStream<Uint8Array, Uint8Array>[]): GuardedBody {
  let failure: unknown;
  const reader = transforms.reduce((stream, transform) => stream.pipeThrough(transform), body).getReader();
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          failure = error;
          controller.error(error);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, failure: () => failure };
}

/** Reads a small body (such as a JSON request) whole, refusing it once it passes `maxBytes`. */
export function readSmallBody(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  return readAll((body ?? emptyBody()).pipeThrough(limitBytes(maxBytes)));
}

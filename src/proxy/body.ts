import { readAll } from '../adapters/streams.ts';
import type { Context } from 'hono';
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

/** What `nodeRequestBody` needs of a node:http IncomingMessage (typed here so this module stays free of Node imports). */
interface NodeRequest {
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** Bytes of the request body read ahead of the store while it is busy. */
const NODE_READ_AHEAD_BYTES = 256 * 1024;

function isNodeRequest(value: unknown): value is NodeRequest {
  const candidate = value as Partial<NodeRequest> | null | undefined;
  return typeof candidate?.on === 'function' && typeof candidate.pause === 'function' && typeof candidate.resume === 'function';
}

/**
 * The request body, refused with `payload_too_large` past `maxBytes`. On Node,
 * @hono/node-server passes the raw request as the `incoming` binding; reading
 * it directly skips the fetch Request and the two stream conversions that
 * `c.req.raw.body` builds, most of a small PUT's cost in the HTTP layer.
 */
export function requestBody(c: Context, maxBytes: number): ReadableStream<Uint8Array> {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (isNodeRequest(incoming)) return nodeRequestBody(incoming, maxBytes);
  return (c.req.raw.body ?? emptyBody()).pipeThrough(limitBytes(maxBytes));
}

/**
 * A Node request body as a Web stream. A cancelled stream leaves the request
 * paused rather than drained: the answer to a refused upload closes the
 * connection, so the rest of the body is never read.
 */
function nodeRequestBody(incoming: NodeRequest, maxBytes: number): ReadableStream<Uint8Array> {
  let detach = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let seen = 0;
        const fail = (error: unknown) => {
          detach();
          incoming.pause();
          controller.error(error);
        };
        const onData = (chunk: Uint8Array) => {
          seen += chunk.byteLength;
          if (seen > maxBytes) return fail(new Refusal('payload_too_large', `the body is larger than the limit of ${maxBytes} bytes`));
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 0) <= 0) incoming.pause();
        };
        const onEnd = () => {
          detach();
          controller.close();
        };
        const onClose = () => fail(new Error('the client closed the connection before the body ended'));
        detach = () => {
          incoming.off('data', onData);
          incoming.off('end', onEnd);
          incoming.off('error', fail);
          incoming.off('close', onClose);
        };
        incoming.on('data', onData);
        incoming.on('end', onEnd);
        incoming.on('error', fail);
        incoming.on('close', onClose);
      },
      pull() {
        incoming.resume();
      },
      cancel() {
        detach();
        incoming.pause();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: NODE_READ_AHEAD_BYTES }),
  );
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

/** A stream of bytes already in hand. */
export function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}

export const emptyBody = (): ReadableStream<Uint8Array> => streamOf(new Uint8Array(0));

/** Reads a small body (such as a JSON request) whole, refusing it once it passes `maxBytes`. */
export function readSmallBody(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  return readAll((body ?? emptyBody()).pipeThrough(limitBytes(maxBytes)));
}

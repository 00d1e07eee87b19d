import type { IncomingMessage } from 'node:http';
import { Refusal } from '../policy/refusal.ts';

/** Bytes of the request body read ahead of the store while it is busy. */
const NODE_READ_AHEAD_BYTES = 256 * 1024;

/**
 * A Node request body as a Web stream. A cancelled stream leaves the request
 * paused rather than drained: the answer to a refused upload closes the
 * connection, so the rest of the body is never read.
 */
export function nodeRequestBody(incoming: IncomingMessage, maxBytes: number): ReadableStream<Uint8Array> {
  let detach = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // The client may be gone already: no 'close' event would come to end this stream.
        if (incoming.destroyed && !incoming.complete) return controller.error(clientClosed());
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
        // The request stream errs ("aborted", ECONNRESET) or closes early only when the connection is gone.
        const onClose = () => fail(clientClosed());
        detach = () => {
          incoming.off('data', onData);
          incoming.off('end', onEnd);
          incoming.off('error', onClose);
          incoming.off('close', onClose);
        };
        incoming.on('data', onData);
        incoming.on('end', onEnd);
        incoming.on('error', onClose);
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

const clientClosed = () => new Refusal('client_closed', 'the client closed the connection before the body ended');

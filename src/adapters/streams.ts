/**
 * Small Web-stream helpers shared by the adapters.
 */

/**
 * Reads a stream as consecutive blocks of exactly `size` bytes (the last one
 * shorter). Always yields at least one block, empty for an empty stream, so a
 * caller can tell a single-block body from a longer one by looking ahead.
 * Chunks are held by reference until a block is complete and then copied
 * once into a block of the exact size: a small body costs a small block.
 */
export async function* readBlocks(stream: ReadableStream<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const take = (length: number): Uint8Array => {
    const block = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const chunk = pending[0]!;
      const needed = length - filled;
      if (chunk.byteLength <= needed) {
        block.set(chunk, filled);
        filled += chunk.byteLength;
        pending.shift();
      } else {
        block.set(chunk.subarray(0, needed), filled);
        pending[0] = chunk.subarray(needed);
        filled = length;
      }
    }
    pendingBytes -= length;
    return block;
  };
  let yielded = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.byteLength === 0) continue;
      pending.push(value);
      pendingBytes += value.byteLength;
      while (pendingBytes >= size) {
        yield take(size);
        yielded = true;
      }
    }
    if (pendingBytes > 0 || !yielded) yield take(pendingBytes);
  } finally {
    reader.releaseLock();
  }
}

/** Reads a whole stream into one array. Only for stores that keep objects in memory. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.byteLength;
  }
  const all = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/**
 * A Web stream over an async iterable (such as a Node response body), pulled
 * one chunk at a time so that backpressure reaches the source. When the
 * source yields nothing for `idleTimeoutMs` while a reader waits, the stream
 * fails with `onIdle()`'s error and the source is closed.
 */
export function streamFromIterable(
  iterable: AsyncIterable<Uint8Array>,
  idle: { timeoutMs: number; onIdle: () => Error },
): ReadableStream<Uint8Array> {
  const iterator = iterable[Symbol.asyncIterator]();
  const close = () => iterator.return?.().catch(() => {});
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const idleTimeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(idle.onIdle()), idle.timeoutMs);
        });
        try {
          const next = await Promise.race([iterator.next(), idleTimeout]);
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          void close();
          controller.error(error);
        } finally {
          clearTimeout(timer);
        }
      },
      async cancel() {
        await close();
      },
    },
    { highWaterMark: 0 },
  );
}

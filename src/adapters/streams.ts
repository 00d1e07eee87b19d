/**
 * Small Web-stream helpers shared by the adapters.
 */

/**
 * Reads a stream as consecutive blocks of exactly `size` bytes (the last one
 * shorter). Always yields at least one block, empty for an empty stream, so a
 * caller can tell a single-block body from a longer one by looking ahead.
 * Chunks are copied as they arrive (a producer may reuse its buffers), into a
 * first block that grows from small, so a small body never costs a whole
 * block; once one block has filled, the next ones are allocated whole.
 */
export async function* readBlocks(stream: ReadableStream<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let block = new Uint8Array(0);
  let filled = 0;
  let yielded = false;
  const reserve = (needed: number) => {
    if (block.byteLength >= needed) return;
    const grown = new Uint8Array(yielded ? size : Math.min(size, Math.max(needed, 2 * block.byteLength, FIRST_BLOCK_BYTES)));
    grown.set(block.subarray(0, filled));
    block = grown;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let offset = 0;
      while (offset < value.byteLength) {
        const take = Math.min(size - filled, value.byteLength - offset);
        reserve(filled + take);
        block.set(value.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === size) {
          yield block;
          yielded = true;
          block = new Uint8Array(0);
          filled = 0;
        }
      }
    }
    if (filled > 0 || !yielded) yield block.subarray(0, filled);
  } finally {
    reader.releaseLock();
  }
}

/** Where a block starts growing from. */
const FIRST_BLOCK_BYTES = 64 * 1024;

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
export function streamFromIterable(iterable: AsyncIterable<Uint8Array>, idle: { timeoutMs: number; onIdle: () => Error }): ReadableStream<Uint8Array> {
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

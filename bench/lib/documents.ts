import { createHash } from 'node:crypto';

/**
 * Request bodies made on the fly: chat-transcript JSON, ASCII only, valid
 * JSON whatever the size, the same bytes on every run. Large bodies are
 * views into one 1 MiB pool of records, never held whole or written to disk.
 */

const encoder = new TextEncoder();
const MiB = 1024 * 1024;

const LINES = [
  'Hi, the checkout page shows an error when I press pay.',
  'Thanks for waiting, I can see the failed payment on our side.',
  'Could you try again with the card ending 4471?',
  'It worked this time, thank you!',
  'Glad to hear it. Is there anything else I can help you with?',
];

function message(i: number): string {
  return JSON.stringify({ seq: i, at: 1_767_225_600_000 + i * 1_500, from: i % 2 ? 'agent' : 'visitor', text: LINES[i % LINES.length] });
}

/** A JSON chat transcript of exactly `bytes` bytes (at least 32). */
export function smallDocument(bytes: number): string {
  const messages: string[] = [];
  const frame = (padding: number) => `{"session":"bench","messages":[${messages.join(',')}]${' '.repeat(padding)}}`;
  for (let i = 0; frame(0).length + message(i).length + 1 <= bytes; i++) messages.push(message(i));
  return frame(bytes - frame(0).length);
}

export interface LargeDocument {
  bytes: number;
  /** The body in chunks of at most `chunkBytes`; most are views into one shared pool. */
  chunks(chunkBytes?: number): Generator<Uint8Array>;
  /** Hex SHA-256 of the whole body, computed once. */
  sha256(): string;
}

/**
 * `[` + the pool (records each followed by a comma) repeated while it fits +
 * spaces + `{}]`: valid JSON of exactly `bytes` bytes.
 */
export function largeDocument(bytes: number): LargeDocument {
  const records: string[] = [];
  for (let i = 0, size = 0; size < MiB; i++) {
    const record = `${message(i)},`;
    records.push(record);
    size += record.length;
  }
  const pool = encoder.encode(records.join(''));
  const head = encoder.encode('[');
  const tail = encoder.encode('{}]');
  const repeats = Math.max(0, Math.floor((bytes - head.length - tail.length) / pool.length));
  const padding = bytes - head.length - tail.length - repeats * pool.length;
  if (padding < 0) throw new Error(`a JSON document needs at least ${head.length + tail.length} bytes`);
  let digest: string | undefined;

  function* chunks(chunkBytes = 256 * 1024): Generator<Uint8Array> {
    yield head;
    for (let r = 0; r < repeats; r++) {
      for (let at = 0; at < pool.length; at += chunkBytes) yield pool.subarray(at, at + chunkBytes);
    }
    for (let left = padding; left > 0; left -= chunkBytes) yield new Uint8Array(Math.min(left, chunkBytes)).fill(0x20);
    yield tail;
  }

  return {
    bytes,
    chunks,
    sha256() {
      if (digest === undefined) {
        const hash = createHash('sha256');
        for (const chunk of chunks(4 * MiB)) hash.update(chunk);
        digest = hash.digest('hex');
      }
      return digest;
    },
  };
}

import type { ObjectStore, PutResult } from '../../src/adapters/types.ts';
import { seededRandom } from './inspect-stream.ts';

/**
 * Runs several actors (writers, erasures) against one store with their store
 * calls interleaved in an order drawn from a seed, so that a race is tried on
 * purpose, the same way every time, whatever the machine's speed.
 *
 * Every call an actor makes through its `storeFor(actor)` view waits for the
 * scheduler's turn and then runs alone to its end. A `put` is several turns:
 * it starts, then its body arrives one chunk per turn, and its last turn
 * ends the body and waits for the store to commit, so other calls run while
 * a body is still arriving (a slow client) but no two store changes overlap.
 */
export class Interleaver {
  readonly trace: string[] = [];
  readonly #pending: Array<{ label: string; go: () => Promise<void> }> = [];
  readonly #counters = new Map<string, number>();
  #random: () => number;

  constructor(readonly seed: number) {
    this.#random = seededRandom(seed);
  }

  /** A view of `inner` whose calls are turns of `actor`. */
  storeFor(inner: ObjectStore, actor: string): ObjectStore {
    const turn = <T>(what: string, call: () => Promise<T>) =>
      new Promise<T>((resolve, reject) => {
        this.#enqueue(`${actor} ${what}`, () => call().then(resolve, reject));
      });
    return {
      kind: inner.kind,
      head: (key) => turn(`head ${key}`, () => inner.head(key)),
      get: (key) => turn(`get ${key}`, () => inner.get(key)),
      delete: (key) => turn(`delete ${key}`, () => inner.delete(key)),
      list: (prefix, options) => turn(`list ${prefix}`, () => inner.list(prefix, options)),
      probe: () => inner.probe(),
      put: (key, body, metadata, options) => this.#put(actor, key, body, (gated) => inner.put(key, gated, metadata, options)),
    };
  }

  /** Runs the actors to their ends; their outcomes, in the order given. */
  async run(actors: Record<string, () => Promise<unknown>>): Promise<Record<string, PromiseSettledResult<unknown>>> {
    const names = Object.keys(actors);
    let running = names.length;
    const outcomes = names.map((name) => Promise.allSettled([actors[name]!()]).finally(() => (running -= 1)));
    for (;;) {
      await settle();
      if (this.#pending.length === 0) {
        if (running === 0) break;
        throw new Error(`seed ${this.seed}: actors are stuck outside the store\n${this.trace.join('\n')}`);
      }
      this.#pending.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
      const [step] = this.#pending.splice(Math.floor(this.#random() * this.#pending.length), 1);
      this.trace.push(step!.label);
      await step!.go();
    }
    const settled = await Promise.all(outcomes);
    return Object.fromEntries(names.map((name, i) => [name, settled[i]![0]!]));
  }

  /** The index of the first turn whose label matches, or -1. */
  turnOf(pattern: RegExp): number {
    return this.trace.findIndex((label) => pattern.test(label));
  }

  lastTurnOf(pattern: RegExp): number {
    return this.trace.findLastIndex((label) => pattern.test(label));
  }

  #enqueue(label: string, go: () => Promise<void>): void {
    const n = (this.#counters.get(label) ?? 0) + 1;
    this.#counters.set(label, n);
    this.#pending.push({ label: `${label} #${n}`, go });
  }

  #put(actor: string, key: string, body: ReadableStream<Uint8Array>, start: (gated: ReadableStream<Uint8Array>) => Promise<PutResult>): Promise<PutResult> {
    return new Promise<PutResult>((resolve, reject) => {
      this.#enqueue(`${actor} put ${key}`, async () => {
        let controller!: ReadableStreamDefaultController<Uint8Array>;
        const gated = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
        const committed = start(gated);
        committed.then(resolve, reject);
        const settled = committed.then(
          () => {},
          () => {},
        );
        const source = body.getReader();
        const nextChunk = () =>
          this.#enqueue(`${actor} body ${key}`, async () => {
            let read: Awaited<ReturnType<typeof source.read>>;
            try {
              read = await source.read();
            } catch (error) {
              controller.error(error);
              await settled;
              return;
            }
            if (read.done) {
              controller.close();
              await settled;
            } else {
              controller.enqueue(read.value);
              nextChunk();
            }
          });
        nextChunk();
      });
    });
  }
}

/** A body of `chunks` chunks, each its own turn. */
export function chunkedBody(text: string, chunks: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const size = Math.ceil(bytes.byteLength / chunks);
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

/** A body that sends `chunks - 1` chunks and then fails, as a refusal found mid-stream or a client that went away does. */
export function failingBody(text: string, chunks: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const size = Math.ceil(bytes.byteLength / chunks);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === chunks - 1) return controller.error(new Error('the body failed (injected by the test)'));
      controller.enqueue(bytes.slice(sent * size, (sent + 1) * size));
      sent += 1;
    },
  });
}

/** Lets every actor that can move without the store reach its next store call. */
async function settle(): Promise<void> {
  for (let i = 0; i < 8; i++) await new Promise((resolve) => setImmediate(resolve));
}

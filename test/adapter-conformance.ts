import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ObjectInfo, ObjectMetadata, ObjectStore } from '../src/adapters/types.ts';
import { userMetadataOf } from './helpers/user-metadata.ts';

/**
 * The contract of ObjectStore (src/adapters/types.ts), written once and run
 * against every adapter: `adapterConformance(() => createXStore(...))` inside
 * a describe block whose `before` has started the adapter's server.
 *
 * Every test works under its own key prefix, so one store serves them all.
 */
export interface ConformanceOptions {
  /** Bytes of the "large" objects: more than one multipart part or block of the adapter. */
  largeBytes?: number;
  /**
   * The longest key segment (between two `/`) the test server can hold, when
   * it is shorter than the real service's limit: s3rver stores keys as file
   * paths, so a segment must fit in a file name. The long-key test then uses
   * a segment of this length.
   */
  maxKeySegmentBytes?: number;
  /**
   * Whether the store keeps the ETag its caller computes over a streamed
   * body (PutOptions.etag). The R2 bridge cannot pass that callback to the
   * worker; every store must then report its own ETag consistently.
   */
  keepsComputedEtag?: boolean;
}

const MiB = 1024 * 1024;

export function adapterConformance(open: () => ObjectStore | Promise<ObjectStore>, options: ConformanceOptions = {}): void {
  const largeBytes = options.largeBytes ?? 11 * MiB;
  const longSegment = 'Segment-Ü-'.repeat(Math.floor(Math.min(options.maxKeySegmentBytes ?? 660, 660) / 11));

  describe('ObjectStore conformance', () => {
    let store: ObjectStore;
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close?.();
    });

    test('round-trips bytes and every metadata field', async () => {
      const metadata: ObjectMetadata = {
        contentType: 'application/json; charset=utf-8',
        contentEncoding: 'gzip',
        account: 'Ünïcode-Äccount 東京 🙂',
        dataClass: 'chat-transcript',
        subject: 'c3ViamVjdC1oYXNo_-0123456789abcdef',
        expiresAt: '2027-11-21T10:00:00.000Z',
      };
      const bytes = new TextEncoder().encode('{"hello":"wörld"}');
      const put = await store.put('round-trip/one.json', streamOf(bytes), metadata, { contentLength: bytes.byteLength });
      assert.equal(put.size, bytes.byteLength);
      assert.ok(put.etag.length > 0);
      assert.doesNotMatch(put.etag, /"/);

      const head = await store.head('round-trip/one.json');
      assert.ok(head);
      assert.equal(head.key, 'round-trip/one.json');
      assert.equal(head.size, bytes.byteLength);
      assert.equal(head.etag, put.etag);
      assert.deepEqual(head.metadata, metadata);
      assert.ok(!Number.isNaN(Date.parse(head.lastModified)));

      const got = await store.get('round-trip/one.json');
      assert.ok(got);
      assert.deepEqual(got.info, head);
      assert.deepEqual(await readBytes(got.body), bytes);
    });

    test('round-trips metadata without the optional fields, adding none', async () => {
      const metadata: ObjectMetadata = { contentType: 'text/plain', account: 'acme', dataClass: 'survey' };
      await store.put('minimal/one.txt', streamOf(new TextEncoder().encode('x')), metadata);
      assert.deepEqual((await store.head('minimal/one.txt'))?.metadata, metadata);
    });

    test('round-trips the ETag and 2 KiB of user metadata, any bytes, beside long gateway fields', async () => {
      const metadata: ObjectMetadata = {
        contentType: 'application/json',
        contentEncoding: 'gzip, br',
        // As long as an account id may be before it is stored under its hash, in a script that percent-encoding triples.
        account: 'Ü'.repeat(128),
        dataClass: 'cobrowse-session-with-a-long-name',
        subject: 'c3ViamVjdC1oYXNo_-0123456789abcdef',
        expiresAt: '2027-11-21T10:00:00.000Z',
        etag: '0123456789abcdef0123456789abcdef-10000',
        userMetadata: userMetadataOf(2048),
      };
      const put = await store.put('user-metadata/at-limit', streamOf(new Uint8Array([1, 2, 3])), metadata, { contentLength: 3 });
      assert.equal(put.etag, metadata.etag);
      const head = await store.head('user-metadata/at-limit');
      assert.ok(head);
      assert.deepEqual(head.metadata, metadata);
      assert.equal(head.etag, metadata.etag);
      const got = await store.get('user-metadata/at-limit');
      assert.deepEqual(got?.info, head);
      await got?.body.cancel();
      assert.deepEqual(await store.list('user-metadata/'), { items: [head] });
    });

    for (const { size, declared } of [
      { size: 1000, declared: true },
      { size: 1000, declared: false },
      { size: largeBytes, declared: true },
      { size: largeBytes, declared: false },
    ]) {
      test(`the ETag computed over a streamed body of ${size} bytes (${declared ? 'declared' : 'undeclared'} length) is asked for once the body has ended, and every read reports what put answered`, async () => {
        let ended = false;
        const body = patternBody(size, 21).pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            flush() {
              ended = true;
            },
          }),
        );
        const computed = `${size.toString(16).padStart(32, '0')}`;
        const key = `computed-etag/${size}-${declared}`;
        const put = await store.put(
          key,
          body,
          { ...META, userMetadata: { note: 'kept' } },
          {
            ...(declared && { contentLength: size }),
            etag: () => {
              assert.ok(ended, 'asked for only once the body has ended');
              return computed;
            },
          },
        );
        if (options.keepsComputedEtag ?? true) assert.equal(put.etag, computed);
        const head = await store.head(key);
        assert.equal(head?.etag, put.etag);
        assert.deepEqual(head?.metadata.userMetadata, { note: 'kept' });
        assert.equal((await store.list('computed-etag/')).items.find((item) => item.key === key)?.etag, put.etag);
        await assertStoredPattern(store, key, size, 21, put.etag);
      });
    }

    test('stores an empty object', async () => {
      const put = await store.put('empty/nothing', streamOf(new Uint8Array(0)), META, { contentLength: 0 });
      assert.equal(put.size, 0);
      const got = await store.get('empty/nothing');
      assert.ok(got);
      assert.equal(got.info.size, 0);
      assert.equal(got.info.etag, put.etag);
      assert.equal((await readBytes(got.body)).byteLength, 0);
    });

    test('stores an empty stream of unknown length', async () => {
      const put = await store.put('empty/unknown-length', streamOf(new Uint8Array(0)), META);
      assert.equal(put.size, 0);
      assert.equal((await store.head('empty/unknown-length'))?.size, 0);
    });

    test('stores an object larger than one part, with its length declared', async () => {
      const put = await store.put('large/declared', patternBody(largeBytes, 1), META, { contentLength: largeBytes });
      assert.equal(put.size, largeBytes);
      await assertStoredPattern(store, 'large/declared', largeBytes, 1, put.etag);
    });

    test('stores an object larger than one part from a stream of unknown length', async () => {
      const put = await store.put('large/unknown-length', patternBody(largeBytes, 2), META);
      assert.equal(put.size, largeBytes);
      await assertStoredPattern(store, 'large/unknown-length', largeBytes, 2, put.etag);
    });

    test('stores a small stream of unknown length arriving in many chunks', async () => {
      const put = await store.put('chunked/small', patternBody(10_000, 3, { chunkBytes: 7 }), META);
      assert.equal(put.size, 10_000);
      await assertStoredPattern(store, 'chunked/small', 10_000, 3, put.etag);
    });

    test('keys with spaces, unicode, `/`, case and URL-special characters name distinct objects', async () => {
      const keys = [
        'keys/with space/and  two spaces.txt',
        'keys/ünïcødé/日本語/🙂.json',
        'keys/a/b/c/d/e/f/g/h',
        'keys/a',
        'keys/Case/Name',
        'keys/case/name',
        "keys/special %20 + # ? & = ; , @ $ ! ' ( ) [ ] ~",
        `keys/long/${longSegment}/end`,
      ];
      for (const [index, key] of keys.entries()) {
        await store.put(key, streamOf(new TextEncoder().encode(`object ${index}`)), { ...META, subject: `s${index}` });
      }
      for (const [index, key] of keys.entries()) {
        const got = await store.get(key);
        assert.ok(got, key);
        assert.equal(got.info.key, key);
        assert.equal(new TextDecoder().decode(await readBytes(got.body)), `object ${index}`, key);
        assert.equal(got.info.metadata.subject, `s${index}`);
      }
      assert.deepEqual(await listAll(store, 'keys/', 3), [...keys].sort(byCodePoint));
    });

    test('lists by prefix in key order, over many pages with cursors', async () => {
      const inside = ['list/p/a', 'list/p/a-c', 'list/p/a/b', 'list/p/a0', 'list/p/b', 'list/p/b/c/d', 'list/p/z', 'list/p/é', 'list/p/€'];
      const outside = ['list/o', 'list/p', 'list/p-other', 'list/pp/a', 'list/q'];
      for (const key of [...outside, ...inside].reverse()) {
        await store.put(key, streamOf(new TextEncoder().encode(key)), META);
      }
      const pages: ObjectInfo[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list('list/p/', { limit: 2, ...(cursor === undefined ? {} : { cursor }) });
        assert.ok(page.items.length <= 2);
        pages.push(page.items);
        cursor = page.cursor;
      } while (cursor !== undefined);
      assert.ok(pages.length >= 5, `expected at least 5 pages, got ${pages.length}`);
      const listed = pages.flat();
      assert.deepEqual(
        listed.map((item) => item.key),
        [...inside].sort(byCodePoint),
      );
      for (const item of listed) {
        assert.equal(item.size, new TextEncoder().encode(item.key).byteLength);
        assert.deepEqual(item.metadata, META);
      }
      assert.deepEqual((await store.list('list/p/', { limit: 100 })).items.length, inside.length);
    });

    test('lists nothing for a prefix that matches nothing', async () => {
      const page = await store.list('no-such-prefix/');
      assert.deepEqual(page.items, []);
      assert.equal(page.cursor, undefined);
    });

    test('get and head of a missing object return null', async () => {
      assert.equal(await store.get('missing/object'), null);
      assert.equal(await store.head('missing/object'), null);
    });

    test('deletes an object; deleting it again reports nothing deleted', async () => {
      await store.put('delete/me', streamOf(new TextEncoder().encode('bye')), META);
      await store.put('delete/keep', streamOf(new TextEncoder().encode('stay')), META);
      assert.equal(await store.delete('delete/me'), true);
      assert.equal(await store.get('delete/me'), null);
      assert.equal(await store.head('delete/me'), null);
      assert.deepEqual(
        (await store.list('delete/')).items.map((item) => item.key),
        ['delete/keep'],
      );
      assert.equal(await store.delete('delete/me'), false);
      assert.equal(await store.delete('delete/never-existed'), false);
    });

    test('a small body that fails mid-stream rejects the put with its error and stores nothing', async () => {
      const refusal = new Error('media found mid-stream');
      const body = patternBody(64 * 1024, 4, { failAfter: 10_000, error: refusal });
      await assert.rejects(store.put('aborted/small', body, META), (error) => error === refusal);
      await assertNothingUnder(store, 'aborted/');
    });

    test('a large body that fails after more than one part rejects the put and stores nothing', async () => {
      const refusal = new Error('refused after several parts');
      const body = patternBody(largeBytes, 5, { failAfter: largeBytes - 1024, error: refusal });
      await assert.rejects(store.put('aborted-large/object', body, META, { contentLength: largeBytes }), (error) => error === refusal);
      await assertNothingUnder(store, 'aborted-large/');
    });

    test('aborting the signal mid-stream rejects the put with the reason and stores nothing', async () => {
      const controller = new AbortController();
      const reason = new Error('client went away');
      const body = patternBody(largeBytes, 6, { onBytes: (sent) => sent > 2 * MiB && controller.abort(reason) });
      await assert.rejects(store.put('aborted-signal/object', body, META, { signal: controller.signal }), (error) => error === reason);
      await assertNothingUnder(store, 'aborted-signal/');
    });

    test('a body shorter than its declared length is refused and stores nothing', async () => {
      await assert.rejects(store.put('short/object', patternBody(1000, 7), META, { contentLength: 2000 }));
      await assertNothingUnder(store, 'short/');
    });

    test('a failed overwrite leaves the previous object whole', async () => {
      const first = await store.put('overwrite/object', patternBody(300_000, 8), META);
      const refusal = new Error('second write refused');
      await assert.rejects(
        store.put('overwrite/object', patternBody(largeBytes, 9, { failAfter: largeBytes - 10, error: refusal }), META),
        (error) => error === refusal,
      );
      await assertStoredPattern(store, 'overwrite/object', 300_000, 8, first.etag);
    });

    test('removeIncomplete leaves every committed object and answers a count', async () => {
      if (!store.removeIncomplete) return;
      await store.put('incomplete/kept', streamOf(new TextEncoder().encode('kept')), META);
      await assert.rejects(store.put('incomplete/failed', patternBody(1024, 7, { failAfter: 512, error: new Error('died') }), META));
      // Everything idle since an hour from now: a start-up or sweep long after these writes.
      const removed = await store.removeIncomplete(new Date(Date.now() + 3_600_000));
      assert.ok(Number.isInteger(removed) && removed >= 0, String(removed));
      assert.equal((await store.head('incomplete/kept'))?.size, 4);
      assert.deepEqual(
        (await store.list('incomplete/')).items.map((item) => item.key),
        ['incomplete/kept'],
      );
    });

    test('concurrent writes to one key end with one whole object, never a mix', async () => {
      const seeds = [11, 12, 13];
      const sizeOf = (seed: number) => largeBytes - 1000 * seed;
      const results = await Promise.allSettled(
        seeds.map((seed) => store.put('concurrent/object', patternBody(sizeOf(seed), seed, { chunkBytes: 32 * 1024 + seed }), META)),
      );
      const succeeded = seeds.flatMap((seed, index) => {
        const result = results[index];
        return result?.status === 'fulfilled' ? [{ seed, etag: result.value.etag }] : [];
      });
      assert.ok(succeeded.length >= 1, 'at least one concurrent write succeeds');
      const got = await store.get('concurrent/object');
      assert.ok(got);
      const winner = succeeded.find(({ seed }) => got.info.size === sizeOf(seed));
      assert.ok(winner, `stored size ${got.info.size} is the size of a successful write`);
      assert.equal(await digestOf(got.body), patternDigest(sizeOf(winner.seed), winner.seed));
      assert.equal(got.info.etag, winner.etag);
    });
  });
}

const META: ObjectMetadata = { contentType: 'application/octet-stream', account: 'acme', dataClass: 'chat-transcript' };

const byCodePoint = (a: string, b: string) => {
  const left = Array.from(a, (char) => char.codePointAt(0) ?? 0);
  const right = Array.from(b, (char) => char.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return (left[i] ?? 0) - (right[i] ?? 0);
  }
  return left.length - right.length;
};

export function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** Deterministic bytes that differ with the seed and along the object, so that a mix of two writes shows. */
function patternChunk(seed: number, offset: number, length: number): Uint8Array {
  const chunk = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const position = offset + i;
    chunk[i] = (seed * 131 + position * 7 + (position >>> 12) * 13) & 0xff;
  }
  return chunk;
}

export interface PatternOptions {
  chunkBytes?: number;
  /** Fail the stream with `error` once this many bytes have been sent. */
  failAfter?: number;
  error?: Error;
  /** Called after each chunk with the bytes sent so far. */
  onBytes?: (sent: number) => unknown;
}

/** A stream of `size` pattern bytes, generated as it is read (never held whole). */
export function patternBody(size: number, seed: number, options: PatternOptions = {}): ReadableStream<Uint8Array> {
  const chunkBytes = options.chunkBytes ?? 64 * 1024 + 3;
  let sent = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (options.failAfter !== undefined && sent >= options.failAfter) {
          controller.error(options.error ?? new Error('body failed'));
          return;
        }
        if (sent >= size) {
          controller.close();
          return;
        }
        const length = Math.min(chunkBytes, size - sent);
        controller.enqueue(patternChunk(seed, sent, length));
        sent += length;
        options.onBytes?.(sent);
      },
    },
    { highWaterMark: 0 },
  );
}

export function patternDigest(size: number, seed: number): string {
  const hash = createHash('sha256');
  for (let offset = 0; offset < size; offset += MiB) hash.update(patternChunk(seed, offset, Math.min(MiB, size - offset)));
  return hash.digest('hex');
}

export async function digestOf(body: ReadableStream<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return hash.digest('hex');
    hash.update(value);
  }
}

async function readBytes(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(body).arrayBuffer());
}

async function assertStoredPattern(store: ObjectStore, key: string, size: number, seed: number, etag: string): Promise<void> {
  const got = await store.get(key);
  assert.ok(got, `${key} is stored`);
  assert.equal(got.info.size, size);
  assert.equal(got.info.etag, etag);
  assert.equal(await digestOf(got.body), patternDigest(size, seed));
  assert.equal((await store.head(key))?.etag, etag);
}

/** Nothing visible under the prefix: not listed, not readable. */
export async function assertNothingUnder(store: ObjectStore, prefix: string): Promise<void> {
  const page = await store.list(prefix);
  assert.deepEqual(
    page.items.map((item) => item.key),
    [],
    `nothing listed under ${prefix}`,
  );
  for (const key of [`${prefix}object`, `${prefix}small`]) {
    assert.equal(await store.head(key), null);
  }
}

async function listAll(store: ObjectStore, prefix: string, limit: number): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(prefix, { limit, ...(cursor === undefined ? {} : { cursor }) });
    keys.push(...page.items.map((item) => item.key));
    cursor = page.cursor;
  } while (cursor !== undefined);
  return keys;
}

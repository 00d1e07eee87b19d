import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { StoreError } from '../src/adapters/errors.ts';
import type { ListPage, LocationReport, ObjectInfo, ObjectStore, PutResult } from '../src/adapters/types.ts';
import { guardBody } from '../src/service/body.ts';
import { adapterConformance, assertNothingUnder, patternBody, streamOf } from './adapter-conformance.ts';
import type { BridgeError } from './fixtures/worker/r2-store-worker.ts';
import { buildWorker, r2Bucket, startWorker, type BuiltWorker, type RunningWorker } from './helpers/miniflare.ts';

/**
 * The R2 adapter runs only in workerd, so the test worker in
 * test/fixtures/worker/r2-store-worker.ts serves its methods over HTTP and
 * `bridgeStore` below is an ObjectStore that calls them: the shared
 * conformance suite then runs against R2 (miniflare's) inside workerd.
 */

const META = { contentType: 'application/json', account: 'acme', dataClass: 'chat-transcript' };

/** An ObjectStore whose every call is one HTTP request to the bridge worker. */
function bridgeStore(origin: string): ObjectStore {
  const endpoint = (path: string, params: Record<string, string | undefined>) => {
    const url = new URL(path, origin);
    for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
    return url;
  };
  const answer = async <T>(response: Response): Promise<T> => {
    if (response.ok) return (await response.json()) as T;
    const error = (await response.json()) as BridgeError;
    if (error.failure) throw new StoreError(error.failure, error.message);
    throw Object.assign(new Error(error.message), { name: error.name });
  };
  const jsonHeader = (value: unknown) => encodeURIComponent(JSON.stringify(value));

  return {
    kind: 'r2',
    async put(key, body, metadata, options = {}) {
      // The body's own error (or the abort reason) is what put must reject with, as in-process adapters do.
      const watched = guardBody(body, []);
      const headers: Record<string, string> = { 'x-metadata': jsonHeader(metadata) };
      if (options.contentLength !== undefined) headers['x-content-length'] = String(options.contentLength);
      try {
        const response = await fetch(endpoint('/object', { key }), {
          method: 'PUT',
          body: watched.stream,
          headers,
          signal: options.signal,
          duplex: 'half',
        } as RequestInit);
        return await answer<PutResult>(response);
      } catch (error) {
        if (watched.failure() !== undefined) throw watched.failure();
        if (options.signal?.aborted) throw options.signal.reason;
        throw error;
      }
    },
    async get(key) {
      const response = await fetch(endpoint('/object', { key }));
      if (response.status === 404) return null;
      if (!response.ok || !response.body) return answer<never>(response);
      const info = JSON.parse(decodeURIComponent(response.headers.get('x-info') ?? '')) as ObjectInfo;
      return { info, body: response.body as ReadableStream<Uint8Array> };
    },
    head: async (key) => answer<ObjectInfo | null>(await fetch(endpoint('/head', { key }))),
    delete: async (key) => answer<boolean>(await fetch(endpoint('/object', { key }), { method: 'DELETE' })),
    list: async (prefix, options = {}) =>
      answer<ListPage>(await fetch(endpoint('/list', { prefix, limit: options.limit?.toString(), cursor: options.cursor }))),
    probe: async () => answer<LocationReport | null>(await fetch(endpoint('/probe', {}))),
  };
}

describe('r2 adapter inside workerd', () => {
  let built: BuiltWorker;
  let worker: RunningWorker;
  before(async () => {
    built = await buildWorker('test/fixtures/worker/r2-store.wrangler.toml');
    worker = await startWorker(built, { r2Buckets: ['BUCKET'] });
  });
  after(async () => {
    await worker?.stop();
    await built?.remove();
  });

  adapterConformance(() => bridgeStore(worker.url), { keepsComputedEtag: false });

  test('a body that fails after all of its declared bytes stores nothing', async () => {
    const store = bridgeStore(worker.url);
    const refusal = new Error('refused at the very end');
    const body = patternBody(10_000, 21, { failAfter: 10_000, error: refusal });
    await assert.rejects(store.put('late-failure/object', body, META, { contentLength: 10_000 }), (error) => error === refusal);
    await assertNothingUnder(store, 'late-failure/');
  });

  test('a body of unknown length longer than a part goes up as a multipart upload of 5 MiB parts', async () => {
    const store = bridgeStore(worker.url);
    const put = await store.put('multipart/object', patternBody(11 * 1024 * 1024, 22), META);
    // R2 marks the etag of a multipart object with its part count.
    assert.match(put.etag, /-3$/);
    const stored = await (await r2Bucket(worker, 'BUCKET')).head('multipart/object');
    assert.equal(stored?.size, 11 * 1024 * 1024);
  });

  test('a body of unknown length within one part is one put', async () => {
    const store = bridgeStore(worker.url);
    const put = await store.put('single/object', streamOf(new TextEncoder().encode('{"a":1}')), META);
    assert.doesNotMatch(put.etag, /-\d+$/);
    assert.equal(put.size, 7);
  });

  test('probe answers null: an R2 bucket cannot report where it is', async () => {
    assert.equal(await bridgeStore(worker.url).probe(), null);
  });
});

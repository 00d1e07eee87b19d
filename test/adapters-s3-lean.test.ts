process.env.AWS_EC2_METADATA_DISABLED = 'true';

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createS3Store } from '../src/adapters/s3.ts';
import { listPage } from '../src/adapters/s3-lean.ts';
import { readAll, streamOf } from '../src/adapters/streams.ts';
import type { ObjectMetadata } from '../src/adapters/types.ts';
import { verifyRequest } from '../src/auth/sigv4/index.ts';
import {
  S3_TEST_CREDENTIALS,
  s3StoreOptions,
  startS3Front,
  startS3Server,
  type RecordedRequest,
  type S3Front,
  type S3TestServer,
} from './helpers/s3-server.ts';

const MiB = 1024 * 1024;
const META: ObjectMetadata = {
  contentType: 'application/json',
  account: 'Äcme 東京',
  dataClass: 'chat-transcript',
  subject: 'abc',
  expiresAt: '2027-12-03T00:00:00.000Z',
};

/** A put with its length declared: what the /v1 PUT of an inspected body passes, and what takes the signed-request path. */
const putDeclared = (store: ReturnType<typeof createS3Store>, key: string, bytes: Uint8Array, signal?: AbortSignal) =>
  store.put(key, streamOf(bytes), META, { contentLength: bytes.byteLength, ...(signal && { signal }) });

const bodyOf = (size: number, seed: number) => Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) % 251);
const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Checks a recorded request's SigV4 signature with the gateway's own verifier (s3rver checks none). */
async function assertSignedBy(request: RecordedRequest, secretAccessKey: string): Promise<void> {
  const url = new URL(request.url, 'http://placeholder');
  const headerValues = (name: string) => {
    const value = request.headers[name];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };
  await verifyRequest(
    { method: request.method, rawPath: url.pathname, rawQuery: url.search.slice(1), headerValues, headerNames: () => Object.keys(request.headers) },
    { now: Date.now(), resolve: async () => ({ secretAccessKey, identity: null }) },
  );
}

describe('s3 adapter: small writes and HEAD as signed requests without the SDK middleware', () => {
  let server: S3TestServer;
  let front: S3Front;
  before(async () => {
    server = await startS3Server({ buckets: ['sessions', 'encrypted'] });
    front = await startS3Front(server.endpoint);
  });
  after(async () => {
    await front.stop();
    await server.stop();
  });

  async function requestsDuring(run: () => Promise<unknown>): Promise<RecordedRequest[]> {
    const first = front.requests.length;
    await run();
    return front.requests.slice(first);
  }

  test('a declared body within one part is one PutObject with its length, its SHA-256 and a valid signature over every header sent', async () => {
    const store = createS3Store(s3StoreOptions(front.endpoint));
    const bytes = bodyOf(4096, 1);
    let etag = '';
    const [put, ...rest] = await requestsDuring(async () => {
      ({ etag } = await putDeclared(store, 'lean/small', bytes));
    });
    assert.equal(rest.length, 0);
    assert.ok(put);
    assert.equal(put.method, 'PUT');
    assert.equal(put.url, '/sessions/lean/small');
    assert.equal(put.headers['content-length'], '4096');
    assert.equal(put.headers['transfer-encoding'], undefined);
    assert.equal(put.headers['x-amz-content-sha256'], sha256Hex(bytes));
    assert.equal(put.headers['x-amz-meta-account'], encodeURIComponent(META.account));
    assert.equal(put.headers['x-amz-meta-expiresat'], encodeURIComponent(META.expiresAt!));
    const signed = /SignedHeaders=([^,]+)/.exec(String(put.headers.authorization))?.[1]?.split(';') ?? [];
    for (const name of Object.keys(put.headers).filter((name) => name.startsWith('x-amz-') || name === 'content-type')) {
      assert.ok(signed.includes(name), `${name} is signed`);
    }
    await assertSignedBy(put, S3_TEST_CREDENTIALS.secretAccessKey);
    await assert.rejects(assertSignedBy(put, 'another-secret'), { message: /signature does not match/ });

    const read = await store.get('lean/small');
    assert.ok(read);
    assert.deepEqual(await readAll(read.body), bytes);
    assert.equal(read.info.etag, etag);
    assert.deepEqual(read.info.metadata, META);
  });

  test('HEAD answers what GET and list say, and is signed', async () => {
    const store = createS3Store(s3StoreOptions(front.endpoint));
    await putDeclared(store, 'lean/head', bodyOf(1000, 2));
    const [head] = await requestsDuring(async () => {
      const info = await store.head('lean/head');
      const read = await store.get('lean/head');
      assert.ok(info && read);
      assert.deepEqual(info, read.info);
      assert.equal(info.size, 1000);
      assert.match(info.lastModified, /^\d{4}-\d\d-\d\dT/);
      assert.deepEqual((await store.list('lean/head')).items, [info]);
    });
    assert.equal(head?.method, 'HEAD');
    await assertSignedBy(head!, S3_TEST_CREDENTIALS.secretAccessKey);
    assert.equal(await store.head('lean/missing'), null);
  });

  test('keys with characters that need encoding are written, signed and read back under exactly that key', async () => {
    const store = createS3Store(s3StoreOptions(front.endpoint));
    const keys = ['lean/odd/a b+c%20d', "lean/odd/!'()*~.-_", 'lean/odd/東京/ü', 'lean/odd/semi;colon=eq&amp', 'lean/odd/<tag attr="v">&lt;'];
    for (const [i, key] of keys.entries()) {
      const bytes = bodyOf(100 + i, i);
      const [put] = await requestsDuring(() => putDeclared(store, key, bytes));
      await assertSignedBy(put!, S3_TEST_CREDENTIALS.secretAccessKey);
      assert.equal((await store.head(key))?.key, key);
      const read = await store.get(key);
      assert.deepEqual(await readAll(read!.body), bytes, key);
    }
    const listed = (await store.list('lean/odd/')).items.map((item) => item.key);
    assert.deepEqual(listed.sort(), [...keys].sort());
    const [list] = await requestsDuring(() => store.list('lean/odd/東', { limit: 2 }));
    assert.equal(list?.method, 'GET');
    await assertSignedBy(list!, S3_TEST_CREDENTIALS.secretAccessKey);
  });

  test('a listing is paged by continuation token, signed, and a prefix or token with odd characters is sent exactly', async () => {
    const store = createS3Store(s3StoreOptions(front.endpoint));
    const keys = Array.from({ length: 5 }, (_, i) => `lean/pages/&+ =${i}`);
    for (const key of keys) await putDeclared(store, key, bodyOf(10, 11));
    const seen: string[] = [];
    let cursor: string | undefined;
    const requests = await requestsDuring(async () => {
      do {
        const page = await store.list('lean/pages/&+ =', { limit: 2, ...(cursor && { cursor }) });
        assert.ok(page.items.length <= 2);
        seen.push(...page.items.map((item) => item.key));
        cursor = page.cursor;
      } while (cursor);
    });
    assert.deepEqual(seen, keys);
    for (const request of requests) await assertSignedBy(request, S3_TEST_CREDENTIALS.secretAccessKey);
    assert.ok(requests.some((request) => request.url.includes('continuation-token=')));
  });

  test('ListObjectsV2 XML: keys decoded from entities and character references, a token only when truncated', () => {
    const xml = (truncated: boolean, token?: string) =>
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><Prefix>p</Prefix><KeyCount>2</KeyCount>` +
      `<Contents><Key>a&amp;b&lt;c&gt;&quot;&apos;</Key><Size>1</Size></Contents>` +
      `<Contents><ETag>"x"</ETag><Key>&#x1F600;&#233;&#13;</Key></Contents>` +
      `<IsTruncated>${truncated}</IsTruncated>${token === undefined ? '' : `<NextContinuationToken>${token}</NextContinuationToken>`}</ListBucketResult>`;
    assert.deepEqual(listPage(xml(true, 't&amp;1')), { keys: [`a&b<c>"'`, '😀é\r'], cursor: 't&1' });
    assert.deepEqual(listPage(xml(false, 'ignored')), { keys: [`a&b<c>"'`, '😀é\r'] });
    assert.deepEqual(listPage(xml(true)), { keys: [`a&b<c>"'`, '😀é\r'] });
    assert.deepEqual(listPage('<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>'), { keys: [] });
  });

  test('server-side encryption headers are sent and signed', async () => {
    const store = createS3Store(s3StoreOptions(front.endpoint, { bucket: 'encrypted', sse: 'aws:kms', kmsKeyId: 'alias/sessions' }));
    const [put] = await requestsDuring(() => putDeclared(store, 'lean/sse', bodyOf(10, 3)));
    assert.equal(put?.headers['x-amz-server-side-encryption'], 'aws:kms');
    assert.equal(put?.headers['x-amz-server-side-encryption-aws-kms-key-id'], 'alias/sessions');
    await assertSignedBy(put!, S3_TEST_CREDENTIALS.secretAccessKey);
  });

  test('a body longer than declared, or shorter, is refused and nothing is stored', async () => {
    const store = createS3Store(s3StoreOptions(front.endpoint));
    const bytes = bodyOf(2000, 4);
    const requests = await requestsDuring(async () => {
      await assert.rejects(store.put('lean/long', streamOf(bytes), META, { contentLength: 1000 }), { name: 'BodyLengthError' });
      await assert.rejects(store.put('lean/short', streamOf(bytes), META, { contentLength: 3000 }), { name: 'BodyLengthError' });
    });
    assert.deepEqual(requests, [], 'no request reached the store');
    assert.equal(await store.head('lean/long'), null);
    assert.equal(await store.head('lean/short'), null);
  });

  test('a body that fails or an aborted write sends nothing, and the caller hears its own error', async () => {
    const store = createS3Store(s3StoreOptions(front.endpoint));
    const refusal = new Error('refused mid-body');
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bodyOf(100, 5));
        controller.error(refusal);
      },
    });
    const aborted = new AbortController();
    aborted.abort(new Error('client went away'));
    const requests = await requestsDuring(async () => {
      await assert.rejects(store.put('lean/failed', failing, META, { contentLength: 200 }), (error) => error === refusal);
      await assert.rejects(putDeclared(store, 'lean/aborted', bodyOf(100, 6), aborted.signal), { message: 'client went away' });
    });
    assert.deepEqual(requests, []);
    assert.equal(await store.head('lean/failed'), null);
    assert.equal(await store.head('lean/aborted'), null);
  });

  test('a declared body over one part still goes through a multipart upload', async () => {
    const store = createS3Store(s3StoreOptions(front.endpoint));
    const bytes = bodyOf(5 * MiB + 1, 7);
    const requests = await requestsDuring(() => putDeclared(store, 'lean/large', bytes));
    assert.equal(requests.filter((request) => /[?&]uploads/.test(request.url)).length, 1);
    assert.equal(requests.filter((request) => /partNumber=/.test(request.url)).length, 2);
    const read = await store.get('lean/large');
    assert.equal(sha256Hex(await readAll(read!.body)), sha256Hex(bytes));
  });

  test('errors: 500 fails a write once and a HEAD after three tries, 503 is unavailable, a missing bucket failed, a stopped server unavailable', async () => {
    for (const [status, failure] of [
      [500, 'failed'],
      [503, 'unavailable'],
    ] as const) {
      const failingFront = await startS3Front(server.endpoint, { errorStatus: status });
      try {
        const store = createS3Store(s3StoreOptions(failingFront.endpoint));
        await assert.rejects(putDeclared(store, 'lean/error', bodyOf(10, 8)), { name: 'StoreError', failure });
        assert.equal(failingFront.requests.length, 1, 'a write is never retried');
        await assert.rejects(store.head('lean/error'), { name: 'StoreError', failure });
        assert.equal(failingFront.requests.length, 1 + 3, 'HEAD tried three times');
      } finally {
        await failingFront.stop();
      }
    }
    const noBucket = createS3Store(s3StoreOptions(server.endpoint, { bucket: 'no-such-bucket' }));
    await assert.rejects(putDeclared(noBucket, 'lean/x', bodyOf(10, 9)), { name: 'StoreError', failure: 'failed', message: /NoSuchBucket/ });
    const stopped = await startS3Server({ buckets: ['sessions'] });
    const store = createS3Store({ ...s3StoreOptions(stopped.endpoint), timeoutMs: 2_000 });
    await stopped.crash();
    try {
      await assert.rejects(putDeclared(store, 'lean/stopped', bodyOf(10, 10)), { name: 'StoreError', failure: 'unavailable' });
      await assert.rejects(store.head('lean/stopped'), { name: 'StoreError', failure: 'unavailable' });
    } finally {
      await stopped.restart();
      assert.equal(await store.head('lean/stopped'), null);
      await stopped.stop();
    }
  });
});

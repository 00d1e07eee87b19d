import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createS3Store } from '../src/adapters/s3.ts';
import type { ObjectMetadata } from '../src/adapters/types.ts';
import { adapterConformance, assertNothingUnder, patternBody } from './adapter-conformance.ts';
import { userMetadataOf } from './helpers/user-metadata.ts';
import { s3StoreOptions, startS3Front, startS3Server, type RecordedRequest, type S3Front, type S3TestServer } from './helpers/s3-server.ts';

const MiB = 1024 * 1024;
const META: ObjectMetadata = { contentType: 'text/plain', account: 'Äcme 東京', dataClass: 'chat-transcript', subject: 'abc' };

describe('s3 adapter against s3rver', () => {
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

  adapterConformance(
    () => createS3Store(s3StoreOptions(server.endpoint)),
    // s3rver names a file after the last segment plus `._S3rver_object`, within 255 bytes.
    { maxKeySegmentBytes: 240 },
  );

  /** Requests recorded by the front while `run` ran. */
  async function requestsDuring(run: () => Promise<unknown>): Promise<RecordedRequest[]> {
    const first = front.requests.length;
    await run().catch(() => {});
    return front.requests.slice(first);
  }

  test('a body within one part is one signed PutObject with a length, no chunked encoding', async () => {
    const store = createS3Store(s3StoreOptions(front.endpoint));
    const requests = await requestsDuring(() => store.put('wire/small', patternBody(100_000, 1, { chunkBytes: 1000 }), META));
    assert.deepEqual(
      requests.map((request) => request.method),
      ['PUT'],
    );
    const [put] = requests;
    assert.ok(put);
    assert.doesNotMatch(put.url, /uploadId|partNumber/);
    assert.equal(put.headers['content-length'], '100000');
    assertPlainSignedBody(put);
    // Metadata values travel percent-encoded, so headers stay ASCII.
    assert.equal(put.headers['x-amz-meta-account'], encodeURIComponent(META.account));
    assert.equal(put.headers['content-type'], 'text/plain');
  });

  test('a longer body is a real multipart upload of 5 MiB parts', async () => {
    const store = createS3Store(s3StoreOptions(front.endpoint));
    let etag = '';
    const requests = await requestsDuring(async () => {
      ({ etag } = await store.put('wire/large', patternBody(11 * MiB, 2), META));
    });
    const create = requests.filter((request) => request.method === 'POST' && /[?&]uploads/.test(request.url));
    const parts = requests.filter((request) => request.method === 'PUT' && /partNumber=/.test(request.url));
    const complete = requests.filter((request) => request.method === 'POST' && /uploadId=/.test(request.url));
    assert.equal(create.length, 1);
    assert.deepEqual(parts.map((part) => part.headers['content-length']).sort(), [String(MiB), String(5 * MiB), String(5 * MiB)]);
    parts.forEach(assertPlainSignedBody);
    assert.equal(complete.length, 1);
    // (s3rver's ETag for a multipart object is a plain MD5, not S3's `<md5 of part md5s>-3`.)
    assert.equal((await store.head('wire/large'))?.etag, etag);
  });

  test('a multipart upload whose body fails is aborted (AbortMultipartUpload) and leaves nothing', async () => {
    const store = createS3Store(s3StoreOptions(front.endpoint));
    const refusal = new Error('refused');
    const requests = await requestsDuring(() =>
      assert.rejects(store.put('aborted-wire/object', patternBody(20 * MiB, 3, { failAfter: 12 * MiB, error: refusal }), META), (error) => error === refusal),
    );
    const uploadId = requests.find((request) => /partNumber=/.test(request.url))?.url.match(/uploadId=([^&]+)/)?.[1];
    assert.ok(uploadId, 'parts were uploaded before the body failed');
    const aborts = requests.filter((request) => request.method === 'DELETE' && request.url.includes(`uploadId=${uploadId}`));
    // s3rver does not implement AbortMultipartUpload (it answers 405); the request is what the adapter owes.
    assert.equal(aborts.length, 1);
    assert.equal(requests.filter((request) => request.method === 'POST' && /uploadId=/.test(request.url)).length, 0, 'never completed');
    await assertNothingUnder(store, 'aborted-wire/');
  });

  test('server-side encryption settings reach single and multipart uploads', async () => {
    const kms = createS3Store(s3StoreOptions(front.endpoint, { bucket: 'encrypted', sse: 'aws:kms', kmsKeyId: 'alias/sessions' }));
    const single = await requestsDuring(() => kms.put('sse/small', patternBody(10, 4), META));
    const multi = await requestsDuring(() => kms.put('sse/large', patternBody(6 * MiB, 5), META));
    for (const request of [single[0], multi.find((candidate) => /[?&]uploads/.test(candidate.url))]) {
      assert.equal(request?.headers['x-amz-server-side-encryption'], 'aws:kms');
      assert.equal(request?.headers['x-amz-server-side-encryption-aws-kms-key-id'], 'alias/sessions');
    }
    const aes = createS3Store(s3StoreOptions(front.endpoint, { bucket: 'encrypted', sse: 'AES256', kmsKeyId: 'ignored-without-kms' }));
    const [put] = await requestsDuring(() => aes.put('sse/aes', patternBody(10, 6), META));
    assert.equal(put?.headers['x-amz-server-side-encryption'], 'AES256');
    assert.equal(put?.headers['x-amz-server-side-encryption-aws-kms-key-id'], undefined);
  });

  test("2 KiB of client metadata and the gateway's longest fields stay within S3's 2 KiB of user-defined metadata and its 8 KiB of request headers", async () => {
    const store = createS3Store(s3StoreOptions(front.endpoint));
    const metadata: ObjectMetadata = {
      ...META,
      account: 'Ü'.repeat(128),
      contentEncoding: 'gzip',
      expiresAt: '2027-11-21T10:00:00.000Z',
      etag: '0123456789abcdef0123456789abcdef-10000',
      userMetadata: userMetadataOf(2048),
    };
    for (const [key, size] of [
      ['limits/small', 10],
      ['limits/large', 6 * MiB],
    ] as const) {
      const requests = await requestsDuring(() => store.put(key, patternBody(size, 9), metadata, { contentLength: size }));
      const carrying = requests.filter((request) => request.headers['x-amz-meta-account'] !== undefined);
      assert.equal(carrying.length, 1, 'one request carries the metadata (PutObject or CreateMultipartUpload)');
      const [request] = carrying;
      assert.ok(request);
      const userDefined = Object.entries(request.headers)
        .filter(([name]) => name.startsWith('x-amz-meta-'))
        .reduce((sum, [name, value]) => sum + Buffer.byteLength(name.slice('x-amz-meta-'.length)) + Buffer.byteLength(String(value)), 0);
      assert.ok(userDefined <= 2048, `user-defined metadata is ${userDefined} bytes`);
      const headerBytes = Object.entries(request.headers).reduce((sum, [name, value]) => sum + name.length + String(value).length + 4, 0);
      assert.ok(headerBytes <= 8192, `request headers are ${headerBytes} bytes`);
      assert.match(String(request.headers['content-disposition']), /^inline; x-residency-metadata=[A-Za-z0-9_-]+$/);
      assert.deepEqual((await store.head(key))?.metadata, metadata);
    }
  });

  test('an ETag computed over a body too long for one PutObject is set after the upload by copying the object onto itself, inside S3', async () => {
    const store = createS3Store(s3StoreOptions(front.endpoint));
    const requests = await requestsDuring(() =>
      store.put('late-etag/large', patternBody(6 * MiB, 10), { ...META, userMetadata: { kept: 'yes' } }, { etag: () => 'f'.repeat(32) }),
    );
    const copies = requests.filter((request) => request.headers['x-amz-copy-source'] !== undefined);
    assert.equal(copies.length, 1);
    assert.equal(copies[0]?.headers['x-amz-copy-source'], 'sessions/late-etag/large');
    assert.equal(copies[0]?.headers['x-amz-metadata-directive'], 'REPLACE');
    assert.equal(copies[0]?.headers['x-amz-meta-etag'], 'f'.repeat(32));
    const completed = requests.find((request) => request.method === 'POST' && /[?&]uploadId=/.test(request.url));
    assert.ok(completed, 'the upload was completed');
    assert.match(
      String(copies[0]?.headers['x-amz-copy-source-if-match']),
      /^"[0-9a-f]{32}(-\d+)?"$/,
      'the copy is conditional on the upload being what is there',
    );
    const head = await store.head('late-etag/large');
    assert.equal(head?.etag, 'f'.repeat(32));
    assert.deepEqual(head?.metadata.userMetadata, { kept: 'yes' });
    assert.equal(head?.metadata.subject, META.subject);
  });

  test("an object another write put in place before the late ETag is set is not relabelled with this write's metadata", async () => {
    const racing = await startS3Front(server.endpoint, { copyStatus: 412 });
    try {
      const store = createS3Store(s3StoreOptions(racing.endpoint));
      const result = await store.put('late-etag/raced', patternBody(6 * MiB, 11), { ...META, subject: 'subject-of-the-loser' }, { etag: () => 'e'.repeat(32) });
      assert.equal(result.size, 6 * MiB, 'the write itself completed; it lost the race for the key, as a plain PutObject can');
      const copy = racing.requests.find((request) => request.headers['x-amz-copy-source'] !== undefined);
      assert.equal(copy?.status, 412);
      const head = await createS3Store(s3StoreOptions(server.endpoint)).head('late-etag/raced');
      assert.notEqual(head?.metadata.etag, 'e'.repeat(32), 'the refused copy changed nothing');
    } finally {
      await racing.stop();
    }
  });

  test('a store answering 500 is a failed store: reads are retried there, writes never', async () => {
    const failing = await startS3Front(server.endpoint, { errorStatus: 500 });
    try {
      const store = createS3Store(s3StoreOptions(failing.endpoint));
      await assert.rejects(store.put('retry/object', patternBody(10, 7), META), { name: 'StoreError', failure: 'failed' });
      assert.equal(failing.requests.length, 1, 'one PUT, not retried');
      await assert.rejects(store.head('retry/object'), { name: 'StoreError', failure: 'failed' });
      assert.equal(failing.requests.length, 1 + 3, 'HEAD tried three times');
    } finally {
      await failing.stop();
    }
  });

  test('a store answering 503 is an unavailable store', async () => {
    const busy = await startS3Front(server.endpoint, { errorStatus: 503 });
    try {
      const store = createS3Store(s3StoreOptions(busy.endpoint));
      await assert.rejects(store.put('busy/object', patternBody(10, 8), META), { name: 'StoreError', failure: 'unavailable' });
    } finally {
      await busy.stop();
    }
  });
});

function assertPlainSignedBody(request: RecordedRequest): void {
  assert.equal(request.headers['transfer-encoding'], undefined, 'no chunked transfer: real S3 needs a length');
  assert.doesNotMatch(String(request.headers['content-encoding'] ?? ''), /aws-chunked/);
  assert.doesNotMatch(String(request.headers['x-amz-content-sha256'] ?? ''), /^STREAMING-/);
  assert.match(
    String(request.headers.authorization),
    /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/eu-west-2\/s3\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/,
  );
}

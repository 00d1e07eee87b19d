import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createS3Store } from '../src/adapters/s3.ts';
import type { ObjectStore } from '../src/adapters/types.ts';
import { digestOf } from './adapter-conformance.ts';
import { allKeys } from './helpers/gateway.ts';
import { bucketKeys, buildWorker, startWorker, type BuiltWorker, type RunningWorker } from './helpers/miniflare.ts';
import { S3_TEST_CREDENTIALS, startS3Front, startS3Server, type S3Front, type S3TestServer } from './helpers/s3-server.ts';
import { createTestIdentity, type TestIdentity } from './helpers/tokens.ts';

/**
 * The S3 adapter inside workerd (the AWS SDK bundled by wrangler, with the
 * XML builder alias of wrangler.toml): the worker writes to s3rver on
 * loopback through a front that reports the bucket's region, so the store's
 * location is proven as it would be against AWS.
 */

const MiB = 1024 * 1024;
const GB = { account_id: 'acme', account_region: 'GB' };

describe('the worker writing to an S3 store', () => {
  let identity: TestIdentity;
  let s3: S3TestServer;
  let front: S3Front;
  let built: BuiltWorker;
  let worker: RunningWorker;
  let bucket: ObjectStore;

  before(async () => {
    identity = await createTestIdentity();
    s3 = await startS3Server({ buckets: ['sessions-uk'] });
    front = await startS3Front(s3.endpoint, { headBucketRegion: 'eu-west-2' });
    const policy = {
      version: 1,
      auth: identity.authConfig(),
      zones: {
        'uk-eu': { jurisdictions: ['UK', 'EU'], regions: ['GB', 'FR'], store: 'london' },
        us: { jurisdictions: ['US'], regions: ['US'], store: 'edge-us' },
      },
      stores: {
        london: { type: 's3', bucket: 'sessions-uk', region: 'eu-west-2', endpoint: front.endpoint, forcePathStyle: true },
        'edge-us': { type: 'r2', binding: 'SESSIONS_US', jurisdiction: 'fedramp' },
      },
      dataClasses: { 'chat-transcript': { retentionDays: 365 }, 'cobrowse-session': { retentionDays: 30 } },
      limits: { maxObjectBytes: 16 * MiB },
    };
    built = await buildWorker('wrangler.toml');
    worker = await startWorker(built, {
      r2Buckets: ['SESSIONS_US'],
      bindings: {
        RESIDENCY_POLICY: JSON.stringify(policy),
        AWS_ACCESS_KEY_ID: S3_TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3_TEST_CREDENTIALS.secretAccessKey,
      },
    });
    bucket = createS3Store({ bucket: 'sessions-uk', region: 'eu-west-2', endpoint: s3.endpoint, forcePathStyle: true, credentials: S3_TEST_CREDENTIALS });
  });
  after(async () => {
    await worker?.stop();
    await built?.remove();
    await bucket?.close?.();
    await front?.stop();
    await s3?.stop();
  });

  const put = async (path: string, body: NonNullable<RequestInit['body']>) =>
    fetch(`${worker.url}${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await identity.sign(GB)}`, 'content-type': 'application/json' },
      body,
      ...(body instanceof ReadableStream && { duplex: 'half' }),
    } as RequestInit);

  test('the S3 location is proven from the worker before it takes writes', async () => {
    const response = await fetch(`${worker.url}/readyz`);
    assert.equal(response.status, 200);
    const { stores } = (await response.json()) as { stores: Array<{ store: string; kind: string; evidence: string; state: string }> };
    assert.deepEqual(
      stores.find((store) => store.store === 'london'),
      { store: 'london', kind: 's3', location: 'eu-west-2', evidence: 'proven', state: 'ready' },
    );
  });

  test('a GB write lands in the S3 bucket, with its metadata, and in no R2 bucket', async () => {
    const body = '{"from":"visitor","text":"hello from the edge"}';
    const response = await put('/v1/objects/chat-transcript/edge/s3.json', body);
    assert.equal(response.status, 201, await response.clone().text());
    assert.equal(response.headers.get('x-residency-location'), 'eu-west-2');

    const key = (await allKeys(bucket)).find((candidate) => candidate.endsWith('edge/s3.json'));
    assert.ok(key, 'the object is in the S3 bucket');
    const stored = await bucket.get(key);
    assert.ok(stored);
    assert.equal(await new Response(stored.body).text(), body);
    assert.equal(stored.info.metadata.account, 'acme');
    assert.equal(stored.info.metadata.contentType, 'application/json');
    assert.deepEqual(await bucketKeys(worker, 'SESSIONS_US'), []);

    const read = await fetch(`${worker.url}/v1/objects/chat-transcript/edge/s3.json`, { headers: { authorization: `Bearer ${await identity.sign(GB)}` } });
    assert.equal(await read.text(), body);
  });

  test('a chunked upload larger than one S3 part goes up as a multipart upload from workerd', async () => {
    const size = 6 * MiB;
    const bytes = new TextEncoder().encode(`${'{"pad":"'.padEnd(size - 2, 'x')}"}`);
    const chunks = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let offset = 0; offset < bytes.byteLength; offset += 64 * 1024) controller.enqueue(bytes.subarray(offset, offset + 64 * 1024));
          controller.close();
        },
      });
    const requestsBefore = front.requests.length;
    const response = await put('/v1/objects/cobrowse-session/edge/large.json', chunks());
    assert.equal(response.status, 201, await response.clone().text());
    assert.ok(
      front.requests.slice(requestsBefore).some((request) => request.method === 'POST' && /[?&]uploads/.test(request.url)),
      'a multipart upload was started',
    );

    const key = (await allKeys(bucket)).find((candidate) => candidate.endsWith('edge/large.json'));
    assert.ok(key);
    const stored = await bucket.get(key);
    assert.ok(stored);
    assert.equal(stored.info.size, size);
    assert.equal(await digestOf(stored.body), await digestOf(chunks()));
  });

  test('media is refused and nothing reaches S3', async () => {
    const png = Uint8Array.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08,
      0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89,
    ]);
    const response = await put('/v1/objects/chat-transcript/edge/shot.json', png);
    assert.equal(response.status, 415);
    await response.body?.cancel();
    assert.deepEqual(
      (await allKeys(bucket)).filter((key) => key.includes('shot.json')),
      [],
    );
  });
});

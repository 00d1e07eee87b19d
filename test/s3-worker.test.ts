import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { bucketKeys, buildWorker, startWorker, type RunningWorker } from './helpers/miniflare.ts';
import { createTestIdentity, type TestIdentity } from './helpers/tokens.ts';

/**
 * The S3 front door in workerd: the Worker answers S3 on the hostname of
 * RESIDENCY_S3_HOSTNAME and /v1 everywhere else, over R2 buckets held to their
 * jurisdiction. The AWS SDK, with its default checksums, talks to it as to S3.
 */

const S3_HOST = 'localhost';
const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
]);

describe('the S3 front door on Workers', () => {
  let identity: TestIdentity;
  let worker: RunningWorker;
  let s3Url: string;

  before(async () => {
    identity = await createTestIdentity();
    const policy = {
      version: 1,
      auth: identity.authConfig(),
      zones: {
        'uk-eu': { jurisdictions: ['UK', 'EU'], regions: ['GB', 'FR'], store: 'edge-eu' },
        us: { jurisdictions: ['US'], regions: ['US'], store: 'edge-us' },
      },
      stores: {
        'edge-eu': { type: 'r2', binding: 'SESSIONS_EU', jurisdiction: 'eu' },
        'edge-us': { type: 'r2', binding: 'SESSIONS_US', jurisdiction: 'fedramp' },
      },
      dataClasses: { 'chat-transcript': { retentionDays: 365 }, recording: { persist: false } },
    };
    const built = await buildWorker('wrangler.toml');
    worker = await startWorker(built, {
      r2Buckets: ['SESSIONS_EU', 'SESSIONS_US'],
      bindings: {
        RESIDENCY_POLICY: JSON.stringify(policy),
        RESIDENCY_S3_HOSTNAME: S3_HOST,
        RESIDENCY_SESSION_KEY: 'a-session-secret-of-at-least-32-bytes-for-workers',
      },
    });
    s3Url = worker.url.replace('127.0.0.1', S3_HOST);
  });
  after(() => worker?.stop());

  async function clientFor(claims: Record<string, string>): Promise<S3Client> {
    const form = new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      WebIdentityToken: await identity.sign(claims),
      RoleSessionName: 'workers',
    });
    const response = await fetch(`${s3Url}/`, { method: 'POST', body: form });
    const xml = await response.text();
    assert.equal(response.status, 200, xml);
    const field = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)![1]!;
    return new S3Client({
      endpoint: s3Url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey'), sessionToken: field('SessionToken') },
    });
  }

  test('a GB account writes, lists, reads and deletes through the AWS SDK; the object lands in the EU bucket only', async () => {
    const client = await clientFor({ account_id: 'acme', account_region: 'GB' });
    const body = JSON.stringify({ from: 'visitor', text: 'hello from the edge' });
    await client.send(new PutObjectCommand({ Bucket: 'chat-transcript', Key: '2026/12/03/s1.json', Body: body, ContentType: 'application/json' }));
    assert.deepEqual(await bucketKeys(worker, 'SESSIONS_US'), []);
    assert.ok((await bucketKeys(worker, 'SESSIONS_EU')).some((key) => key.endsWith('/acme/2026/12/03/s1.json')));
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'chat-transcript', Prefix: '2026/' }));
    assert.deepEqual(
      listed.Contents?.map((item) => item.Key),
      ['2026/12/03/s1.json'],
    );
    const got = await client.send(new GetObjectCommand({ Bucket: 'chat-transcript', Key: '2026/12/03/s1.json' }));
    assert.equal(await got.Body?.transformToString(), body);
    await client.send(new DeleteObjectCommand({ Bucket: 'chat-transcript', Key: '2026/12/03/s1.json' }));
    assert.equal((await client.send(new ListObjectsV2Command({ Bucket: 'chat-transcript' }))).KeyCount, 0);
  });

  test('R2 keeps user metadata, and the ETags are the MD5 of a single-part object and md5-of-md5s-N of a multipart one', async () => {
    const client = await clientFor({ account_id: 'acme', account_region: 'GB' });
    const md5 = (data: string | Buffer) => createHash('md5').update(data).digest();
    const body = 'an object at the edge';
    const put = await client.send(
      new PutObjectCommand({ Bucket: 'chat-transcript', Key: 'etag/single.txt', Body: body, Metadata: { note: 'café', plain: 'a=b; c' } }),
    );
    assert.equal(put.ETag, `"${md5(body).toString('hex')}"`);
    const head = await client.send(new HeadObjectCommand({ Bucket: 'chat-transcript', Key: 'etag/single.txt' }));
    assert.equal(head.ETag, put.ETag);
    // The SDK sends a non-ASCII value as its UTF-8 and reads the answer's bytes one character each: the same bytes came back.
    assert.deepEqual(head.Metadata, { note: Buffer.from('café', 'utf8').toString('latin1'), plain: 'a=b; c' });

    const parts = ['part one of the edge upload, ', 'part two'];
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: 'chat-transcript', Key: 'etag/multipart.txt', Metadata: { stage: 'created' } }),
    );
    const uploaded = [];
    for (const [index, part] of parts.entries()) {
      const answer = await client.send(
        new UploadPartCommand({ Bucket: 'chat-transcript', Key: 'etag/multipart.txt', UploadId, PartNumber: index + 1, Body: part }),
      );
      assert.equal(answer.ETag, `"${md5(part).toString('hex')}"`);
      uploaded.push({ PartNumber: index + 1, ETag: answer.ETag });
    }
    const complete = await client.send(
      new CompleteMultipartUploadCommand({ Bucket: 'chat-transcript', Key: 'etag/multipart.txt', UploadId, MultipartUpload: { Parts: uploaded } }),
    );
    const expected = `"${md5(Buffer.concat(parts.map((part) => md5(part)))).toString('hex')}-2"`;
    assert.equal(complete.ETag, expected);
    const multipartHead = await client.send(new HeadObjectCommand({ Bucket: 'chat-transcript', Key: 'etag/multipart.txt' }));
    assert.equal(multipartHead.ETag, expected);
    assert.deepEqual(multipartHead.Metadata, { stage: 'created' });
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'chat-transcript', Prefix: 'etag/' }));
    assert.deepEqual(
      listed.Contents?.map((item) => [item.Key, item.ETag]),
      [
        ['etag/multipart.txt', expected],
        ['etag/single.txt', put.ETag],
      ],
    );
  });

  test('a PNG labelled as JSON is refused with MediaRefused, and nothing is in either bucket', async () => {
    const client = await clientFor({ account_id: 'acme', account_region: 'FR' });
    await assert.rejects(
      client.send(new PutObjectCommand({ Bucket: 'chat-transcript', Key: 'shot.json', Body: PNG, ContentType: 'application/json' })),
      (error: { name?: string; $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(error.$metadata?.httpStatusCode, 415);
        assert.equal(error.name, 'MediaRefused');
        return true;
      },
    );
    assert.deepEqual(
      [...(await bucketKeys(worker, 'SESSIONS_EU')), ...(await bucketKeys(worker, 'SESSIONS_US'))].filter((key) => key.includes('shot')),
      [],
    );
  });

  test("the Worker's other hostnames still answer /v1, not S3", async () => {
    const health = await fetch(`${worker.url}/healthz`);
    assert.equal(health.status, 200);
    const v1 = await fetch(`${worker.url}/v1/objects/chat-transcript/x`);
    assert.equal(v1.status, 401);
    assert.equal(v1.headers.get('content-type'), 'application/problem+json');
    const s3 = await fetch(`${s3Url}/chat-transcript/x`);
    assert.equal(s3.status, 403);
    assert.match(s3.headers.get('content-type') ?? '', /xml/);
  });
});

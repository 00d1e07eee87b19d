import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { fromWebToken } from '@aws-sdk/credential-providers';
import { createHash } from 'node:crypto';
import { startS3Gateway, type S3TestGateway } from './helpers/s3-gateway.ts';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const MiB = 1024 * 1024;

function sdkClient(gateway: S3TestGateway, token: string): S3Client {
  return new S3Client({
    endpoint: gateway.s3Url,
    // The region a client signs with is ignored for routing: the zone comes from the token.
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: fromWebToken({
      webIdentityToken: token,
      roleArn: 'arn:aws:iam::000000000000:role/residency-proxy',
      roleSessionName: 'sdk-test',
      clientConfig: { endpoint: gateway.s3Url, region: 'us-east-1' },
    }),
  });
}

async function s3Error(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return error;
    throw error;
  }
  assert.fail('the request was not refused');
}

describe('S3 front door with @aws-sdk/client-s3 and its web-identity credential provider', () => {
  let gateway: S3TestGateway;
  let client: S3Client;
  before(async () => {
    gateway = await startS3Gateway({ fs: true, maxObjectBytes: 80 * MiB });
    client = sdkClient(gateway, await gateway.token());
  });
  after(async () => {
    client?.destroy();
    await gateway?.stop();
  });

  it('put, get, range get, head, list with prefix and delimiter, delete', async () => {
    const put = await client.send(
      new PutObjectCommand({ Bucket: 'chat-transcript', Key: '2026/12/s1.json', Body: '{"text":"hello"}', ContentType: 'application/json' }),
    );
    assert.equal(put.ETag, `"${createHash('md5').update('{"text":"hello"}').digest('hex')}"`);
    await client.send(new PutObjectCommand({ Bucket: 'chat-transcript', Key: '2026/12/s2.json', Body: '{}' }));
    await client.send(new PutObjectCommand({ Bucket: 'chat-transcript', Key: '2027/01/s3.json', Body: '{}' }));

    const got = await client.send(new GetObjectCommand({ Bucket: 'chat-transcript', Key: '2026/12/s1.json' }));
    assert.equal(await got.Body!.transformToString(), '{"text":"hello"}');
    assert.equal(got.ContentType, 'application/json');
    const range = await client.send(new GetObjectCommand({ Bucket: 'chat-transcript', Key: '2026/12/s1.json', Range: 'bytes=2-5' }));
    assert.equal(await range.Body!.transformToString(), 'text');
    assert.equal(range.ContentRange, 'bytes 2-5/16');
    const head = await client.send(new HeadObjectCommand({ Bucket: 'chat-transcript', Key: '2026/12/s1.json' }));
    assert.equal(head.ContentLength, 16);
    assert.equal(head.ETag, put.ETag);

    const rolled = await client.send(new ListObjectsV2Command({ Bucket: 'chat-transcript', Delimiter: '/' }));
    assert.deepEqual(
      rolled.CommonPrefixes?.map((p) => p.Prefix),
      ['2026/', '2027/'],
    );
    const under = await client.send(new ListObjectsV2Command({ Bucket: 'chat-transcript', Prefix: '2026/12/', MaxKeys: 1 }));
    assert.deepEqual(
      under.Contents?.map((o) => o.Key),
      ['2026/12/s1.json'],
    );
    assert.equal(under.IsTruncated, true);
    const next = await client.send(new ListObjectsV2Command({ Bucket: 'chat-transcript', Prefix: '2026/12/', ContinuationToken: under.NextContinuationToken }));
    assert.deepEqual(
      next.Contents?.map((o) => o.Key),
      ['2026/12/s2.json'],
    );
    const v1 = await client.send(new ListObjectsCommand({ Bucket: 'chat-transcript', Marker: '2026/12/s1.json' }));
    assert.deepEqual(
      v1.Contents?.map((o) => o.Key),
      ['2026/12/s2.json', '2027/01/s3.json'],
    );

    await client.send(new CopyObjectCommand({ Bucket: 'chat-transcript', Key: 'copy.json', CopySource: 'chat-transcript/2026/12/s1.json' }));
    assert.equal(
      await (await client.send(new GetObjectCommand({ Bucket: 'chat-transcript', Key: 'copy.json' }))).Body!.transformToString(),
      '{"text":"hello"}',
    );

    await client.send(new DeleteObjectCommand({ Bucket: 'chat-transcript', Key: '2026/12/s1.json' }));
    assert.equal((await s3Error(client.send(new GetObjectCommand({ Bucket: 'chat-transcript', Key: '2026/12/s1.json' })))).name, 'NoSuchKey');
    // S3 answers a DeleteObject of a missing key with 204.
    assert.equal((await client.send(new DeleteObjectCommand({ Bucket: 'chat-transcript', Key: 'never-written' }))).$metadata.httpStatusCode, 204);
    const deleted = await client.send(
      new DeleteObjectsCommand({
        Bucket: 'chat-transcript',
        Delete: { Objects: [{ Key: '2026/12/s2.json' }, { Key: '2027/01/s3.json' }, { Key: 'copy.json' }] },
      }),
    );
    assert.equal(deleted.Deleted?.length, 3);
    assert.deepEqual((await client.send(new ListObjectsV2Command({ Bucket: 'chat-transcript' }))).Contents ?? [], []);
  });

  it('the zone comes from the token: a US account lands in the US store whatever region the client signs with', async () => {
    const us = sdkClient(gateway, await gateway.token({ account_region: 'US' }));
    try {
      await us.send(new PutObjectCommand({ Bucket: 'chat-transcript', Key: 'us.txt', Body: 'us data' }));
      const keys = await gateway.storedKeys();
      assert.ok(
        keys.some((key) => key.startsWith('virginia:objects/chat-transcript/acme/us.txt')),
        keys.join('\n'),
      );
      assert.ok(!keys.some((key) => key.startsWith('london:') && key.endsWith('us.txt')));
      await us.send(new DeleteObjectCommand({ Bucket: 'chat-transcript', Key: 'us.txt' }));
    } finally {
      us.destroy();
    }
  });

  it('a refused PNG leaves nothing in any store, and is audited on the s3 front door', async () => {
    const before = await gateway.storedKeys();
    const error = await s3Error(client.send(new PutObjectCommand({ Bucket: 'chat-transcript', Key: 'shot.txt', Body: PNG, ContentType: 'text/plain' })));
    assert.equal(error.name, 'MediaRefused');
    assert.equal(error.$metadata.httpStatusCode, 415);
    assert.equal(error.$response?.headers['x-residency-code'], 'media_refused');
    assert.deepEqual(await gateway.storedKeys(), before);
    const event = gateway.audit.findLast((e) => e.code === 'media_refused');
    assert.equal(event?.frontDoor, 's3');
    assert.equal(event?.outcome, 'refused');
  });

  it('lib-storage multipart upload of 64 MiB, read back whole', async () => {
    const body = Buffer.alloc(64 * MiB);
    for (let i = 0; i < body.length; i += 4096) body.write(`line ${i}\n`, i);
    const upload = new Upload({
      client,
      params: { Bucket: 'cobrowse-session', Key: 'big/session.log', Body: body, ContentType: 'text/plain' },
      partSize: 8 * MiB,
      queueSize: 2,
    });
    await upload.done();
    const got = await client.send(new GetObjectCommand({ Bucket: 'cobrowse-session', Key: 'big/session.log' }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    assert.equal(bytes.length, body.length);
    assert.ok(bytes.equals(body));
    await client.send(new DeleteObjectCommand({ Bucket: 'cobrowse-session', Key: 'big/session.log' }));
    assert.ok(!(await gateway.storedKeys()).some((key) => key.includes('uploads/')), 'no staged part is left');
  });

  it('multipart: a PNG split across a part boundary is found at Complete, and nothing is left', async () => {
    const before = await gateway.storedKeys();
    const body = Buffer.concat([Buffer.alloc(5 * MiB - 4, 0x20), PNG, Buffer.alloc(1024, 0x20)]);
    const upload = new Upload({ client, params: { Bucket: 'cobrowse-session', Key: 'split.bin', Body: body }, partSize: 5 * MiB, queueSize: 1 });
    const error = await s3Error(upload.done());
    assert.equal(error.name, 'MediaRefused');
    assert.deepEqual(await gateway.storedKeys(), before);
  });

  it('multipart by hand: list parts and uploads, wrong ETag, abort leaves nothing, a finished upload is gone', async () => {
    const before = await gateway.storedKeys();
    const name = { Bucket: 'chat-transcript', Key: 'by-hand.txt' };
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ ...name, ContentType: 'text/plain' }));
    const one = await client.send(new UploadPartCommand({ ...name, UploadId, PartNumber: 1, Body: 'a'.repeat(5 * MiB) }));
    const two = await client.send(new UploadPartCommand({ ...name, UploadId, PartNumber: 2, Body: 'tail' }));
    const parts = await client.send(new ListPartsCommand({ ...name, UploadId }));
    assert.deepEqual(
      parts.Parts?.map((part) => [part.PartNumber, part.Size, part.ETag]),
      [
        [1, 5 * MiB, one.ETag],
        [2, 4, two.ETag],
      ],
    );
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: 'chat-transcript' }));
    assert.deepEqual(
      uploads.Uploads?.map((upload) => [upload.Key, upload.UploadId]),
      [['by-hand.txt', UploadId]],
    );
    // The object is not there before Complete.
    assert.equal((await s3Error(client.send(new HeadObjectCommand(name)))).$metadata.httpStatusCode, 404);
    const wrongEtag = await s3Error(
      client.send(new CompleteMultipartUploadCommand({ ...name, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"0"' }] } })),
    );
    assert.equal(wrongEtag.name, 'InvalidPart');
    const outOfOrder = await s3Error(
      client.send(
        new CompleteMultipartUploadCommand({
          ...name,
          UploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 2, ETag: two.ETag },
              { PartNumber: 1, ETag: one.ETag },
            ],
          },
        }),
      ),
    );
    assert.equal(outOfOrder.name, 'InvalidPartOrder');
    await client.send(new AbortMultipartUploadCommand({ ...name, UploadId }));
    assert.deepEqual(await gateway.storedKeys(), before);
    const gone = await s3Error(
      client.send(new CompleteMultipartUploadCommand({ ...name, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: one.ETag }] } })),
    );
    assert.equal(gone.name, 'NoSuchUpload');
    const otherKey = await s3Error(client.send(new UploadPartCommand({ Bucket: 'chat-transcript', Key: 'other.txt', UploadId, PartNumber: 1, Body: 'x' })));
    assert.equal(otherKey.name, 'NoSuchUpload');
  });

  it('buckets are data classes: unknown class, persist: false', async () => {
    assert.equal((await s3Error(client.send(new PutObjectCommand({ Bucket: 'no-such-class', Key: 'a', Body: 'x' })))).name, 'NoSuchBucket');
    const notPersisted = await s3Error(client.send(new PutObjectCommand({ Bucket: 'cobrowse-screenshot', Key: 'a', Body: 'x' })));
    assert.equal(notPersisted.name, 'AccessDenied');
    assert.equal(notPersisted.$response?.headers['x-residency-code'], 'data_class_not_persisted');
  });
});

describe('a long CompleteMultipartUpload is kept alive, as S3 keeps it', () => {
  let gateway: S3TestGateway;
  let client: S3Client;
  before(async () => {
    // Every Complete counts as long: the answer is 200 at once, whitespace, then the result or an error document.
    gateway = await startS3Gateway({ completeKeepAlive: { afterMs: 0, everyMs: 1 }, maxObjectBytes: 16 * MiB });
    client = sdkClient(gateway, await gateway.token());
  });
  after(async () => {
    client?.destroy();
    await gateway?.stop();
  });

  it('the SDK reads the result after the whitespace', async () => {
    const body = Buffer.alloc(6 * MiB, 0x61);
    await new Upload({ client, params: { Bucket: 'chat-transcript', Key: 'kept.txt', Body: body }, partSize: 5 * MiB, queueSize: 1 }).done();
    const head = await client.send(new HeadObjectCommand({ Bucket: 'chat-transcript', Key: 'kept.txt' }));
    assert.equal(head.ContentLength, body.length);
  });

  it('a refusal found after the 200 went out reaches the SDK as the error, is audited as refused, and leaves nothing', async () => {
    const before = await gateway.storedKeys();
    const body = Buffer.concat([Buffer.alloc(5 * MiB - 4, 0x20), PNG, Buffer.alloc(64, 0x20)]);
    const error = await s3Error(
      new Upload({ client, params: { Bucket: 'chat-transcript', Key: 'late.bin', Body: body }, partSize: 5 * MiB, queueSize: 1 }).done(),
    );
    assert.equal(error.name, 'MediaRefused');
    assert.deepEqual(await gateway.storedKeys(), before);
    // The audit event is recorded when the Complete settles, which the client may hear of first.
    for (let turn = 0; turn < 1000 && !gateway.audit.some((candidate) => candidate.code === 'media_refused'); turn += 1) await new Promise(setImmediate);
    const event = gateway.audit.findLast((candidate) => candidate.action === 'write');
    assert.equal(event?.outcome, 'refused');
    assert.equal(event?.code, 'media_refused');
  });
});

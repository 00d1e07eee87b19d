import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { startS3Gateway, type S3TestGateway } from './helpers/s3-gateway.ts';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

/**
 * A multipart upload whose parts were staged before an erasure of their data
 * subject (or account) cannot be completed after it: the parts were the
 * subject's data written before the erasure answered.
 */
let gw: S3TestGateway;
before(async () => {
  gw = await startS3Gateway();
});
after(() => gw.stop());

async function client(): Promise<S3Client> {
  const { accessKeyId, secretAccessKey, sessionToken } = await gw.credentials();
  return new S3Client({ endpoint: gw.s3Url, region: 'eu-west-2', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey, sessionToken } });
}

async function stagedUpload(s3: S3Client, key: string, subject: string) {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'chat-transcript', Key: key, Metadata: { 'subject-id': subject } }));
  const { ETag } = await s3.send(new UploadPartCommand({ Bucket: 'chat-transcript', Key: key, UploadId, PartNumber: 1, Body: `{"about":"${subject}"}` }));
  return { UploadId: UploadId!, ETag: ETag! };
}

const complete = (s3: S3Client, key: string, upload: { UploadId: string; ETag: string }) =>
  s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: 'chat-transcript',
      Key: key,
      UploadId: upload.UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: upload.ETag }] },
    }),
  );

test('an upload begun before its subject was erased cannot be completed after: NoSuchUpload, and nothing of it is stored', async () => {
  const s3 = await client();
  const upload = await stagedUpload(s3, 'erased/visitor.json', 'visitor-7');
  const erased = await gw.as({ scope: 'residency:admin' }, '/v1/subjects/visitor-7', { method: 'DELETE' });
  assert.equal(erased.status, 200, await erased.text());
  await assert.rejects(complete(s3, 'erased/visitor.json', upload), (error: { name?: string; $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.$metadata?.httpStatusCode, 404);
    assert.equal(error.name, 'NoSuchUpload');
    return true;
  });
  assert.deepEqual(
    (await gw.storedKeys()).filter((key) => key.includes('erased/visitor.json') || key.includes('uploads/')),
    [],
  );
});

test('an upload of another subject, or begun after the erasure, completes', async () => {
  const s3 = await client();
  const other = await stagedUpload(s3, 'kept/other.json', 'visitor-8');
  const erased = await gw.as({ scope: 'residency:admin' }, '/v1/subjects/visitor-9', { method: 'DELETE' });
  assert.equal(erased.status, 200);
  await complete(s3, 'kept/other.json', other);
  const after = await stagedUpload(s3, 'kept/after.json', 'visitor-9');
  await complete(s3, 'kept/after.json', after);
  const keys = await gw.storedKeys();
  assert.ok(keys.some((key) => key.endsWith('/kept/other.json')));
  assert.ok(keys.some((key) => key.endsWith('/kept/after.json')));
});

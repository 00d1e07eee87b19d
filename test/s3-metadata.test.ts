import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CopyObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type DoorAnswer, STORE_KINDS, sendSigned, startS3Door, suiteDoor, type S3Door } from './helpers/s3-door.ts';
import { signerCredentials } from './helpers/s3-requests.ts';
import { presignQuery } from './helpers/s3-signer.ts';
import { userMetadataBytes, userMetadataOf } from './helpers/user-metadata.ts';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const SUBJECT = 'visitor-raw-id-7f3a9c';
/** What a client passes (fetch and the SDKs send a string's UTF-8 bytes)... */
const CLIENT_VALUE = 'café 東京 🙂';
/** ...and those bytes as HTTP header bytes (one character per byte): what the gateway must keep and send back. */
const UTF8_VALUE = Buffer.from(CLIENT_VALUE, 'utf8').toString('latin1');

/** The smallest PNG: one transparent pixel (67 bytes). */
const PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const percentEncoded = (bytes: Uint8Array): string => Array.from(bytes, (byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

function xmlField(text: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1];
}

function metaHeaders(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([name, value]) => [`x-amz-meta-${name}`, value]));
}

/** The x-amz-meta-* of an answer, without the prefix. */
function userMetadataOfResponse(response: DoorAnswer): Record<string, string> {
  return Object.fromEntries(
    Object.entries(response.headers)
      .filter(([name]) => name.startsWith('x-amz-meta-'))
      .map(([name, value]) => [name.slice('x-amz-meta-'.length), value]),
  );
}

for (const { kind, start } of STORE_KINDS) {
  describe(`S3 user metadata on the ${kind} store`, () => {
    const suite = suiteDoor(start);
    const { request } = suite;

    it('keeps 2 KiB of user metadata (subject id counted) and returns it on GET and HEAD byte for byte; the subject id is stored nowhere in clear', async () => {
      const subjectBytes = 'subject-id'.length + SUBJECT.length;
      const ascii = userMetadataOf(2048 - subjectBytes - 'utf8'.length - UTF8_VALUE.length, { ascii: true });
      const userMetadata = { ...ascii, utf8: UTF8_VALUE };
      assert.equal(userMetadataBytes(userMetadata) + subjectBytes, 2048);
      const put = await request('PUT', '/chat-transcript/meta/at-limit.json', {
        body: '{"a":1}',
        headers: { 'content-type': 'application/json', ...metaHeaders({ ...ascii, utf8: CLIENT_VALUE }), 'x-amz-meta-subject-id': SUBJECT },
      });
      assert.equal(put.status, 200, put.text);
      for (const method of ['GET', 'HEAD']) {
        const response = await request(method, '/chat-transcript/meta/at-limit.json');
        assert.equal(response.status, 200);
        assert.deepEqual(userMetadataOfResponse(response), userMetadata, `${method} answers the user metadata as sent, without the subject id`);
        if (method === 'GET') assert.equal(response.text, '{"a":1}');
      }
      const stored = await suite.door.backed.dump();
      assert.ok(stored.includes('{"a":1}'), 'the dump sees the stored object');
      assert.ok(!stored.includes(SUBJECT), 'the raw subject id is nowhere in any store');
      assert.ok(!stored.includes(Buffer.from(SUBJECT).toString('base64').slice(0, 20)), 'nor in base64');
    });

    it('refuses more than 2 KiB of user metadata with MetadataTooLarge (PutObject, CreateMultipartUpload, CopyObject REPLACE), storing nothing', async () => {
      const before = await suite.door.backed.dump();
      const oneOver = { ...userMetadataOf(2048 - 'subject-id'.length - SUBJECT.length, { ascii: true }), extra: 'x' };
      const put = await request('PUT', '/chat-transcript/meta/over.json', {
        body: '{}',
        headers: { ...metaHeaders(oneOver), 'x-amz-meta-subject-id': SUBJECT },
      });
      assert.equal(put.status, 400, put.text);
      assert.equal(xmlField(put.text, 'Code'), 'MetadataTooLarge');
      assert.equal(put.headers['x-residency-code'], 'bad_request');
      const create = await request('POST', '/chat-transcript/meta/over-multipart.json', {
        query: 'uploads=',
        headers: metaHeaders(userMetadataOf(2049, { ascii: true })),
      });
      assert.equal(xmlField(create.text, 'Code'), 'MetadataTooLarge');
      assert.equal(await suite.door.backed.dump(), before, 'nothing stored, nothing staged');
      await request('PUT', '/chat-transcript/meta/over-source.txt', { body: 'source' });
      const beforeCopy = await suite.door.backed.dump();
      const copy = await request('PUT', '/chat-transcript/meta/over-copy.txt', {
        headers: {
          'x-amz-copy-source': '/chat-transcript/meta/over-source.txt',
          'x-amz-metadata-directive': 'REPLACE',
          ...metaHeaders(userMetadataOf(2049, { ascii: true })),
        },
      });
      assert.equal(xmlField(copy.text, 'Code'), 'MetadataTooLarge', 'CopyObject REPLACE');
      assert.equal(await suite.door.backed.dump(), beforeCopy, 'nothing stored, nothing staged');
      assert.equal((await request('HEAD', '/chat-transcript/meta/over.json')).status, 404);
    });

    it('media in a key, a metadata value or a metadata name is refused like media in the body (PutObject, CopyObject, multipart, presigned), storing nothing', async () => {
      await request('PUT', '/chat-transcript/meta/plain-source.txt', { body: 'source' });
      const before = await suite.door.backed.dump();
      const pngBase64 = Buffer.from(PIXEL_PNG).toString('base64');
      const refusals = [
        ['a data: URL in a value', { path: '/chat-transcript/meta/thumb.json', headers: metaHeaders({ thumbnail: `data:image/png;base64,${pngBase64}` }) }],
        ['bare base64 in a value', { path: '/chat-transcript/meta/thumb2.json', headers: metaHeaders({ preview: pngBase64 }) }],
        ['RFC 2047 base64 in a value', { path: '/chat-transcript/meta/thumb3.json', headers: metaHeaders({ preview: `=?UTF-8?B?${pngBase64}?=` }) }],
        ['percent-encoded bytes in a value', { path: '/chat-transcript/meta/thumb4.json', headers: metaHeaders({ raw: percentEncoded(PIXEL_PNG) }) }],
        [
          'a data: URL in a Content-Type parameter',
          { path: '/chat-transcript/meta/thumb6.json', headers: { 'content-type': `text/plain; name="data:image/png;base64,${pngBase64}"` } },
        ],
        ['hex in a metadata name', { path: '/chat-transcript/meta/thumb5.json', headers: { [`x-amz-meta-${PIXEL_PNG.toString('hex')}`]: 'x' } }],
        ['base64url of a PNG as the key', { path: `/chat-transcript/meta/${Buffer.from(PIXEL_PNG).toString('base64url')}`, headers: {} }],
      ] as const;
      for (const [what, { path, headers }] of refusals) {
        const put = await request('PUT', path, { body: '{"a":1}', headers: { 'content-type': 'application/json', ...headers } });
        assert.equal(put.status, 415, `${what}: ${put.text}`);
        assert.equal(xmlField(put.text, 'Code'), 'MediaRefused', what);
        assert.equal(put.headers['x-residency-code'], 'media_refused', what);
        const copy = await request('PUT', path, {
          headers: { 'x-amz-copy-source': '/chat-transcript/meta/plain-source.txt', 'x-amz-metadata-directive': 'REPLACE', ...headers },
        });
        assert.equal(xmlField(copy.text, 'Code'), 'MediaRefused', `${what}: CopyObject REPLACE`);
        const create = await request('POST', path, { query: 'uploads=', headers });
        assert.equal(xmlField(create.text, 'Code'), 'MediaRefused', `${what}: CreateMultipartUpload`);
        assert.equal(await suite.door.backed.dump(), before, `${what}: nothing stored, nothing staged`);
      }
      const presigned = presignQuery(
        {
          method: 'PUT',
          path: '/chat-transcript/meta/presigned-thumb.txt',
          query: `x-amz-meta-thumb=${encodeURIComponent(`data:image/png;base64,${pngBase64}`)}`,
          headers: { host: new URL(suite.door.s3Url).host },
          expiresSeconds: 300,
        },
        signerCredentials(suite.credentials),
      );
      const put = await fetch(`${suite.door.s3Url}/chat-transcript/meta/presigned-thumb.txt?${presigned}`, { method: 'PUT', body: 'presigned body' });
      assert.equal(put.status, 415, 'a presigned URL carrying a data: URL as metadata');
      assert.equal(await suite.door.backed.dump(), before, 'nothing stored');
      const fine = await request('PUT', '/chat-transcript/meta/0f8fad5b-d9cb-469f-a165-70867728950e.json', {
        body: '{}',
        headers: metaHeaders({ note: 'a PNG of the checkout page, data: pending', digest: 'd41d8cd98f00b204e9800998ecf8427e' }),
      });
      assert.equal(fine.status, 200, `ordinary keys and metadata are stored: ${fine.text}`);
    });

    it('a presigned PUT carries user metadata and the subject id as signed query parameters, as the SDK presigners put them', async () => {
      const query = `x-amz-meta-note=${encodeURIComponent(CLIENT_VALUE)}&x-amz-meta-subject-id=${SUBJECT}`;
      const url = `${suite.door.s3Url}/chat-transcript/meta/presigned.txt`;
      const presigned = presignQuery(
        { method: 'PUT', path: '/chat-transcript/meta/presigned.txt', query, headers: { host: new URL(suite.door.s3Url).host }, expiresSeconds: 300 },
        signerCredentials(suite.credentials),
      );
      const put = await fetch(`${url}?${presigned}`, { method: 'PUT', body: 'presigned body' });
      assert.equal(put.status, 200, await put.text());
      const head = await request('HEAD', '/chat-transcript/meta/presigned.txt');
      assert.deepEqual(userMetadataOfResponse(head), { note: UTF8_VALUE });
      const stored = await suite.door.backed.dump();
      assert.ok(stored.includes(await suite.door.gateway.deps.hashIdentifier(SUBJECT)), 'the subject is recorded, hashed');
      assert.ok(!stored.includes(SUBJECT), 'and never in clear');

      const tampered = await fetch(`${url}?${presigned.replace('x-amz-meta-note=', 'x-amz-meta-note=x')}`, { method: 'PUT', body: 'tampered' });
      assert.equal(tampered.status, 403, 'the query is signed');
      const plain = presignQuery(
        { method: 'PUT', path: '/chat-transcript/meta/added.txt', headers: { host: new URL(suite.door.s3Url).host }, expiresSeconds: 300 },
        signerCredentials(suite.credentials),
      );
      const added = await fetch(`${suite.door.s3Url}/chat-transcript/meta/added.txt?${plain}`, {
        method: 'PUT',
        body: 'x',
        headers: { 'x-amz-meta-subject-id': 'someone-else' },
      });
      assert.equal(added.status, 403, 'whoever holds the URL cannot add an unsigned subject id');
      assert.equal((await request('HEAD', '/chat-transcript/meta/added.txt')).status, 404);
      const both = presignQuery(
        {
          method: 'PUT',
          path: '/chat-transcript/meta/both.txt',
          query: 'x-amz-meta-note=query',
          headers: { host: new URL(suite.door.s3Url).host, 'x-amz-meta-note': 'header' },
          expiresSeconds: 300,
        },
        signerCredentials(suite.credentials),
      );
      const twice = await fetch(`${suite.door.s3Url}/chat-transcript/meta/both.txt?${both}`, {
        method: 'PUT',
        body: 'x',
        headers: { 'x-amz-meta-note': 'header' },
      });
      assert.equal(twice.status, 400, await twice.text());
      assert.equal((await request('HEAD', '/chat-transcript/meta/both.txt')).status, 404);
    });

    it('CopyObject keeps the source user metadata with COPY and takes the request one with REPLACE', async () => {
      await request('PUT', '/chat-transcript/meta/source.txt', { body: 'source', headers: metaHeaders({ origin: 'source', shared: 'one' }) });
      const copy = await request('PUT', '/chat-transcript/meta/copied.txt', {
        headers: { 'x-amz-copy-source': '/chat-transcript/meta/source.txt', ...metaHeaders({ ignored: 'yes' }) },
      });
      assert.equal(copy.status, 200, copy.text);
      assert.deepEqual(userMetadataOfResponse(await request('HEAD', '/chat-transcript/meta/copied.txt')), { origin: 'source', shared: 'one' });
      const replaced = await request('PUT', '/chat-transcript/meta/replaced.txt', {
        headers: {
          'x-amz-copy-source': '/chat-transcript/meta/source.txt',
          'x-amz-metadata-directive': 'REPLACE',
          ...metaHeaders({ shared: 'two', fresh: CLIENT_VALUE }),
        },
      });
      assert.equal(replaced.status, 200, replaced.text);
      assert.deepEqual(userMetadataOfResponse(await request('HEAD', '/chat-transcript/meta/replaced.txt')), { shared: 'two', fresh: UTF8_VALUE });
      const emptied = await request('PUT', '/chat-transcript/meta/emptied.txt', {
        headers: { 'x-amz-copy-source': '/chat-transcript/meta/source.txt', 'x-amz-metadata-directive': 'REPLACE' },
      });
      assert.equal(emptied.status, 200);
      assert.deepEqual(userMetadataOfResponse(await request('HEAD', '/chat-transcript/meta/emptied.txt')), {});
    });

    it('a multipart upload keeps the user metadata given at its start and applies it at Complete', async () => {
      const path = '/chat-transcript/meta/multipart.txt';
      const create = await request('POST', path, { query: 'uploads=', headers: metaHeaders({ stage: 'created', utf8: CLIENT_VALUE }) });
      const uploadId = xmlField(create.text, 'UploadId');
      assert.ok(uploadId);
      const part = await request('PUT', path, { query: `partNumber=1&uploadId=${uploadId}`, body: 'only part' });
      const etag = part.headers.etag;
      assert.ok(etag);
      const document = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`;
      const complete = await request('POST', path, { query: `uploadId=${uploadId}`, body: document });
      assert.equal(complete.status, 200);
      assert.ok(xmlField(complete.text, 'ETag'));
      const got = await request('GET', path);
      assert.deepEqual(userMetadataOfResponse(got), { stage: 'created', utf8: UTF8_VALUE });
      assert.equal(got.text, 'only part');
    });
  });
}

describe('S3 user metadata from the AWS SDK', () => {
  let door: S3Door;
  let client: S3Client;
  before(async () => {
    door = await startS3Door(await STORE_KINDS[0]!.start());
    client = new S3Client({
      endpoint: door.s3Url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: signerCredentials(await door.credentials()),
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
  });
  after(async () => {
    client?.destroy();
    await door?.stop();
  });

  it('sends a non-ASCII value as UTF-8 bytes, which come back byte for byte (the SDK reads them as it reads any header)', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'chat-transcript', Key: 'sdk/meta.txt', Body: 'x', Metadata: { note: 'café', plain: 'a=b; c' } }));
    const head = await client.send(new HeadObjectCommand({ Bucket: 'chat-transcript', Key: 'sdk/meta.txt' }));
    const raw = await sendSigned(door.s3Url, signerCredentials(await door.credentials()), 'HEAD', '/chat-transcript/sdk/meta.txt');
    assert.equal(raw.headers['x-amz-meta-note'], Buffer.from('café', 'utf8').toString('latin1'), 'the UTF-8 bytes the SDK sent');
    assert.deepEqual(head.Metadata, { note: raw.headers['x-amz-meta-note'], plain: 'a=b; c' });
    await client.send(
      new CopyObjectCommand({ Bucket: 'chat-transcript', Key: 'sdk/copy.txt', CopySource: 'chat-transcript/sdk/meta.txt', MetadataDirective: 'COPY' }),
    );
    assert.deepEqual((await client.send(new HeadObjectCommand({ Bucket: 'chat-transcript', Key: 'sdk/copy.txt' }))).Metadata, head.Metadata);
  });
});

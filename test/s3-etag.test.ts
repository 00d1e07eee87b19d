import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFsStore } from '../src/adapters/fs.ts';
import { storeKey } from '../src/policy/keys.ts';
import { startEncryptedHost } from './helpers/encrypted-host.ts';
import { ensureClients, runClient, s3cmdArguments, type ClientRun } from './helpers/s3-clients.ts';
import { STORE_KINDS, startS3Door, suiteDoor, type S3Door } from './helpers/s3-door.ts';
import type { S3Credentials } from './helpers/s3-gateway.ts';
import { signerCredentials } from './helpers/s3-requests.ts';
import { signedChunkedBody, signHeaders } from './helpers/s3-signer.ts';

const MiB = 1024 * 1024;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');
/** S3's ETag of a multipart object: the MD5 of the parts' binary MD5s, `-`, the number of parts. */
const multipartEtag = (parts: Array<Buffer | string>) =>
  `${createHash('md5')
    .update(Buffer.concat(parts.map((part) => createHash('md5').update(part).digest())))
    .digest('hex')}-${parts.length}`;

function xmlFields(text: string, tag: string): string[] {
  return [...text.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((match) => match[1]!.replaceAll('&quot;', '"').replaceAll('&#34;', '"'));
}

function ok(result: ClientRun, what: string): string {
  assert.equal(result.code, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

for (const { kind, start } of STORE_KINDS) {
  describe(`S3 ETags on the ${kind} store`, () => {
    const suite = suiteDoor(start);
    const { request } = suite;

    /** The ETag every way of reading an object reports: PutObject's answer, GET, HEAD, ListObjectsV2 and ListObjects. */
    async function assertEtagEverywhere(path: string, expected: string): Promise<void> {
      const quoted = `"${expected}"`;
      assert.equal((await request('GET', path)).headers.etag, quoted, 'GET');
      assert.equal((await request('HEAD', path)).headers.etag, quoted, 'HEAD');
      const [bucket, ...key] = path.slice(1).split('/');
      for (const query of [`list-type=2&prefix=${encodeURIComponent(key.join('/'))}`, `prefix=${encodeURIComponent(key.join('/'))}`]) {
        const listing = await request('GET', `/${bucket}`, { query });
        assert.deepEqual(xmlFields(listing.text, 'ETag'), [quoted], `list ${query}`);
      }
      assert.equal((await request('GET', path, { headers: { 'if-match': quoted } })).status, 200, 'If-Match the ETag given');
      assert.equal((await request('GET', path, { headers: { 'if-none-match': quoted } })).status, 304, 'If-None-Match the ETag given');
      assert.equal((await request('GET', path, { headers: { 'if-match': '"0123456789abcdef0123456789abcdef"' } })).status, 412, 'If-Match another');
    }

    it('a single-part object: the hex MD5 of its bytes, on PutObject and every read', async () => {
      const body = 'hello, ETag\n'.repeat(1000);
      const put = await request('PUT', '/chat-transcript/etag/single.txt', { body, headers: { 'content-type': 'text/plain' } });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.headers.etag, `"${md5(body)}"`);
      await assertEtagEverywhere('/chat-transcript/etag/single.txt', md5(body));
    });

    it('an aws-chunked upload with chunk signatures: the MD5 of the object, not of its framing', async () => {
      const chunks = [Buffer.alloc(8192, 0x61), Buffer.alloc(100, 0x62)];
      const signed = signHeaders(
        {
          method: 'PUT',
          path: '/chat-transcript/etag/chunked.txt',
          headers: {
            host: new URL(suite.door.s3Url).host,
            'content-encoding': 'aws-chunked',
            'x-amz-decoded-content-length': '8292',
            'content-type': 'text/plain',
          },
          payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        },
        signerCredentials(suite.credentials),
      );
      const { host: _host, ...headers } = signed.headers;
      const { body } = signedChunkedBody(signed, chunks);
      const put = await fetch(`${suite.door.s3Url}/chat-transcript/etag/chunked.txt`, { method: 'PUT', headers, body });
      assert.equal(put.status, 200, await put.text());
      assert.equal(put.headers.get('etag'), `"${md5(Buffer.concat(chunks))}"`);
      await assertEtagEverywhere('/chat-transcript/etag/chunked.txt', md5(Buffer.concat(chunks)));
    });

    it('an empty object: the MD5 of no bytes', async () => {
      const put = await request('PUT', '/chat-transcript/etag/empty', {});
      assert.equal(put.headers.etag, `"${md5('')}"`);
      await assertEtagEverywhere('/chat-transcript/etag/empty', md5(''));
    });

    it('a redacted object: the MD5 of the bytes as stored, which is what GET returns', async () => {
      const body = JSON.stringify({ note: 'see', shot: `data:image/png;base64,${PNG.toString('base64')}` });
      const put = await request('PUT', '/feedback-log/etag/redacted.json', { body, headers: { 'content-type': 'application/json' } });
      assert.equal(put.status, 200, put.text);
      const stored = (await request('GET', '/feedback-log/etag/redacted.json')).text;
      assert.notEqual(stored, body, 'the image was redacted');
      assert.equal(put.headers.etag, `"${md5(stored)}"`);
      await assertEtagEverywhere('/feedback-log/etag/redacted.json', md5(stored));
    });

    it('a copy: the MD5 of its bytes, in CopyObjectResult and on every read', async () => {
      await request('PUT', '/chat-transcript/etag/copy-source.txt', { body: 'copied bytes' });
      const copy = await request('PUT', '/chat-transcript/etag/copy.txt', { headers: { 'x-amz-copy-source': '/chat-transcript/etag/copy-source.txt' } });
      assert.deepEqual(xmlFields(copy.text, 'ETag'), [`"${md5('copied bytes')}"`]);
      await assertEtagEverywhere('/chat-transcript/etag/copy.txt', md5('copied bytes'));
    });

    it("a multipart object: UploadPart answers each part's MD5, Complete S3's md5-of-md5s-N, and every read the same", async () => {
      const path = '/chat-transcript/etag/multipart.txt';
      const parts = ['first part, ', 'second part, ', 'third'];
      const uploadId = xmlFields((await request('POST', path, { query: 'uploads=' })).text, 'UploadId')[0];
      assert.ok(uploadId);
      const etags: string[] = [];
      for (const [index, part] of parts.entries()) {
        const answer = await request('PUT', path, { query: `partNumber=${index + 1}&uploadId=${uploadId}`, body: part });
        assert.equal(answer.headers.etag, `"${md5(part)}"`);
        etags.push(answer.headers.etag!);
      }
      assert.deepEqual(xmlFields((await request('GET', path, { query: `uploadId=${uploadId}` })).text, 'ETag'), etags, 'ListParts');
      const document = (listed: string[]) =>
        `<CompleteMultipartUpload>${listed.map((etag, index) => `<Part><PartNumber>${index + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;

      const before = await suite.door.backed.dump();
      const wrong = await request('POST', path, { query: `uploadId=${uploadId}`, body: document([etags[0]!, `"${md5('something else')}"`, etags[2]!]) });
      assert.equal(wrong.status, 400, wrong.text);
      assert.deepEqual(xmlFields(wrong.text, 'Code'), ['InvalidPart']);
      assert.equal((await request('HEAD', path)).status, 404, 'nothing stored');
      assert.equal(await suite.door.backed.dump(), before, 'nothing stored, the staged parts kept for a corrected Complete');

      const complete = await request('POST', path, { query: `uploadId=${uploadId}`, body: document(etags) });
      assert.equal(complete.status, 200, complete.text);
      assert.deepEqual(xmlFields(complete.text, 'ETag'), [`"${multipartEtag(parts)}"`]);
      assert.equal((await request('GET', path)).text, parts.join(''));
      await assertEtagEverywhere(path, multipartEtag(parts));
    });

    it('an object stored before the gateway computed ETags keeps the store one', async () => {
      const store = suite.door.backed.stores.get('london')!;
      const written = await store.put(
        storeKey({ account: 'acme', dataClass: 'chat-transcript', key: 'etag/legacy.txt' }),
        new Response('written before').body!,
        { contentType: 'text/plain', account: 'acme', dataClass: 'chat-transcript' },
      );
      assert.equal((await store.head(storeKey({ account: 'acme', dataClass: 'chat-transcript', key: 'etag/legacy.txt' })))?.metadata.etag, undefined);
      await assertEtagEverywhere('/chat-transcript/etag/legacy.txt', written.etag);
    });
  });
}

describe('ETags in an encrypted, masking zone on the Node host', () => {
  it('are the MD5 of the masked plaintext that a read returns, not of the ciphertext in the store, and /v1 reports the same', async () => {
    const host = await startEncryptedHost();
    try {
      const body = JSON.stringify({ messages: [{ from: 'visitor', text: 'mail me at jane.doe@example.com about the order' }] });
      const path = '/v1/objects/chat-transcript/etag/masked.json';
      const claims = { account_id: 'acme', account_region: 'GB' };
      const put = await host.as(claims, path, { method: 'PUT', body, headers: { 'content-type': 'application/json' } });
      assert.equal(put.status, 201, await put.clone().text());
      const placement = (await put.json()) as { etag: string };
      const read = await host.as(claims, path);
      const plaintext = await read.text();
      assert.notEqual(plaintext, body, 'the address was masked');
      assert.equal(placement.etag, md5(plaintext));
      assert.equal(read.headers.get('etag'), `"${md5(plaintext)}"`);
      const [stored] = await host.dataKeys('london', 'objects/');
      assert.ok(stored);
      const sealed = await createFsStore({ root: host.dataDir('london') }).get(stored);
      assert.ok(sealed);
      assert.notEqual(md5(Buffer.from(await new Response(sealed.body).arrayBuffer())), placement.etag, 'not the MD5 of the ciphertext');
      assert.equal(sealed.info.etag, placement.etag, 'the store reports the ETag the gateway computed');
      assert.equal((await host.as(claims, path, { headers: { 'if-none-match': `"${md5(plaintext)}"` } })).status, 304);
    } finally {
      await host.stop();
    }
  });
});

describe('ETags checked by real clients', () => {
  let door: S3Door;
  let dir: string;
  let credentials: S3Credentials;
  const tenMiB = Buffer.alloc(10 * MiB);
  for (let i = 0; i < tenMiB.length; i += 997) tenMiB.write(`${i}\n`, i);

  before(async () => {
    ensureClients();
    // Azure's own ETag is no MD5: whatever the clients check is the gateway's.
    door = await startS3Door(await STORE_KINDS.find((candidate) => candidate.kind === 'azure-blob')!.start());
    credentials = await door.credentials();
    dir = await mkdtemp(join(tmpdir(), 'rp-s3-etag-'));
    await writeFile(join(dir, 'ten.bin'), tenMiB);
    await writeFile(join(dir, 'small.txt'), 'checked by s3cmd\n');
  });
  after(async () => {
    await door?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const awsEnv = () => ({
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
  });
  const aws = (args: string[]) =>
    runClient('/usr/bin/aws', [...args, '--endpoint-url', door.s3Url, '--region', 'eu-west-1', '--output', 'json'], awsEnv(), dir);

  it('the aws CLI uploads 10 MiB in 8 MiB parts and reads back md5-of-md5s-2', async () => {
    ok(await aws(['s3', 'cp', join(dir, 'ten.bin'), 's3://chat-transcript/clients/ten.bin']), 's3 cp');
    const head = JSON.parse(ok(await aws(['s3api', 'head-object', '--bucket', 'chat-transcript', '--key', 'clients/ten.bin']), 'head-object')) as {
      ETag: string;
    };
    assert.equal(head.ETag, `"${multipartEtag([tenMiB.subarray(0, 8 * MiB), tenMiB.subarray(8 * MiB)])}"`);
    ok(await aws(['s3', 'cp', 's3://chat-transcript/clients/ten.bin', join(dir, 'ten-back.bin')]), 's3 cp back');
    assert.ok((await readFile(join(dir, 'ten-back.bin'))).equals(tenMiB));
  });

  it('boto3 sees the same -N ETag after a multipart upload_file, and the MD5 after put_object', async () => {
    const script = `
import json, sys, boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
endpoint, key, secret, token, folder = sys.argv[1:6]
s3 = boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1', aws_access_key_id=key, aws_secret_access_key=secret,
                  aws_session_token=token, config=Config(s3={'addressing_style': 'path'}))
s3.upload_file(folder + '/ten.bin', 'chat-transcript', 'clients/boto-ten.bin', Config=TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024))
put = s3.put_object(Bucket='chat-transcript', Key='clients/boto-small.txt', Body=b'small')
print(json.dumps({'multipart': s3.head_object(Bucket='chat-transcript', Key='clients/boto-ten.bin')['ETag'], 'put': put['ETag'],
                  'head': s3.head_object(Bucket='chat-transcript', Key='clients/boto-small.txt')['ETag']}))
`;
    await writeFile(join(dir, 'etag.py'), script);
    const out = JSON.parse(
      ok(
        await runClient(
          '/usr/bin/python3',
          [join(dir, 'etag.py'), door.s3Url, credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken, dir],
          {},
          dir,
        ),
        'boto3',
      ),
    ) as Record<string, string>;
    assert.equal(out.multipart, `"${multipartEtag([tenMiB.subarray(0, 5 * MiB), tenMiB.subarray(5 * MiB)])}"`);
    assert.equal(out.put, `"${md5('small')}"`);
    assert.equal(out.head, out.put);
  });

  it('s3cmd puts and gets with its MD5 checks, on a store whose own ETag is not an MD5', async () => {
    const args = await s3cmdArguments(dir, door.s3Url, credentials);
    const s3cmd = (more: string[]) => runClient('/usr/bin/s3cmd', [...args, ...more], {}, dir);
    const put = ok(await s3cmd(['put', join(dir, 'small.txt'), 's3://chat-transcript/clients/cmd.txt']), 'put');
    assert.doesNotMatch(put, /MD5 Sums don't match|WARNING/i);
    const get = await s3cmd(['get', '--force', 's3://chat-transcript/clients/cmd.txt', join(dir, 'cmd-back.txt')]);
    ok(get, 'get');
    assert.doesNotMatch(`${get.stdout}${get.stderr}`, /MD5 signatures do not match|WARNING/i);
    assert.equal(await readFile(join(dir, 'cmd-back.txt'), 'utf8'), 'checked by s3cmd\n');
    const info = ok(await s3cmd(['info', 's3://chat-transcript/clients/cmd.txt']), 'info');
    assert.match(info, new RegExp(`MD5 sum:\\s+${md5('checked by s3cmd\n')}`));
  });
});

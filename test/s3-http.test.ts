import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSessionAuthority } from '../src/auth/session/credentials.ts';
import { startS3Gateway, type S3Credentials, type S3TestGateway } from './helpers/s3-gateway.ts';
import { presignedUrl, signedFetch, signerCredentials } from './helpers/s3-requests.ts';
import { sha256Hex, signedChunkedBody, signHeaders } from './helpers/s3-signer.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

function xmlField(text: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1];
}

async function expectS3Error(response: Response, status: number, code: string, residencyCode?: string): Promise<string> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.equal(xmlField(text, 'Code'), code, text);
  assert.ok(xmlField(text, 'RequestId'), 'the error names the request');
  if (residencyCode !== undefined) assert.equal(response.headers.get('x-residency-code'), residencyCode);
  return text;
}

async function sts(gateway: S3TestGateway, form: Record<string, string>): Promise<Response> {
  return fetch(`${gateway.s3Url}/`, { method: 'POST', body: new URLSearchParams(form) });
}

describe('S3 front door over HTTP', () => {
  let gateway: S3TestGateway;
  let clockOffsetMs = 0;
  let credentials: S3Credentials;

  before(async () => {
    gateway = await startS3Gateway({ now: () => Date.now() + clockOffsetMs });
    credentials = await gateway.credentials();
  });
  after(() => gateway?.stop());

  const put = (path: string, body: string | Uint8Array, more: Parameters<typeof signedFetch>[4] = {}) =>
    signedFetch(gateway.s3Url, signerCredentials(credentials), 'PUT', path, { body, ...more });

  describe('STS AssumeRoleWithWebIdentity', () => {
    it('trades a token for credentials that never outlive it', async () => {
      const now = Math.floor(Date.now() / 1000);
      const response = await sts(gateway, {
        Action: 'AssumeRoleWithWebIdentity',
        Version: '2011-06-15',
        DurationSeconds: '3600',
        WebIdentityToken: await gateway.token({ exp: now + 300 }),
      });
      const text = await response.text();
      assert.equal(response.status, 200, text);
      assert.equal(Date.parse(xmlField(text, 'Expiration')!) / 1000, now + 300);
      assert.match(xmlField(text, 'AccessKeyId')!, /^ASIA[A-Z2-7]{16}$/);
      assert.equal(gateway.audit.at(-1)?.frontDoor, 's3');
      assert.equal(gateway.audit.at(-1)?.action, 'assume-role');
    });

    for (const [name, claims, status, code] of [
      ['an expired token', { exp: Math.floor(Date.now() / 1000) - 120 }, 400, 'ExpiredTokenException'],
      ['a token without an account', { account_id: undefined }, 400, 'InvalidIdentityToken'],
      ['a region in no zone', { account_region: 'JP' }, 403, 'AccessDenied'],
    ] as const) {
      it(`refuses ${name}`, async () => {
        const response = await sts(gateway, { Action: 'AssumeRoleWithWebIdentity', WebIdentityToken: await gateway.token(claims) });
        const text = await response.text();
        assert.equal(response.status, status, text);
        assert.equal(xmlField(text, 'Code'), code);
        assert.equal(gateway.audit.at(-1)?.outcome, 'refused');
      });
    }

    it('refuses a forged token, no token, another action', async () => {
      const token = await gateway.token();
      const forged = `${token.slice(0, -4)}AAAA`;
      assert.equal(
        xmlField(await (await sts(gateway, { Action: 'AssumeRoleWithWebIdentity', WebIdentityToken: forged })).text(), 'Code'),
        'InvalidIdentityToken',
      );
      assert.equal(xmlField(await (await sts(gateway, { Action: 'AssumeRoleWithWebIdentity' })).text(), 'Code'), 'InvalidIdentityToken');
      assert.equal(xmlField(await (await sts(gateway, { Action: 'AssumeRole', WebIdentityToken: token })).text(), 'Code'), 'InvalidAction');
      assert.equal(
        xmlField(await (await sts(gateway, { Action: 'AssumeRoleWithWebIdentity', WebIdentityToken: token, DurationSeconds: '60' })).text(), 'Code'),
        'ValidationError',
      );
    });
  });

  describe('signatures', () => {
    it('a signed PUT and GET work; the response carries the zone', async () => {
      const response = await put('/chat-transcript/sig/ok.txt', 'hello', { headers: { 'content-type': 'text/plain' } });
      assert.equal(response.status, 200, await response.text());
      assert.equal(response.headers.get('x-residency-zone'), 'uk-eu');
      const got = await signedFetch(gateway.s3Url, signerCredentials(credentials), 'GET', '/chat-transcript/sig/ok.txt');
      assert.equal(await got.text(), 'hello');
    });

    it('a wrong secret, an unknown access key, no session token: refused, nothing stored', async () => {
      const before = await gateway.storedKeys();
      await expectS3Error(
        await signedFetch(gateway.s3Url, { ...signerCredentials(credentials), secretAccessKey: 'wrong' }, 'PUT', '/chat-transcript/sig/a', { body: 'x' }),
        403,
        'SignatureDoesNotMatch',
        'token_invalid',
      );
      await expectS3Error(
        await signedFetch(gateway.s3Url, { ...signerCredentials(credentials), accessKeyId: 'ASIAAAAAAAAAAAAAAAAA' }, 'PUT', '/chat-transcript/sig/a', {
          body: 'x',
        }),
        403,
        'InvalidAccessKeyId',
      );
      const { sessionToken: _dropped, ...longTerm } = signerCredentials(credentials);
      await expectS3Error(await signedFetch(gateway.s3Url, longTerm, 'PUT', '/chat-transcript/sig/a', { body: 'x' }), 403, 'InvalidAccessKeyId');
      assert.deepEqual(await gateway.storedKeys(), before);
      assert.equal(gateway.audit.at(-1)?.frontDoor, 's3');
      assert.equal(gateway.audit.at(-1)?.action, 'authenticate');
    });

    it('a header changed after signing: the declared type cannot be swapped in flight', async () => {
      const before = await gateway.storedKeys();
      const response = await put('/chat-transcript/sig/b.txt', 'hello', {
        headers: { 'content-type': 'text/plain' },
        tamper: { 'content-type': 'application/json' },
      });
      await expectS3Error(response, 403, 'SignatureDoesNotMatch');
      assert.deepEqual(await gateway.storedKeys(), before);
    });

    it('a body that does not match x-amz-content-sha256 is not stored', async () => {
      const before = await gateway.storedKeys();
      await expectS3Error(await put('/chat-transcript/sig/c.txt', 'hello', { payloadHash: sha256Hex('hellO') }), 400, 'XAmzContentSHA256Mismatch');
      assert.deepEqual(await gateway.storedKeys(), before);
    });

    it('a bad chunk signature mid-body: refused, nothing stored', async () => {
      const before = await gateway.storedKeys();
      const host = new URL(gateway.s3Url).host;
      const chunks = [Buffer.alloc(8192, 0x61), Buffer.alloc(8192, 0x62), Buffer.alloc(100, 0x63)];
      const signed = signHeaders(
        {
          method: 'PUT',
          path: '/chat-transcript/sig/chunked.txt',
          headers: { host, 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '16484', 'content-type': 'text/plain' },
          payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        },
        signerCredentials(credentials),
      );
      const { body } = signedChunkedBody(signed, chunks);
      const { host: _host, ...headers } = signed.headers;
      const good = await fetch(`${gateway.s3Url}/chat-transcript/sig/chunked.txt`, { method: 'PUT', headers, body });
      assert.equal(good.status, 200, await good.text());
      const stored = await signedFetch(gateway.s3Url, signerCredentials(credentials), 'GET', '/chat-transcript/sig/chunked.txt');
      assert.equal((await stored.arrayBuffer()).byteLength, 16484);
      await signedFetch(gateway.s3Url, signerCredentials(credentials), 'DELETE', '/chat-transcript/sig/chunked.txt');

      const tampered = Buffer.from(body);
      tampered[8192 + 100 + 200] = 0x7a;
      const bad = await fetch(`${gateway.s3Url}/chat-transcript/sig/chunked.txt`, { method: 'PUT', headers, body: tampered });
      await expectS3Error(bad, 403, 'SignatureDoesNotMatch');
      assert.deepEqual(await gateway.storedKeys(), before);
    });

    it('a request replayed past the 15-minute skew', async () => {
      await expectS3Error(
        await signedFetch(gateway.s3Url, signerCredentials(credentials), 'GET', '/chat-transcript/sig/ok.txt', { signedAt: Date.now() - 16 * 60_000 }),
        403,
        'RequestTimeTooSkewed',
      );
    });

    it('expired session credentials', async () => {
      const short = await gateway.credentials({ exp: Math.floor(Date.now() / 1000) + 60 });
      assert.equal((await signedFetch(gateway.s3Url, signerCredentials(short), 'GET', '/chat-transcript/sig/ok.txt')).status, 200);
      clockOffsetMs = 120_000;
      try {
        await expectS3Error(
          await signedFetch(gateway.s3Url, signerCredentials(short), 'GET', '/chat-transcript/sig/ok.txt', { signedAt: Date.now() + clockOffsetMs }),
          400,
          'ExpiredToken',
          'token_expired',
        );
      } finally {
        clockOffsetMs = 0;
      }
    });

    it('a session token sealed under another key, or altered', async () => {
      const other = await createSessionAuthority('another-deployment-secret-of-32-bytes-or-more', Date.now);
      const forged = await other.issue({ account: 'acme', region: 'GB', scopes: new Set(), expiresAt: Math.floor(Date.now() / 1000) + 600 }, 600);
      await expectS3Error(await signedFetch(gateway.s3Url, forged, 'GET', '/chat-transcript/sig/ok.txt'), 400, 'InvalidToken');
      const altered = { ...signerCredentials(credentials), sessionToken: `${credentials.sessionToken.slice(0, -2)}AA` };
      await expectS3Error(await signedFetch(gateway.s3Url, altered, 'GET', '/chat-transcript/sig/ok.txt'), 400, 'InvalidToken');
      const otherSession = await gateway.credentials();
      const swapped = { ...signerCredentials(credentials), sessionToken: otherSession.sessionToken };
      await expectS3Error(await signedFetch(gateway.s3Url, swapped, 'GET', '/chat-transcript/sig/ok.txt'), 403, 'InvalidAccessKeyId');
    });

    it('presigned PUT: stores text, refuses a PNG with nothing stored', async () => {
      const url = presignedUrl(gateway.s3Url, signerCredentials(credentials), 'PUT', '/chat-transcript/sig/presigned.txt', 60);
      assert.equal((await fetch(url, { method: 'PUT', body: 'uploaded by URL' })).status, 200);
      assert.equal(
        await (await signedFetch(gateway.s3Url, signerCredentials(credentials), 'GET', '/chat-transcript/sig/presigned.txt')).text(),
        'uploaded by URL',
      );
      const before = await gateway.storedKeys();
      const png = presignedUrl(gateway.s3Url, signerCredentials(credentials), 'PUT', '/chat-transcript/sig/presigned.png', 60);
      await expectS3Error(await fetch(png, { method: 'PUT', body: PNG }), 415, 'MediaRefused', 'media_refused');
      assert.deepEqual(await gateway.storedKeys(), before);
    });

    it('a PNG in the second signed chunk: every chunk verified, the media still found, nothing stored', async () => {
      const before = await gateway.storedKeys();
      const host = new URL(gateway.s3Url).host;
      const chunks = [Buffer.alloc(8192, 0x20), Buffer.concat([PNG, Buffer.alloc(100, 0x20)])];
      const length = String(chunks[0]!.length + chunks[1]!.length);
      const signed = signHeaders(
        {
          method: 'PUT',
          path: '/chat-transcript/sig/hidden.txt',
          headers: { host, 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': length },
          payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        },
        signerCredentials(credentials),
      );
      const { host: _host, ...headers } = signed.headers;
      const response = await fetch(`${gateway.s3Url}/chat-transcript/sig/hidden.txt`, { method: 'PUT', headers, body: signedChunkedBody(signed, chunks).body });
      await expectS3Error(response, 415, 'MediaRefused');
      assert.deepEqual(await gateway.storedKeys(), before);
    });

    it('presigned GET: works until it expires', async () => {
      const url = presignedUrl(gateway.s3Url, signerCredentials(credentials), 'GET', '/chat-transcript/sig/ok.txt', 60);
      assert.equal(await (await fetch(url)).text(), 'hello');
      const old = presignedUrl(gateway.s3Url, signerCredentials(credentials), 'GET', '/chat-transcript/sig/ok.txt', 60, Date.now() - 120_000);
      await expectS3Error(await fetch(old), 403, 'AccessDenied');
    });
  });

  describe('operations and the S3 error table', () => {
    const call = (method: string, path: string, more: Parameters<typeof signedFetch>[4] = {}) =>
      signedFetch(gateway.s3Url, signerCredentials(credentials), method, path, more);

    it('buckets: list, head, location of the zone, create of a data class 200, of anything else 403', async () => {
      const list = await (await call('GET', '/')).text();
      assert.match(list, /<Name>chat-transcript<\/Name>/);
      assert.doesNotMatch(list, /cobrowse-screenshot/);
      assert.equal((await call('HEAD', '/chat-transcript')).status, 200);
      assert.equal((await call('HEAD', '/nope')).status, 404);
      const location = gateway.deps.policy.zones.get('uk-eu')!.placement.location;
      assert.match(
        await (await call('GET', '/chat-transcript', { query: 'location' })).text(),
        new RegExp(`<LocationConstraint[^>]*>${location}</LocationConstraint>`),
      );
      assert.equal((await call('PUT', '/chat-transcript')).status, 200);
      await expectS3Error(await call('PUT', '/my-new-bucket'), 403, 'AccessDenied', 'data_class_unknown');
    });

    it('unknown bucket, missing key, persist: false, key rules, size limit, media', async () => {
      const before = await gateway.storedKeys();
      await expectS3Error(await put('/no-such-class/a.txt', 'x'), 404, 'NoSuchBucket', 'data_class_unknown');
      await expectS3Error(await call('GET', '/chat-transcript/never-written'), 404, 'NoSuchKey', 'not_found');
      await expectS3Error(await put('/recording/a.txt', 'x'), 403, 'AccessDenied', 'data_class_not_persisted');
      await expectS3Error(await put('/chat-transcript/a//b', 'x'), 400, 'InvalidArgument', 'key_invalid');
      await expectS3Error(await put('/chat-transcript/a%5Cb', 'x'), 400, 'InvalidArgument', 'key_invalid');
      await expectS3Error(await put('/chat-transcript/big.bin', new Uint8Array(1024 * 1024 + 1)), 400, 'EntityTooLarge', 'payload_too_large');
      await expectS3Error(await put('/chat-transcript/shot.txt', PNG, { headers: { 'content-type': 'text/plain' } }), 415, 'MediaRefused', 'media_refused');
      await expectS3Error(await put('/chat-transcript/img', 'x', { headers: { 'content-type': 'image/png' } }), 415, 'MediaRefused', 'media_refused');
      const base64Png = JSON.stringify({ image: PNG.toString('base64') });
      await expectS3Error(await put('/chat-transcript/event.json', base64Png, { headers: { 'content-type': 'application/json' } }), 415, 'MediaRefused');
      assert.deepEqual(await gateway.storedKeys(), before);
    });

    it('DeleteObject of a missing key is 204; sub-resources the gateway does not offer are 501', async () => {
      assert.equal((await call('DELETE', '/chat-transcript/never-written')).status, 204);
      await expectS3Error(await call('GET', '/chat-transcript', { query: 'acl' }), 501, 'NotImplemented');
      await expectS3Error(await call('PUT', '/chat-transcript/a.txt', { query: 'tagging', body: '<Tagging/>' }), 501, 'NotImplemented');
    });

    it('conditional and range reads', async () => {
      const response = await put('/chat-transcript/cond.txt', '0123456789');
      const etag = response.headers.get('etag')!;
      assert.equal((await call('GET', '/chat-transcript/cond.txt', { headers: { 'if-none-match': etag } })).status, 304);
      await expectS3Error(
        await call('GET', '/chat-transcript/cond.txt', { headers: { 'if-match': '"other"' } }),
        412,
        'PreconditionFailed',
        'precondition_failed',
      );
      const ranged = await call('GET', '/chat-transcript/cond.txt', { headers: { range: 'bytes=-3' } });
      assert.equal(ranged.status, 206);
      assert.equal(await ranged.text(), '789');
      await expectS3Error(await call('GET', '/chat-transcript/cond.txt', { headers: { range: 'bytes=20-' } }), 416, 'InvalidRange', 'range_not_satisfiable');
    });

    it('a legal hold blocks overwrite and delete through S3 as through /v1', async () => {
      await put('/chat-transcript/held.txt', 'kept');
      const admin = await gateway.as({ scope: 'residency:admin' }, '/v1/holds/account', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'litigation' }),
      });
      assert.ok(admin.status < 300, await admin.text());
      try {
        await expectS3Error(await put('/chat-transcript/held.txt', 'changed'), 403, 'AccessDenied', 'legal_hold');
        await expectS3Error(await call('DELETE', '/chat-transcript/held.txt'), 403, 'AccessDenied', 'legal_hold');
        assert.equal(await (await call('GET', '/chat-transcript/held.txt')).text(), 'kept');
      } finally {
        await gateway.as({ scope: 'residency:admin' }, '/v1/holds/account', { method: 'DELETE' });
      }
    });

    it('the same object through /v1 and through S3: one account, one store key', async () => {
      await put('/chat-transcript/shared/one.txt', 'written through S3', { headers: { 'x-amz-meta-subject-id': 'visitor-7' } });
      const viaV1 = await gateway.as({}, '/v1/objects/chat-transcript/shared/one.txt');
      assert.equal(await viaV1.text(), 'written through S3');
      // A copy keeps the data subject, so erasure finds it too.
      const copied = await call('PUT', '/cobrowse-session/shared/copy.txt', { headers: { 'x-amz-copy-source': '/chat-transcript/shared/one.txt' } });
      assert.equal(copied.status, 200, await copied.text());
      const subjects = await (await gateway.as({ scope: 'residency:admin' }, '/v1/subjects/visitor-7/objects')).text();
      assert.match(subjects, /shared\/one\.txt/);
      assert.match(subjects, /shared\/copy\.txt/);
      const erased = await gateway.as({ scope: 'residency:admin' }, '/v1/subjects/visitor-7', { method: 'DELETE' });
      assert.equal(erased.status, 200);
      await expectS3Error(await call('GET', '/chat-transcript/shared/one.txt'), 404, 'NoSuchKey');
      await expectS3Error(await call('GET', '/cobrowse-session/shared/copy.txt'), 404, 'NoSuchKey');
      await expectS3Error(
        await call('PUT', '/chat-transcript/copy-of-missing', { headers: { 'x-amz-copy-source': '/chat-transcript/never-written' } }),
        404,
        'NoSuchKey',
      );
    });
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LruMap } from '../src/auth/lru.ts';
import { createSessionAuthority } from '../src/auth/session/credentials.ts';
import { SignatureFailure, verifyRequest, type SignableRequest } from '../src/auth/sigv4/index.ts';
import type { Principal } from '../src/policy/principal.ts';
import { startS3Gateway, type S3Credentials, type S3TestGateway } from './helpers/s3-gateway.ts';
import { signedFetch, signerCredentials } from './helpers/s3-requests.ts';
import { signHeaders } from './helpers/s3-signer.ts';

/**
 * The session and signing-key caches of the S3 front door: a success is
 * remembered, and nothing else (another token, access key, secret, or the
 * clock past the expiry) ever gets the remembered answer.
 */

const SECRET = 'a-deployment-session-secret-of-32+-bytes';
const nowSeconds = Math.floor(Date.now() / 1000);
const principal: Principal = { account: 'acme', region: 'GB', subject: 'svc-1', scopes: new Set(), expiresAt: nowSeconds + 600 };

async function refusedWith(promise: Promise<unknown>, s3Code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof SignatureFailure && error.s3Code === s3Code);
}

function xmlField(text: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1];
}

describe('LruMap', () => {
  it('holds at most its capacity, dropping the least recently used first', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    assert.equal(map.get('a'), 1);
    map.set('c', 3);
    assert.equal(map.size, 2);
    assert.equal(map.get('b'), undefined, 'b was the least recently used');
    assert.equal(map.get('a'), 1);
    assert.equal(map.get('c'), 3);
  });
});

describe('the session cache', () => {
  it('after a success, a token changed in any one place, or shown with another access key, is opened afresh and refused', async () => {
    const authority = await createSessionAuthority(SECRET, Date.now);
    const credentials = await authority.issue(principal, 3600);
    const first = await authority.resolve(credentials.accessKeyId, credentials.sessionToken);
    assert.equal((await authority.resolve(credentials.accessKeyId, credentials.sessionToken)).secretAccessKey, first.secretAccessKey);
    const token = credentials.sessionToken;
    // (Not the last character: its low bits may be base64 padding that decodes to the same bytes.)
    for (const at of [5, 20, Math.floor(token.length / 2), token.length - 3]) {
      const changed = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
      await refusedWith(authority.resolve(credentials.accessKeyId, changed), 'InvalidToken');
    }
    await refusedWith(authority.resolve(credentials.accessKeyId, `${token}A`), 'InvalidToken');
    const other = await authority.issue(principal, 3600);
    await refusedWith(authority.resolve(other.accessKeyId, token), 'InvalidAccessKeyId');
    await refusedWith(authority.resolve(credentials.accessKeyId, undefined), 'InvalidAccessKeyId');
  });

  it('a token opened by one deployment secret is not opened by another', async () => {
    const authority = await createSessionAuthority(SECRET, Date.now);
    const credentials = await authority.issue(principal, 3600);
    await authority.resolve(credentials.accessKeyId, credentials.sessionToken);
    const stranger = await createSessionAuthority('another-deployment-secret-of-32+-bytes', Date.now);
    await refusedWith(stranger.resolve(credentials.accessKeyId, credentials.sessionToken), 'InvalidToken');
  });

  it('a remembered session still expires, and stays expired', async () => {
    let now = Date.now();
    const authority = await createSessionAuthority(SECRET, () => now);
    const credentials = await authority.issue(principal, 60);
    await authority.resolve(credentials.accessKeyId, credentials.sessionToken);
    now = credentials.expiration * 1000 - 1;
    await authority.resolve(credentials.accessKeyId, credentials.sessionToken);
    now = credentials.expiration * 1000;
    await refusedWith(authority.resolve(credentials.accessKeyId, credentials.sessionToken), 'ExpiredToken');
    await refusedWith(authority.resolve(credentials.accessKeyId, credentials.sessionToken), 'ExpiredToken');
  });
});

describe('the signing-key cache', () => {
  const request = (signed: ReturnType<typeof signHeaders>): SignableRequest => {
    const headers = Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name, [value]]));
    return {
      method: 'GET',
      rawPath: '/chat-transcript/a.txt',
      rawQuery: '',
      headerValues: (name) => headers[name] ?? [],
      headerNames: () => Object.keys(headers),
    };
  };
  const input = { method: 'GET', path: '/chat-transcript/a.txt', headers: { host: 'gw' } };

  it('a key derived for one secret is never used for another: a signature with the old secret fails once the key resolves to a new one', async () => {
    let secret = 'first-secret-0123456789';
    const options = {
      now: Date.now(),
      resolve: async () => ({ secretAccessKey: secret, identity: 'caller' }),
    };
    const signedWithFirst = signHeaders(input, { accessKeyId: 'ASIAKEY', secretAccessKey: 'first-secret-0123456789' });
    assert.equal((await verifyRequest(request(signedWithFirst), options)).identity, 'caller');
    secret = 'second-secret-0123456789';
    await refusedWith(verifyRequest(request(signedWithFirst), options), 'SignatureDoesNotMatch');
    const signedWithSecond = signHeaders(input, { accessKeyId: 'ASIAKEY', secretAccessKey: secret });
    assert.equal((await verifyRequest(request(signedWithSecond), options)).identity, 'caller');
  });

  it('a key derived for one region is not the key of another', async () => {
    const options = { now: Date.now(), resolve: async () => ({ secretAccessKey: 'the-secret-0123456789', identity: 'caller' }) };
    const credentials = { accessKeyId: 'ASIAKEY', secretAccessKey: 'the-secret-0123456789' };
    await verifyRequest(request(signHeaders(input, credentials)), options);
    const signed = signHeaders({ ...input, region: 'eu-west-2' }, credentials);
    await verifyRequest(request(signed), options);
    // The eu-west-2 signature under the us-east-1 scope must not verify with a remembered key.
    const relabelled = { ...signed, headers: { ...signed.headers, authorization: signed.headers.authorization!.replace('eu-west-2', 'us-east-1') } };
    await refusedWith(verifyRequest(request(relabelled), options), 'SignatureDoesNotMatch');
  });
});

describe('the caches through the S3 front door', () => {
  let gateway: S3TestGateway;
  let credentials: S3Credentials;
  before(async () => {
    gateway = await startS3Gateway();
    credentials = await gateway.credentials();
  });
  after(() => gateway?.stop());

  it('after the credentials have worked, another secret, a changed token or another deployment secret still fails', async () => {
    const good = signerCredentials(credentials);
    for (let i = 0; i < 2; i++) {
      const put = await signedFetch(gateway.s3Url, good, 'PUT', '/chat-transcript/cache/a.txt', { body: 'cached' });
      assert.equal(put.status, 200, await put.text());
    }
    const wrongSecret = await signedFetch(
      gateway.s3Url,
      { ...good, secretAccessKey: `${good.secretAccessKey.slice(0, -1)}x` },
      'GET',
      '/chat-transcript/cache/a.txt',
    );
    assert.equal(wrongSecret.status, 403);
    assert.equal(xmlField(await wrongSecret.text(), 'Code'), 'SignatureDoesNotMatch');
    const token = good.sessionToken!;
    const changed = `${token.slice(0, 30)}${token[30] === 'A' ? 'B' : 'A'}${token.slice(31)}`;
    const changedToken = await signedFetch(gateway.s3Url, { ...good, sessionToken: changed }, 'GET', '/chat-transcript/cache/a.txt');
    assert.equal(xmlField(await changedToken.text(), 'Code'), 'InvalidToken');
    const elsewhere = await startS3Gateway({ sessionSecret: 'another-deployment-session-secret-32+-bytes' });
    try {
      const foreign = await signedFetch(elsewhere.s3Url, good, 'GET', '/chat-transcript/cache/a.txt');
      assert.equal(xmlField(await foreign.text(), 'Code'), 'InvalidToken');
    } finally {
      await elsewhere.stop();
    }
    const again = await signedFetch(gateway.s3Url, good, 'GET', '/chat-transcript/cache/a.txt');
    assert.equal(await again.text(), 'cached');
  });
});

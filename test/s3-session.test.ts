import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSessionAuthority } from '../src/auth/session/credentials.ts';
import { SignatureFailure } from '../src/auth/sigv4/failure.ts';
import type { Principal } from '../src/policy/principal.ts';

const SECRET = 'a-deployment-session-secret-of-32+-bytes';
const nowSeconds = Math.floor(Date.now() / 1000);
const principal: Principal = { account: 'acme', region: 'GB', subject: 'svc-1', scopes: new Set(['residency:admin']), expiresAt: nowSeconds + 600 };

async function refusedWith(promise: Promise<unknown>, s3Code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof SignatureFailure && error.s3Code === s3Code);
}

describe('S3 session credentials', () => {
  it('any instance with the same secret opens them, with the principal exactly as sealed', async () => {
    const issuing = await createSessionAuthority(SECRET, Date.now);
    const other = await createSessionAuthority(SECRET, Date.now);
    const credentials = await issuing.issue(principal, 3600);
    const resolved = await other.resolve(credentials.accessKeyId, credentials.sessionToken);
    assert.equal(resolved.secretAccessKey, credentials.secretAccessKey);
    assert.deepEqual({ ...resolved.identity, scopes: [...resolved.identity.scopes] }, { ...principal, scopes: ['residency:admin'] });
    // Neither in the token nor in the bytes it encodes (a two-letter region would turn up in random base64 now and then).
    const sealed = Buffer.from(credentials.sessionToken.split('.').at(-1)!, 'base64url');
    for (const clear of ['acme', 'svc-1', 'residency:admin']) {
      assert.ok(!credentials.sessionToken.includes(clear) && !sealed.includes(clear), `the principal is sealed, not merely encoded: ${clear}`);
    }
  });

  it('never outlive the token, whatever duration is asked', async () => {
    const authority = await createSessionAuthority(SECRET, Date.now);
    assert.equal((await authority.issue(principal, 43_200)).expiration, principal.expiresAt);
    assert.equal((await authority.issue(principal, 900)).expiration, Math.min(principal.expiresAt, nowSeconds + 900));
  });

  it('expire with the token', async () => {
    let now = Date.now();
    const authority = await createSessionAuthority(SECRET, () => now);
    const credentials = await authority.issue(principal, 3600);
    await authority.resolve(credentials.accessKeyId, credentials.sessionToken);
    now = principal.expiresAt * 1000;
    await refusedWith(authority.resolve(credentials.accessKeyId, credentials.sessionToken), 'ExpiredToken');
  });

  it('refuse a token sealed under another secret, altered, truncated, or shown with another access key', async () => {
    const authority = await createSessionAuthority(SECRET, Date.now);
    const stranger = await createSessionAuthority('another-deployment-secret-of-32+-bytes', Date.now);
    const foreign = await stranger.issue(principal, 3600);
    await refusedWith(authority.resolve(foreign.accessKeyId, foreign.sessionToken), 'InvalidToken');
    const credentials = await authority.issue(principal, 3600);
    const token = credentials.sessionToken;
    const flipped = `${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    await refusedWith(authority.resolve(credentials.accessKeyId, flipped), 'InvalidToken');
    await refusedWith(authority.resolve(credentials.accessKeyId, token.slice(0, -10)), 'InvalidToken');
    await refusedWith(authority.resolve(credentials.accessKeyId, 'not a token'), 'InvalidToken');
    await refusedWith(authority.resolve(foreign.accessKeyId, token), 'InvalidAccessKeyId');
    await refusedWith(authority.resolve(credentials.accessKeyId, undefined), 'InvalidAccessKeyId');
  });

  it('each issue is a new access key, secret and token', async () => {
    const authority = await createSessionAuthority(SECRET, Date.now);
    const [a, b] = [await authority.issue(principal, 3600), await authority.issue(principal, 3600)];
    assert.notEqual(a.accessKeyId, b.accessKeyId);
    assert.notEqual(a.secretAccessKey, b.secretAccessKey);
    assert.notEqual(a.sessionToken, b.sessionToken);
  });

  it('a secret shorter than 32 bytes is refused', async () => {
    await assert.rejects(createSessionAuthority('short', Date.now), /at least 32 bytes/);
  });
});

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { JWK } from 'jose';
import { isRefusal, type ErrorCode } from '../src/policy/refusal.ts';
import type { JwksConfig } from '../src/policy/schema.ts';
import { createAuthenticator, type Authenticator } from '../src/auth/authenticate.ts';
import { startJwksServer, type JwksServer } from './helpers/jwks-server.ts';
import {
  createTestIdentity,
  createTestKey,
  defaultClaims,
  remoteJwks,
  signCompact,
  type SignOptions,
  type TestIdentity,
  type TestKey,
} from './helpers/tokens.ts';

/**
 * The JWKS cache against a real HTTP endpoint on 127.0.0.1, with an injected
 * clock: freshness, rotation, cooldown, outages and maxStaleSeconds.
 */

const identity = await createTestIdentity();

interface Setup {
  idp: JwksServer;
  auth: Authenticator;
  clock: { now: () => number; advance(seconds: number): void; seconds(): number };
  /** Fetch calls made by the authenticator, answered or not. */
  fetches(): number;
  sign(options?: SignOptions, claims?: Record<string, unknown>): Promise<string[]>;
}

const SETTINGS = { cooldownSeconds: 30, cacheMaxAgeSeconds: 600, maxStaleSeconds: 3600, timeoutMs: 2_000 };

async function setup(
  overrides: Partial<Extract<JwksConfig, { url: string }>> = {},
  keys: { keys: JWK[] } = identity.jwks,
  signer: TestIdentity = identity,
): Promise<Setup> {
  const idp = await startJwksServer(keys);
  after(() => idp.stop());
  let time = Date.now();
  const clock = {
    now: () => time,
    advance: (seconds: number) => {
      time += seconds * 1000;
    },
    seconds: () => Math.floor(time / 1000),
  };
  let fetches = 0;
  const countingFetch: typeof fetch = (input, init) => {
    fetches += 1;
    return fetch(input, init);
  };
  const config = signer.authConfig(remoteJwks(idp.url, { ...SETTINGS, ...overrides }));
  const auth = createAuthenticator(config, { now: clock.now, fetch: countingFetch });
  return {
    idp,
    auth,
    clock,
    fetches: () => fetches,
    sign: async (options = {}, claims = {}) => [`Bearer ${await signer.sign(claims, { now: clock.seconds(), ...options })}`],
  };
}

async function assertRefused(auth: Authenticator, authorization: string[], code: ErrorCode, detail?: RegExp): Promise<void> {
  await assert.rejects(auth.authenticate(authorization), (error: unknown) => {
    assert.ok(isRefusal(error), `expected a Refusal, got ${String(error)}`);
    assert.equal(error.code, code, error.detail);
    if (detail) assert.match(error.detail, detail);
    return true;
  });
}

async function assertAccepted(auth: Authenticator, authorization: string[]): Promise<void> {
  const principal = await auth.authenticate(authorization);
  assert.equal(principal.account, 'acme');
}

/** Waits (without asserting on time) until a background refresh has had its effect. */
async function eventually(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail('condition never became true');
}

/** A token signed by a key that is not part of the test identity. */
function tokenSignedBy(key: TestKey, now: number, header: Record<string, unknown> = { alg: key.alg, kid: key.kid, typ: 'JWT' }): Promise<string> {
  return signCompact(JSON.stringify(header), JSON.stringify(defaultClaims(identity.issuer, identity.audience, now)), key);
}

describe('static key sets', () => {
  test('{ keys } verifies without any fetch and is always ready', async () => {
    const auth = createAuthenticator(identity.authConfig(), {
      fetch: () => Promise.reject(new Error('no fetch expected')),
    });
    assert.equal(await auth.ready(), true);
    await assertAccepted(auth, [`Bearer ${await identity.sign()}`]);
  });

  test('{ file } is refused with a clear error: the entry point reads the file', () => {
    assert.throws(() => createAuthenticator(identity.authConfig({ file: 'jwks.json' })), /passed on as \{ keys \}/);
  });

  test('private or secret key material in a static key set is refused at start', () => {
    const secret = { kty: 'oct', k: 'c2VjcmV0', alg: 'HS256' };
    assert.throws(() => createAuthenticator(identity.authConfig({ keys: [secret] })), /private or secret/);
  });

  test('a malformed key set is refused at start', () => {
    assert.throws(() => createAuthenticator(identity.authConfig({ keys: [{ kty: 7 }] })));
  });
});

describe('fetching and caching', () => {
  test('keys are fetched once and shared by concurrent first requests', async () => {
    const { idp, auth, sign } = await setup();
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, index) => sign({ alg: index % 2 ? 'RS256' : 'EdDSA' })));
    await Promise.all(tokens.map((token) => assertAccepted(auth, token)));
    assert.equal(idp.hits(), 1);
    await assertAccepted(auth, await sign());
    assert.equal(idp.hits(), 1);
  });

  test('ready() fetches the keys and reports whether they are available', async () => {
    const { idp, auth } = await setup();
    assert.equal(await auth.ready(), true);
    assert.equal(idp.hits(), 1);
  });

  test('stale keys keep serving while a background refresh fetches new ones after cacheMaxAge', async () => {
    const { idp, auth, clock, sign } = await setup();
    await assertAccepted(auth, await sign());
    clock.advance(599);
    await assertAccepted(auth, await sign());
    assert.equal(idp.hits(), 1);
    clock.advance(2);
    await assertAccepted(auth, await sign());
    await eventually(() => idp.hits() === 2);
  });

  test('a shorter Cache-Control max-age is honoured, but never below the cooldown', async () => {
    const { idp, auth, clock, sign } = await setup();
    idp.setKeys(identity.jwks, { 'cache-control': 'public, max-age=60' });
    await assertAccepted(auth, await sign());
    clock.advance(59);
    await assertAccepted(auth, await sign());
    assert.equal(idp.hits(), 1);
    clock.advance(2);
    await assertAccepted(auth, await sign());
    await eventually(() => idp.hits() === 2);

    idp.setKeys(identity.jwks, { 'cache-control': 'no-store' });
    clock.advance(61);
    await assertAccepted(auth, await sign());
    await eventually(() => idp.hits() === 3);
    clock.advance(10);
    await assertAccepted(auth, await sign());
    clock.advance(10);
    await assertAccepted(auth, await sign());
    assert.equal(idp.hits(), 3);
  });

  test('a longer Cache-Control max-age is capped at cacheMaxAgeSeconds', async () => {
    const { idp, auth, clock, sign } = await setup();
    idp.setKeys(identity.jwks, { 'cache-control': 'max-age=86400' });
    await assertAccepted(auth, await sign());
    clock.advance(601);
    await assertAccepted(auth, await sign());
    await eventually(() => idp.hits() === 2);
  });
});

describe('key rotation', () => {
  test('a token with a new kid works once the IdP publishes it, within the cooldown rules', async () => {
    const { idp, auth, clock, sign } = await setup();
    await assertAccepted(auth, await sign());
    const rotated = await createTestKey('ES256', 'rotated-in');
    idp.setKeys({ keys: [...identity.jwks.keys, rotated.publicJwk] });
    const tokenWithNewKid = [`Bearer ${await tokenSignedBy(rotated, clock.seconds())}`];

    // One second after the last fetch: still in the cooldown, no refetch.
    clock.advance(1);
    await assertRefused(auth, tokenWithNewKid, 'token_invalid', /signing key/);
    assert.equal(idp.hits(), 1);

    clock.advance(30);
    await assertAccepted(auth, tokenWithNewKid);
    assert.equal(idp.hits(), 2);
  });

  test('a key removed by the IdP stops verifying, cached verifications included', async () => {
    const { idp, auth, clock, sign } = await setup();
    const token = await sign({ alg: 'RS256' });
    await assertAccepted(auth, token);
    await assertAccepted(auth, token);
    idp.setKeys({ keys: identity.jwks.keys.filter((jwk) => jwk.kid !== identity.keys.RS256.kid) });
    clock.advance(601);
    await assertAccepted(auth, await sign({ alg: 'ES256' }));
    await eventually(() =>
      auth.authenticate(token).then(
        () => false,
        (error: unknown) => isRefusal(error) && error.code === 'token_invalid',
      ),
    );
    assert.equal(idp.hits(), 2);
  });

  test('unknown kids never hammer the IdP: one fetch per cooldown, concurrent callers share it', async () => {
    const { idp, auth, clock, sign } = await setup();
    await assertAccepted(auth, await sign());
    clock.advance(31);
    await Promise.all(Array.from({ length: 50 }, async (_, index) => assertRefused(auth, await sign({ kid: `unknown-${index}` }), 'token_invalid')));
    assert.equal(idp.hits(), 2);

    // 50 more, one simulated second apart: at most one fetch per 30 s.
    for (let index = 0; index < 50; index++) {
      clock.advance(1);
      await assertRefused(auth, await sign({ kid: `later-${index}` }), 'token_invalid');
    }
    assert.equal(idp.hits(), 3);
  });

  test('several keys matching a token without kid are each tried', async () => {
    const first = await createTestKey('ES256', 'first');
    const second = await createTestKey('ES256', 'second');
    const withoutKid = (jwk: JWK): JWK => {
      const { kid: _kid, ...rest } = jwk;
      return rest;
    };
    const { auth, clock } = await setup({}, { keys: [withoutKid(first.publicJwk), withoutKid(second.publicJwk)] });
    const token = await tokenSignedBy(second, clock.seconds(), { alg: 'ES256', typ: 'JWT' });
    await assertAccepted(auth, [`Bearer ${token}`]);
  });
});

describe('IdP outage', () => {
  test('with the IdP down, known kids keep working, unknown kids are token_invalid, and fetches stay bounded', async () => {
    const { idp, auth, clock, sign, fetches } = await setup();
    await assertAccepted(auth, await sign());
    await idp.stop();

    clock.advance(601); // past cacheMaxAge: the keys are stale but still usable
    for (let index = 0; index < 50; index++) {
      await assertAccepted(auth, await sign({ alg: index % 2 ? 'RS256' : 'ES256' }));
      await assertRefused(auth, await sign({ kid: `unknown-${index}` }), 'token_invalid');
    }
    assert.ok(fetches() <= 2, `${fetches()} fetch attempts`);
    assert.equal(await auth.ready(), true);
  });

  test('an IdP answering errors is not hammered either', async () => {
    const { idp, auth, clock, sign } = await setup();
    await assertAccepted(auth, await sign());
    idp.answerWith({ kind: 'raw', status: 503, body: 'unavailable', contentType: 'text/plain' });
    clock.advance(601);
    for (let index = 0; index < 50; index++) {
      await assertRefused(auth, await sign({ kid: `unknown-${index}` }), 'token_invalid');
      await assertAccepted(auth, await sign());
    }
    assert.ok(idp.hits() <= 1 + 1, `${idp.hits()} hits`);
  });

  test('past maxStaleSeconds, known kids are refused too (cached verifications included), until the IdP is back', async () => {
    const { idp, auth, clock, sign } = await setup({ maxStaleSeconds: 1200 });
    const token = await sign({}, { exp: clock.seconds() + 3 * 3600 });
    await assertAccepted(auth, token);
    await idp.stop();

    clock.advance(1199);
    await assertAccepted(auth, token);
    await assertAccepted(auth, await sign());
    clock.advance(2);
    await assertRefused(auth, token, 'token_invalid', /unavailable/);
    await assertRefused(auth, await sign(), 'token_invalid', /unavailable/);
    assert.equal(await auth.ready(), false);

    await idp.start();
    clock.advance(31);
    await assertAccepted(auth, token);
    assert.equal(await auth.ready(), true);
  });

  test('an IdP that is down at start: refused, at most one attempt per cooldown, then recovery', async () => {
    const { idp, auth, clock, sign, fetches } = await setup();
    await idp.stop();
    for (let index = 0; index < 20; index++) await assertRefused(auth, await sign(), 'token_invalid', /unavailable/);
    assert.equal(await auth.ready(), false);
    assert.equal(fetches(), 1);

    await idp.start();
    await assertRefused(auth, await sign(), 'token_invalid');
    clock.advance(30);
    await assertAccepted(auth, await sign());
    assert.equal(fetches(), 2);
  });

  test('a response that is not a valid JWKS is an outage: the last good keys stay', async () => {
    const { idp, auth, clock, sign } = await setup({ maxStaleSeconds: 86_400 });
    await assertAccepted(auth, await sign());
    const answers = [
      { kind: 'raw', status: 200, body: '<html>login</html>', contentType: 'text/html' },
      { kind: 'raw', status: 200, body: '{"keys":[]}' },
      { kind: 'raw', status: 200, body: '{"keys":[{"kty":7}]}' },
      { kind: 'raw', status: 200, body: '{"keys":"none"}' },
      { kind: 'raw', status: 200, body: JSON.stringify({ keys: [{ ...identity.keys.ES256.publicJwk, kty: 'EC' }], x: 'y'.repeat(600 * 1024) }) },
      { kind: 'raw', status: 302, body: '' },
      { kind: 'raw', status: 500, body: '{}' },
    ] as const;
    for (const answer of answers) {
      idp.answerWith(answer);
      const hits = idp.hits();
      clock.advance(601);
      await assertAccepted(auth, await sign({ alg: 'EdDSA' }));
      await eventually(() => idp.hits() === hits + 1);
    }
    // Still the original keys: a kid the bad answers never had still verifies.
    await assertAccepted(auth, await sign({ alg: 'RS256' }));
  });

  test('a JWKS endpoint that never answers times out and counts as an outage', async () => {
    const { idp, auth, sign } = await setup({ timeoutMs: 200 });
    idp.answerWith({ kind: 'hang' });
    await assertRefused(auth, await sign(), 'token_invalid', /unavailable/);
    assert.equal(idp.hits(), 1);
  });

  test('a JWKS with private key material is refused per token, never a crash', async () => {
    const leaked = { ...identity.keys.ES256.publicJwk, d: 'AAAA' };
    const { auth, sign } = await setup({}, { keys: [leaked] });
    await assertRefused(auth, await sign(), 'token_invalid');
  });
});

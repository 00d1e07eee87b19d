import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { base64url } from 'jose';
import { isRefusal, type ErrorCode } from '../src/policy/refusal.ts';
import type { AuthConfig } from '../src/policy/schema.ts';
import { createAuthenticator, type Authenticator } from '../src/auth/authenticate.ts';
import { requireScope } from '../src/auth/claims.ts';
import { DuplicateKeyError, parseStrictJson } from '../src/auth/strict-json.ts';
import { VerificationCache } from '../src/auth/verification-cache.ts';
import { DEV_AUDIENCE, DEV_ISSUER, ensureDevKeys, mintDevToken } from '../src/hosts/dev-keys.ts';
import { developmentPolicy } from '../src/hosts/dev-policy.ts';
import { startJwksServer } from './helpers/jwks-server.ts';
import {
  createTestIdentity,
  createTestKey,
  defaultClaims,
  hmacSigner,
  nowSeconds,
  remoteJwks,
  signCompact,
  unsignedToken,
  type Claims,
} from './helpers/tokens.ts';

const identity = await createTestIdentity();
const idp = await startJwksServer(identity.jwks);
after(() => idp.stop());
const authenticator = createAuthenticator(identity.authConfig(remoteJwks(idp.url)));

/** A key the IdP does not publish, for tokens signed by an attacker. */
const attackerKey = await createTestKey('ES256', 'attacker');

function bearer(token: string): string[] {
  return [`Bearer ${token}`];
}

/** Asserts a refusal with `code` whose detail does not echo any part of the token. */
async function assertRefused(authorization: readonly string[], code: ErrorCode, detail?: RegExp, using: Authenticator = authenticator): Promise<void> {
  await assert.rejects(using.authenticate(authorization), (error: unknown) => {
    assert.ok(isRefusal(error), `expected a Refusal, got ${String(error)}`);
    assert.equal(error.code, code, error.detail);
    if (detail) assert.match(error.detail, detail);
    for (const value of authorization) {
      for (const part of value.replace(/^\S+\s+/, '').split('.')) {
        if (part.length >= 12) assert.ok(!error.detail.includes(part), 'the detail echoes the token');
      }
    }
    return true;
  });
}

async function signedClaims(claims: Claims): Promise<string[]> {
  return bearer(await identity.sign(claims));
}

function payloadJson(claims: Claims = {}): string {
  return JSON.stringify({ ...defaultClaims(identity.issuer, identity.audience, nowSeconds()), ...claims });
}

describe('the Authorization header', () => {
  test('no header is token_missing', async () => {
    await assertRefused([], 'token_missing');
  });

  test('two Authorization values are token_invalid, even if both are good', async () => {
    const token = await identity.sign();
    await assertRefused([`Bearer ${token}`, `Bearer ${token}`], 'token_invalid', /exactly one/);
  });

  test('a comma-merged second credential is token_invalid', async () => {
    const token = await identity.sign();
    await assertRefused([`Bearer ${token}, Bearer ${token}`], 'token_invalid', /more than one credential/);
    await assertRefused([`Basic dXNlcjpwYXNz, Bearer ${token}`], 'token_invalid');
  });

  test('Basic and other schemes are token_missing: only Bearer is accepted', async () => {
    await assertRefused(['Basic dXNlcjpwYXNz'], 'token_missing', /Bearer/);
    await assertRefused([`Token ${await identity.sign()}`], 'token_missing');
    await assertRefused([await identity.sign()], 'token_missing');
  });

  test('an empty header or "Bearer" without a token is token_missing', async () => {
    await assertRefused([''], 'token_missing');
    await assertRefused(['Bearer'], 'token_missing');
    await assertRefused(['Bearer   '], 'token_missing');
  });

  test('the scheme is case-insensitive', async () => {
    const token = await identity.sign();
    for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
      const principal = await authenticator.authenticate([`${scheme} ${token}`]);
      assert.equal(principal.account, 'acme');
    }
  });

  test('whitespace inside the credential is token_invalid', async () => {
    const token = await identity.sign();
    await assertRefused([`Bearer ${token} extra`], 'token_invalid');
  });
});

describe('the token before any signature check', () => {
  test('a 1 MiB token is refused without parsing it', async () => {
    const big = `${'a'.repeat(512 * 1024)}.${'b'.repeat(512 * 1024)}.c`;
    await assertRefused(bearer(big), 'token_invalid', /8 KiB/);
  });

  test('a token of 100 000 dots is refused', async () => {
    await assertRefused(bearer('.'.repeat(100_000)), 'token_invalid');
  });

  test('a token just under 8 KiB of dots, or with two or four parts, is refused', async () => {
    await assertRefused(bearer('.'.repeat(8000)), 'token_invalid', /compact JWS/);
    const [h, p, s] = (await identity.sign()).split('.');
    await assertRefused(bearer(`${h}.${p}`), 'token_invalid');
    await assertRefused(bearer(`${h}.${p}.${s}.${s}`), 'token_invalid');
  });

  test('padding or standard base64 characters are refused', async () => {
    const [h, p, s] = (await identity.sign()).split('.');
    await assertRefused(bearer(`${h}=.${p}.${s}`), 'token_invalid');
    await assertRefused(bearer(`${h}.${p}.${s}+/`), 'token_invalid');
  });

  test('alg "none" in every casing is refused, with or without a signature', async () => {
    for (const alg of ['none', 'NONE', 'nOnE', 'None']) {
      const unsigned = unsignedToken({ alg, typ: 'JWT' }, JSON.parse(payloadJson()) as Claims);
      await assertRefused(bearer(unsigned), 'token_invalid');
      await assertRefused(bearer(`${unsigned}AAAA`), 'token_invalid', /algorithm/);
    }
  });

  test('HS256 signed with the RSA public key (PEM and JWK forms) is refused', async () => {
    const rsa = identity.keys.RS256;
    for (const secret of [rsa.publicPem, JSON.stringify(rsa.publicJwk)]) {
      const header = JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: rsa.kid });
      const token = await signCompact(header, payloadJson(), hmacSigner(secret));
      await assertRefused(bearer(token), 'token_invalid', /algorithm/);
    }
  });

  test('an embedded "jwk" header is refused, never trusted', async () => {
    const header = JSON.stringify({ alg: 'ES256', kid: attackerKey.kid, jwk: attackerKey.publicJwk });
    await assertRefused(bearer(await signCompact(header, payloadJson(), attackerKey)), 'token_invalid', /"jwk"/);
  });

  test('a "jku" or "x5u" header is refused and never followed', async () => {
    const attackerServer = await startJwksServer({ keys: [attackerKey.publicJwk] });
    after(() => attackerServer.stop());
    for (const parameter of ['jku', 'x5u']) {
      const header = JSON.stringify({ alg: 'ES256', kid: attackerKey.kid, [parameter]: attackerServer.url });
      await assertRefused(bearer(await signCompact(header, payloadJson(), attackerKey)), 'token_invalid', new RegExp(parameter));
      // The same header on a token signed by the real key is refused too.
      const real = JSON.stringify({ alg: 'ES256', kid: identity.keys.ES256.kid, [parameter]: attackerServer.url });
      await assertRefused(bearer(await signCompact(real, payloadJson(), identity.keys.ES256)), 'token_invalid');
    }
    assert.equal(attackerServer.hits(), 0);
  });

  test('an "x5c" header is refused', async () => {
    const header = JSON.stringify({ alg: 'ES256', kid: identity.keys.ES256.kid, x5c: ['MIIBszCCAVmgAwIBAgIUFAKE'] });
    await assertRefused(bearer(await signCompact(header, payloadJson(), identity.keys.ES256)), 'token_invalid', /x5c/);
  });

  test('any "crit" header is refused', async () => {
    for (const crit of [['exp'], ['b64'], []]) {
      const header = JSON.stringify({ alg: 'ES256', kid: identity.keys.ES256.kid, crit, b64: true });
      await assertRefused(bearer(await signCompact(header, payloadJson(), identity.keys.ES256)), 'token_invalid', /crit/);
    }
  });

  test('duplicate claim keys are refused even when correctly signed (region GB then US)', async () => {
    const claims = payloadJson().replace(/}$/, ',"account_region":"US"}');
    assert.match(claims, /"account_region":"GB".*"account_region":"US"/);
    const token = await signCompact(JSON.stringify({ alg: 'ES256', kid: identity.keys.ES256.kid }), claims, identity.keys.ES256);
    await assertRefused(bearer(token), 'token_invalid', /claims has a duplicate member name/);
  });

  test('a duplicate spelled with an escape is still a duplicate', async () => {
    const claims = payloadJson().replace(/}$/, ',"account\\u005fregion":"US"}');
    const token = await signCompact(JSON.stringify({ alg: 'ES256', kid: identity.keys.ES256.kid }), claims, identity.keys.ES256);
    await assertRefused(bearer(token), 'token_invalid', /duplicate/);
  });

  test('duplicate header keys are refused', async () => {
    const header = `{"alg":"ES256","kid":"${attackerKey.kid}","kid":"${identity.keys.ES256.kid}"}`;
    await assertRefused(bearer(await signCompact(header, payloadJson(), identity.keys.ES256)), 'token_invalid', /header has a duplicate/);
  });

  test('a header or claims set that is not a JSON object is refused', async () => {
    const kid = identity.keys.ES256.kid;
    await assertRefused(bearer(await signCompact(`[{"alg":"ES256","kid":"${kid}"}]`, payloadJson(), identity.keys.ES256)), 'token_invalid');
    await assertRefused(bearer(await signCompact(JSON.stringify({ alg: 'ES256', kid }), '["acme"]', identity.keys.ES256)), 'token_invalid');
    await assertRefused(bearer(await signCompact(JSON.stringify({ alg: 'ES256', kid }), '{"a":', identity.keys.ES256)), 'token_invalid');
    await assertRefused(bearer(await signCompact(JSON.stringify({ alg: 'ES256', kid: 7 }), payloadJson(), identity.keys.ES256)), 'token_invalid');
  });
});

describe('signature and registered claims', () => {
  test('good tokens verify for RS256, ES256 and EdDSA', async () => {
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
      const token = await identity.sign({ scope: 'a b' }, { alg });
      const principal = await authenticator.authenticate(bearer(token));
      assert.equal(principal.account, 'acme');
      assert.equal(principal.region, 'GB');
      assert.equal(principal.subject, 'test-service');
      assert.deepEqual([...principal.scopes], ['a', 'b']);
      assert.equal(principal.expiresAt, (JSON.parse(new TextDecoder().decode(base64url.decode(token.split('.')[1] ?? ''))) as { exp: number }).exp);
    }
  });

  test('a token without kid verifies against the only key of its type', async () => {
    const principal = await authenticator.authenticate(bearer(await identity.sign({}, { kid: null })));
    assert.equal(principal.account, 'acme');
  });

  test('an algorithm the policy does not list is refused', async () => {
    const esOnly = createAuthenticator(identity.authConfig(undefined, { algorithms: ['ES256'] }));
    await assertRefused(bearer(await identity.sign({}, { alg: 'RS256' })), 'token_invalid', /algorithm/, esOnly);
  });

  test('an unknown kid is token_invalid', async () => {
    await assertRefused(bearer(await identity.sign({}, { kid: 'nobody-knows-me' })), 'token_invalid', /signing key/);
  });

  test('a token signed by another key under a known kid is token_invalid', async () => {
    const header = JSON.stringify({ alg: 'ES256', kid: identity.keys.ES256.kid });
    await assertRefused(bearer(await signCompact(header, payloadJson(), attackerKey)), 'token_invalid', /signature/);
  });

  test('a tampered payload is token_invalid', async () => {
    const [header, , signature] = (await identity.sign()).split('.');
    const tampered = base64url.encode(payloadJson({ account_region: 'US' }));
    await assertRefused(bearer(`${header}.${tampered}.${signature}`), 'token_invalid', /signature/);
  });

  test('a wrong issuer or audience is token_invalid', async () => {
    await assertRefused(await signedClaims({ iss: 'https://evil.test/' }), 'token_invalid', /issuer/);
    await assertRefused(await signedClaims({ iss: undefined }), 'token_invalid', /"iss"/);
    await assertRefused(await signedClaims({ aud: 'someone-else' }), 'token_invalid', /audience/);
    await assertRefused(await signedClaims({ aud: ['someone-else'] }), 'token_invalid', /audience/);
  });

  test('an audience array that includes ours is accepted', async () => {
    const principal = await authenticator.authenticate(await signedClaims({ aud: ['other', identity.audience] }));
    assert.equal(principal.account, 'acme');
  });

  test('nbf in the future is token_invalid; within the clock tolerance it is accepted', async () => {
    await assertRefused(await signedClaims({ nbf: nowSeconds() + 3600 }), 'token_invalid', /not valid yet/);
    const principal = await authenticator.authenticate(await signedClaims({ nbf: nowSeconds() + 10 }));
    assert.equal(principal.account, 'acme');
  });

  test('a missing exp is token_invalid', async () => {
    await assertRefused(await signedClaims({ exp: undefined }), 'token_invalid', /"exp"/);
  });

  test('exp of the wrong type is token_invalid', async () => {
    await assertRefused(await signedClaims({ exp: String(nowSeconds() + 60) }), 'token_invalid');
  });

  test('exp ten years ahead is token_invalid (longer than maxTokenLifetimeSeconds)', async () => {
    await assertRefused(await signedClaims({ exp: nowSeconds() + 10 * 365 * 86_400 }), 'token_invalid', /too far ahead/);
  });

  test('an expired token is token_expired; within the clock tolerance it is accepted', async () => {
    await assertRefused(await signedClaims({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }), 'token_expired');
    const principal = await authenticator.authenticate(await signedClaims({ exp: nowSeconds() - 10 }));
    assert.equal(principal.account, 'acme');
  });

  test('iat in the future beyond the tolerance is token_invalid', async () => {
    await assertRefused(await signedClaims({ iat: nowSeconds() + 3600 }), 'token_invalid', /issued in the future/);
  });
});

describe('account, region, subject and scope claims', () => {
  test('an account claim that is missing, empty, not a string, too long or has control characters is account_missing', async () => {
    for (const account of [undefined, '', ['acme'], { id: 'acme' }, 42, true, null, 'a'.repeat(257), 'ac\nme', 'ac\u0085me', '\ud800']) {
      await assertRefused(await signedClaims({ account_id: account }), 'account_missing');
    }
  });

  test('a region claim that is not one printable ASCII string is region_missing', async () => {
    for (const region of [undefined, '', ['GB'], ['GB', 'US'], { code: 'GB' }, 44, true, null, 'ＧＢ', 'GB\u00a0', 'G\tB', 'R'.repeat(65)]) {
      await assertRefused(await signedClaims({ account_region: region }), 'region_missing');
    }
  });

  test('a region claim is neither trimmed nor normalised', async () => {
    for (const region of [' GB', 'GB ', 'gb', 'Gb']) {
      const principal = await authenticator.authenticate(await signedClaims({ account_region: region }));
      assert.equal(principal.region, region);
    }
  });

  test('account ids are kept as sent, Unicode included', async () => {
    const principal = await authenticator.authenticate(await signedClaims({ account_id: 'Société Générale' }));
    assert.equal(principal.account, 'Société Générale');
  });

  test('a subject of the wrong type is token_invalid; a missing one is allowed', async () => {
    await assertRefused(await signedClaims({ sub: 42 }), 'token_invalid', /"sub"/);
    const principal = await authenticator.authenticate(await signedClaims({ sub: undefined }));
    assert.equal(principal.subject, undefined);
    assert.equal(Object.hasOwn(principal, 'subject'), false);
  });

  test('claims are read by the names the policy gives, and only as own members', async () => {
    const custom = createAuthenticator(
      identity.authConfig(undefined, { claims: { account: 'tenant', region: 'https://example.com/region', subject: 'client_id' } }),
    );
    const principal = await custom.authenticate(await signedClaims({ tenant: 't-1', 'https://example.com/region': 'US', client_id: 'svc-a' }));
    assert.deepEqual({ account: principal.account, region: principal.region, subject: principal.subject }, { account: 't-1', region: 'US', subject: 'svc-a' });

    const inherited = createAuthenticator(identity.authConfig(undefined, { claims: { account: 'constructor', region: 'account_region', subject: 'sub' } }));
    await assertRefused(await signedClaims({}), 'account_missing', undefined, inherited);
  });

  test('scopes come from "scope" (space-separated) and "scp" (array or string)', async () => {
    const principal = await authenticator.authenticate(await signedClaims({ scope: 'read  residency:admin', scp: ['write', 'read'] }));
    assert.deepEqual([...principal.scopes].sort(), ['read', 'residency:admin', 'write']);
    const azure = await authenticator.authenticate(await signedClaims({ scp: 'residency:admin other' }));
    assert.ok(azure.scopes.has('residency:admin'));
    await assertRefused(await signedClaims({ scp: ['ok', 7] }), 'token_invalid', /"scp"/);
    await assertRefused(await signedClaims({ scope: { admin: true } }), 'token_invalid', /"scope"/);
  });

  test('requireScope refuses with scope_required without the admin scope', async () => {
    const admin = await authenticator.authenticate(await signedClaims({ scope: 'residency:admin' }));
    assert.doesNotThrow(() => requireScope(admin, 'residency:admin'));
    const plain = await authenticator.authenticate(await signedClaims({ scope: 'residency:administrator' }));
    assert.throws(
      () => requireScope(plain, 'residency:admin'),
      (error: unknown) => isRefusal(error) && error.code === 'scope_required',
    );
  });
});

describe('verification cache', () => {
  test('a reused token is verified cryptographically once, and its claims are re-checked at every use', async (t) => {
    let clock = Date.now();
    const cached = createAuthenticator(identity.authConfig(), { now: () => clock });
    const token = await identity.sign({}, { now: Math.floor(clock / 1000) });
    const verify = t.mock.method(crypto.subtle, 'verify');
    await cached.authenticate(bearer(token));
    await cached.authenticate(bearer(token));
    const principal = await cached.authenticate(bearer(token));
    assert.equal(verify.mock.callCount(), 1);
    assert.equal(principal.account, 'acme');
    clock += 700_000;
    await assertRefused(bearer(token), 'token_expired', undefined, cached);
  });

  test('a token that differs by one character is not a cache hit', async () => {
    const token = await identity.sign();
    await authenticator.authenticate(bearer(token));
    // Flip a character inside the signature (the last one may only carry unused padding bits).
    const at = token.length - 20;
    const flipped = token[at] === 'A' ? 'B' : 'A';
    await assertRefused(bearer(`${token.slice(0, at)}${flipped}${token.slice(at + 1)}`), 'token_invalid', /signature/);
  });

  test('entries are evicted least recently used first and only count for the key set that verified them', () => {
    const entry = (generation: number) => ({
      principal: { account: 'a', region: 'GB', scopes: new Set<string>(), expiresAt: 1 },
      times: { exp: 1 },
      generation,
    });
    const cache = new VerificationCache(10);
    cache.set('one..', entry(1));
    cache.set('two..', entry(1));
    assert.ok(cache.get('one..', 1));
    cache.set('three', entry(1));
    assert.equal(cache.get('two..', 1), undefined);
    assert.ok(cache.get('one..', 1));
    assert.ok(cache.get('three', 1));
    assert.equal(cache.get('three', 2), undefined);
    assert.equal(cache.get('three', 1), undefined);
    assert.equal(cache.get('one..', undefined), undefined);
    cache.set('a-token-longer-than-the-budget', entry(1));
    assert.equal(cache.get('a-token-longer-than-the-budget', 1), undefined);
  });
});

describe('strict JSON', () => {
  test('parses what JSON.parse parses', () => {
    const text = '{"a":1,"b":{"c":[1,{"d":"x"}],"e":null},"f":"}\\",\\"a\\":"}';
    assert.deepEqual(parseStrictJson(text), JSON.parse(text));
  });

  test('refuses a repeated member name at any depth, compared after unescaping', () => {
    for (const text of ['{"a":1,"a":2}', '{"x":{"a":1,"b":2,"a":3}}', '[{"a":1},{"b":1,"b":2}]', '{"a":1,"\\u0061":2}', '{"a":{},"a":[]}']) {
      assert.throws(() => parseStrictJson(text), DuplicateKeyError, text);
    }
  });

  test('the same name in different objects, or as a value, is no duplicate', () => {
    for (const text of ['{"a":{"a":1}}', '[{"a":1},{"a":2}]', '{"a":"a","b":["a","a"]}', '{"a":{},"b":{"a":1}}', '{"a":[{}],"b":"a"}']) {
      assert.deepEqual(parseStrictJson(text), JSON.parse(text));
    }
  });

  test('invalid JSON is a plain SyntaxError', () => {
    assert.throws(
      () => parseStrictJson('{"a":1,'),
      (error: unknown) => error instanceof SyntaxError && !(error instanceof DuplicateKeyError),
    );
  });
});

describe('development keys and the token command', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'residency-dev-keys-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const keysDir = join(dir, 'dev-keys');
  const devAuth = (jwks: { keys: unknown[] }): AuthConfig => ({ ...developmentPolicy().auth, jwks: { keys: jwks.keys as Array<Record<string, unknown>> } });

  test('keys are generated once, reused afterwards, and the private key is mode 0600', async () => {
    const first = await ensureDevKeys(keysDir);
    const second = await ensureDevKeys(keysDir);
    assert.equal(second.kid, first.kid);
    assert.deepEqual(second.jwks, first.jwks);
    assert.equal((await stat(join(keysDir, 'private-key.json'))).mode & 0o777, 0o600);
    assert.equal(JSON.stringify(first.jwks).includes('"d"'), false);
  });

  test('concurrent first starts agree on one key pair', async () => {
    const racing = join(dir, 'racing');
    const results = await Promise.all([ensureDevKeys(racing), ensureDevKeys(racing), ensureDevKeys(racing)]);
    assert.equal(new Set(results.map((keys) => keys.kid)).size, 1);
  });

  test('a minted dev token is accepted by the development policy', async () => {
    const keys = await ensureDevKeys(keysDir);
    assert.equal(developmentPolicy().auth.issuer, DEV_ISSUER);
    assert.equal(developmentPolicy().auth.audience, DEV_AUDIENCE);
    const token = await mintDevToken(keys, { account: 'acme', region: 'GB', subject: 'svc', scopes: ['residency:admin'] });
    const principal = await createAuthenticator(devAuth(keys.jwks)).authenticate(bearer(token));
    assert.equal(principal.account, 'acme');
    assert.equal(principal.region, 'GB');
    assert.equal(principal.subject, 'svc');
    assert.ok(principal.scopes.has('residency:admin'));
    await assert.rejects(mintDevToken(keys, { account: 'a', region: 'GB', ttlSeconds: 86_401 }), RangeError);
  });

  test('`token` prints a token for the given account, region and scope', async () => {
    const { code, stdout } = await runTokenCommand(['--account', 'globex', '--region', 'US', '--admin', '--ttl', '600', '--keys', keysDir]);
    assert.equal(code, 0);
    const keys = await ensureDevKeys(keysDir);
    const principal = await createAuthenticator(devAuth(keys.jwks)).authenticate(bearer(stdout.trim()));
    assert.equal(principal.account, 'globex');
    assert.equal(principal.region, 'US');
    assert.ok(principal.scopes.has(developmentPolicy().auth.adminScope));
    assert.ok(principal.expiresAt - nowSeconds() <= 600);
  });

  test('`token` without --account or --region, with a bad --ttl or an unknown option exits 2 and prints nothing on stdout', async () => {
    for (const argv of [
      ['--region', 'GB'],
      ['--account', 'a'],
      ['--account', 'a', '--region', 'GB', '--ttl', '10y'],
      ['--account', 'a', '--region', 'GB', '--ttl', '999999'],
      ['--account', 'a', '--region', 'GB', '--bogus'],
    ]) {
      const { code, stdout, stderr } = await runTokenCommand([...argv, '--keys', keysDir]);
      assert.equal(code, 2, argv.join(' '));
      assert.equal(stdout, '');
      assert.match(stderr, /usage: residency-proxy token/);
    }
  });
});

/** Runs tokenCommand in a child process, as the CLI does, capturing its output and exit code. */
function runTokenCommand(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const module = new URL('../src/cli/token.ts', import.meta.url).href;
  const script = `const { tokenCommand } = await import(${JSON.stringify(module)}); process.exitCode = await tokenCommand(process.argv.slice(1));`;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', ...argv], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

import { base64url, calculateJwkThumbprint, exportJWK, exportSPKI, generateKeyPair, type JWK } from 'jose';
import type { AuthConfig, JwksConfig } from '../../src/policy/schema.ts';

/**
 * Test identities: a key set (RS256, ES256, EdDSA, each with a kid) and ways to
 * sign any token with it, including malformed and hostile ones. Signing is done
 * by hand over the exact header and payload text, so a test can send duplicate
 * keys, odd headers or claims of any type.
 */

export type TestAlg = 'RS256' | 'ES256' | 'EdDSA';

/** Something that can produce a JWS signature for a given `alg`. */
export interface Signer {
  alg: string;
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
}

export interface TestKey extends Signer {
  alg: TestAlg;
  kid: string;
  /** The public key as it appears in the JWKS (with kid, alg and use). */
  publicJwk: JWK;
  /** The public key as SPKI PEM, for "HS256 signed with the public key" attacks. */
  publicPem: string;
}

export type Claims = Record<string, unknown>;

export interface SignOptions {
  alg?: TestAlg;
  /** Overrides the key's kid in the header; `null` leaves `kid` out. */
  kid?: string | null;
  /** Extra or replacing header parameters (`undefined` removes one). */
  header?: Record<string, unknown>;
  /** Seconds since the epoch used for the default `iat`/`exp`. */
  now?: number;
}

export interface TestIdentity {
  issuer: string;
  audience: string;
  keys: Record<TestAlg, TestKey>;
  jwks: { keys: JWK[] };
  /**
   * A token signed with one of the identity's keys. Default claims: iss, aud,
   * iat = now, exp = now + 600, account_id "acme", account_region "GB",
   * sub "test-service"; `claims` are merged over them (`undefined` removes one).
   */
  sign(claims?: Claims, options?: SignOptions): Promise<string>;
  /** An AuthConfig trusting this identity (all defaults of the policy file), static keys unless `jwks` is given. */
  authConfig(jwks?: JwksConfig, overrides?: Partial<AuthConfig>): AuthConfig;
}

const encoder = new TextEncoder();

const SIGNING_ALGORITHMS: Record<TestAlg, Parameters<typeof crypto.subtle.sign>[0]> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
  EdDSA: { name: 'Ed25519' },
};

export async function createTestKey(alg: TestAlg, kid?: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  const keyId = kid ?? (await calculateJwkThumbprint(jwk));
  return {
    alg,
    kid: keyId,
    publicJwk: { ...jwk, kid: keyId, alg, use: 'sig' },
    publicPem: await exportSPKI(publicKey),
    async sign(signingInput) {
      return new Uint8Array(await crypto.subtle.sign(SIGNING_ALGORITHMS[alg], privateKey, signingInput));
    },
  };
}

/** An HS256 signer keyed with arbitrary bytes, e.g. a public key's PEM or JWK text. */
export function hmacSigner(secret: string | Uint8Array): Signer {
  const keyBytes = typeof secret === 'string' ? encoder.encode(secret) : secret;
  return {
    alg: 'HS256',
    async sign(signingInput) {
      const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      return new Uint8Array(await crypto.subtle.sign('HMAC', key, signingInput));
    },
  };
}

/** Signs the exact header and payload text given (no re-serialisation). */
export async function signCompact(headerJson: string, payloadJson: string, signer: Signer): Promise<string> {
  const signingInput = `${base64url.encode(headerJson)}.${base64url.encode(payloadJson)}`;
  const signature = await signer.sign(encoder.encode(signingInput));
  return `${signingInput}.${base64url.encode(signature)}`;
}

/** An unsigned token (`alg` as given, empty signature), e.g. for `alg: none` in any casing. */
export function unsignedToken(header: Record<string, unknown>, payload: Claims): string {
  return `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}.`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function defaultClaims(issuer: string, audience: string, now: number): Claims {
  return {
    iss: issuer,
    aud: audience,
    iat: now,
    exp: now + 600,
    account_id: 'acme',
    account_region: 'GB',
    sub: 'test-service',
  };
}

export async function createTestIdentity(options: { issuer?: string; audience?: string } = {}): Promise<TestIdentity> {
  const issuer = options.issuer ?? 'https://idp.test/';
  const audience = options.audience ?? 'residency-proxy';
  const keys: Record<TestAlg, TestKey> = {
    RS256: await createTestKey('RS256', 'test-rs256'),
    ES256: await createTestKey('ES256', 'test-es256'),
    EdDSA: await createTestKey('EdDSA', 'test-eddsa'),
  };
  const jwks = { keys: Object.values(keys).map((key) => key.publicJwk) };

  return {
    issuer,
    audience,
    keys,
    jwks,
    sign(claims = {}, signOptions = {}) {
      const key = keys[signOptions.alg ?? 'ES256'];
      const kid = signOptions.kid === undefined ? key.kid : signOptions.kid;
      const header = { alg: key.alg, typ: 'JWT', ...(kid === null ? {} : { kid }), ...signOptions.header };
      const payload = { ...defaultClaims(issuer, audience, signOptions.now ?? nowSeconds()), ...claims };
      return signCompact(JSON.stringify(header), JSON.stringify(payload), key);
    },
    authConfig(jwksConfig, overrides = {}) {
      return {
        issuer,
        audience,
        algorithms: ['RS256', 'ES256', 'EdDSA'],
        jwks: jwksConfig ?? { keys: jwks.keys.map((jwk) => ({ ...jwk })) },
        clockToleranceSeconds: 30,
        maxTokenLifetimeSeconds: 86_400,
        claims: { account: 'account_id', region: 'account_region', subject: 'sub' },
        adminScope: 'residency:admin',
        ...overrides,
      };
    },
  };
}

/** The settings of the `{ url }` JWKS form with the policy file's defaults, overridable. */
export function remoteJwks(url: string, overrides: Partial<Extract<JwksConfig, { url: string }>> = {}): Extract<JwksConfig, { url: string }> {
  return { url, maxStaleSeconds: 86_400, cooldownSeconds: 30, cacheMaxAgeSeconds: 600, timeoutMs: 5_000, ...overrides };
}

import { errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { Principal } from '../policy/principal.ts';
import type { AuthConfig } from '../policy/schema.ts';
import { principalFromClaims } from './claims.ts';
import { createKeySource } from './jwks.ts';
import type { KeySource } from './key-source.ts';
import { bearerToken, inspectToken, type TokenHeader } from './token-shape.ts';
import { checkTokenTimes } from './token-times.ts';
import { VerificationCache } from './verification-cache.ts';
import { refusalForVerificationError } from './verification-errors.ts';

/**
 * Bearer token authentication. Runs on Node and Cloudflare Workers alike:
 * jose, Web Crypto and fetch only.
 */

export interface Authenticator {
  /**
   * `authorization` = every raw Authorization header value the request
   * carried. Resolves the Principal or throws a Refusal.
   */
  authenticate(authorization: readonly string[]): Promise<Principal>;
  /** For /readyz: whether keys are available (fresh or within maxStale). */
  ready(): Promise<boolean>;
}

export interface AuthenticatorOptions {
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

/** Tokens are ASCII: about 8 MB of verified tokens, some 10 000 of a typical size. */
const MAX_CACHED_TOKEN_CHARACTERS = 8 * 1024 * 1024;

type VerifiedClaims = JWTPayload & { exp: number };

export function createAuthenticator(config: AuthConfig, options: AuthenticatorOptions = {}): Authenticator {
  const now = options.now ?? Date.now;
  // Wrapped so fetch is never called detached from globalThis (an "Illegal invocation" on Workers).
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const keySource = createKeySource(config.jwks, { fetch: fetchImpl, now });
  const verified = new VerificationCache(MAX_CACHED_TOKEN_CHARACTERS);
  const verifyOptions: JWTVerifyOptions = {
    algorithms: config.algorithms,
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: config.clockToleranceSeconds,
    requiredClaims: ['exp'],
  };

  async function authenticate(authorization: readonly string[]): Promise<Principal> {
    const token = bearerToken(authorization);
    const nowMs = now();
    const nowSeconds = Math.floor(nowMs / 1000);

    // A cached token is the same string that passed every check below; only its times can have changed.
    const cached = verified.get(token, keySource.usableGeneration());
    if (cached) {
      checkTokenTimes(cached.times, nowSeconds, config);
      return cached.principal;
    }

    const header = inspectToken(token, config.algorithms);
    const { claims, generation } = await verifySignature(token, header, keySource, {
      ...verifyOptions,
      currentDate: new Date(nowMs),
    });
    const times = { exp: claims.exp, nbf: claims.nbf, iat: claims.iat };
    checkTokenTimes(times, nowSeconds, config);
    const principal = Object.freeze(principalFromClaims(claims, config));
    verified.set(token, { principal, times, generation });
    return principal;
  }

  return {
    async authenticate(authorization) {
      try {
        return await authenticate(authorization);
      } catch (error) {
        throw refusalForVerificationError(error);
      }
    },
    ready: () => keySource.ready(),
  };
}

/** jose's jwtVerify against each candidate key in turn; the first that verifies wins. */
async function verifySignature(
  token: string,
  header: TokenHeader,
  keySource: KeySource,
  options: JWTVerifyOptions,
): Promise<{ claims: VerifiedClaims; generation: number }> {
  const { keys, generation } = await keySource.resolve(header);
  let failure: unknown = new errors.JWKSNoMatchingKey();
  for (const key of keys) {
    try {
      const { payload } = await jwtVerify(token, key, options);
      // requiredClaims and jose's numeric-date checks guarantee a numeric exp.
      return { claims: payload as VerifiedClaims, generation };
    } catch (error) {
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) throw error;
      failure = error;
    }
  }
  throw failure;
}

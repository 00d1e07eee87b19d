import { base64url } from 'jose';
import { Refusal } from '../policy/refusal.ts';
import { DuplicateKeyError, parseStrictJson } from './strict-json.ts';

/**
 * Everything checked about a token before any cryptography: where it comes
 * from, its size, its shape, and its header. Each check closes a known way a
 * token gets through a pinned jose verifier.
 */

export const MAX_TOKEN_LENGTH = 8 * 1024;

/** Header parameters that make a verifier fetch or trust key material named by the token itself. */
const REFUSED_HEADER_PARAMETERS = ['jwk', 'jku', 'x5u', 'x5c', 'crit'] as const;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The token of the request's only `Authorization: Bearer` credential.
 * `authorization` holds every raw Authorization header value the request carried.
 * No credential, or a scheme other than Bearer, is `token_missing`; two
 * credentials (two headers or a comma-merged value) are `token_invalid`.
 */
export function bearerToken(authorization: readonly string[]): string {
  if (authorization.length === 0) throw new Refusal('token_missing', 'send the token as "Authorization: Bearer <token>"');
  if (authorization.length > 1) throw new Refusal('token_invalid', 'send exactly one Authorization header');

  const value = (authorization[0] as string).replace(/^[ \t]+|[ \t]+$/g, '');
  if (value === '') throw new Refusal('token_missing', 'the Authorization header is empty');
  if (value.includes(',')) throw new Refusal('token_invalid', 'the Authorization header carries more than one credential');

  const [, scheme = '', credentials = ''] = /^(\S+)(?:[ \t]+(.*))?$/s.exec(value) ?? [];
  if (scheme.toLowerCase() !== 'bearer') {
    throw new Refusal('token_missing', 'only the Bearer scheme is accepted: "Authorization: Bearer <token>"');
  }
  if (credentials === '') throw new Refusal('token_missing', 'no token after "Bearer"');
  if (/[ \t]/.test(credentials)) throw new Refusal('token_invalid', 'the bearer token contains whitespace');
  return credentials;
}

export interface TokenHeader {
  alg: string;
  kid?: string;
  [parameter: string]: unknown;
}

/**
 * Checks that `token` is a compact JWS of at most 8 KiB whose header and
 * claims are JSON objects without duplicate member names, whose header names
 * no key material of its own and whose `alg` is one of `algorithms`.
 * Returns the header; the claims are read from jose's result once the
 * signature has been verified.
 */
export function inspectToken(token: string, algorithms: readonly string[]): TokenHeader {
  if (token.length > MAX_TOKEN_LENGTH) throw new Refusal('token_invalid', 'the token is longer than 8 KiB');
  if (!COMPACT_JWS.test(token)) {
    throw new Refusal('token_invalid', 'the token is not a compact JWS (three unpadded base64url parts)');
  }
  const [encodedHeader = '', encodedClaims = ''] = token.split('.');
  const header = decodeJsonObject(encodedHeader, 'header');
  decodeJsonObject(encodedClaims, 'claims');

  for (const parameter of REFUSED_HEADER_PARAMETERS) {
    if (Object.hasOwn(header, parameter)) {
      throw new Refusal('token_invalid', `the token header parameter "${parameter}" is not accepted`);
    }
  }
  const { alg, kid } = header;
  if (typeof alg !== 'string' || !algorithms.includes(alg)) {
    throw new Refusal('token_invalid', `the token algorithm is not accepted (accepted: ${algorithms.join(', ')})`);
  }
  if (kid !== undefined && typeof kid !== 'string') throw new Refusal('token_invalid', 'the token "kid" is not a string');
  return { ...header, alg, kid };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeJsonObject(encoded: string, part: 'header' | 'claims'): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseStrictJson(strictUtf8.decode(base64url.decode(encoded)));
  } catch (error) {
    const problem = error instanceof DuplicateKeyError ? 'has a duplicate member name' : 'is not valid base64url JSON';
    throw new Refusal('token_invalid', `the token ${part} ${problem}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Refusal('token_invalid', `the token ${part} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

import { errors, type JSONWebKeySet, type LocalJWKSet } from 'jose';
import type { TokenHeader } from './token-shape.ts';

/** Where verification keys come from: a static key set, or an IdP's JWKS URL behind a cache. */
export interface KeySource {
  /**
   * The public keys that may have signed a token with this header (several
   * when kid and alg match more than one), with the generation of the key set
   * they came from. Throws jose's JWKSNoMatchingKey when none matches, a
   * Refusal when no key set is available.
   */
  resolve(header: TokenHeader): Promise<{ keys: CryptoKey[]; generation: number }>;
  /** The generation of the key set usable now (it changes whenever the set does), undefined when none is usable. */
  usableGeneration(): number | undefined;
  /** Whether a key set is usable, trying to fetch one if none is. */
  ready(): Promise<boolean>;
}

export interface KeySourceOptions {
  fetch: typeof fetch;
  /** Milliseconds since the epoch. */
  now: () => number;
}

/** jose signals several matching keys by an error that iterates over them; the caller tries each in turn. */
export async function matchingKeys(keySet: LocalJWKSet, header: TokenHeader): Promise<CryptoKey[]> {
  try {
    return [await keySet({ alg: header.alg, kid: header.kid })];
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    const keys: CryptoKey[] = [];
    for await (const key of error) keys.push(key);
    if (keys.length === 0) throw new errors.JWKSNoMatchingKey();
    return keys;
  }
}

/** At least one key, each an object with a string `kty`: the least a key set must be to replace the one in use. */
export function isNonEmptyKeySet(value: unknown): value is JSONWebKeySet {
  if (typeof value !== 'object' || value === null) return false;
  const { keys } = value as { keys?: unknown };
  return (
    Array.isArray(keys) &&
    keys.length > 0 &&
    keys.every((key: unknown) => typeof key === 'object' && key !== null && typeof (key as { kty?: unknown }).kty === 'string')
  );
}

import { createLocalJWKSet } from 'jose';
import type { JwksConfig } from '../policy/schema.ts';
import { isNonEmptyKeySet, matchingKeys, type KeySource, type KeySourceOptions } from './key-source.ts';
import { remoteKeySource } from './remote-jwks.ts';

/** The KeySource for the policy's `auth.jwks`: `{ keys }` (static) or `{ url, ... }` (fetched and cached). */
export function createKeySource(config: JwksConfig, options: KeySourceOptions): KeySource {
  if ('file' in config) {
    throw new Error('auth.jwks.file must be read by the entry point and passed on as { keys }');
  }
  if ('url' in config) return remoteKeySource(config, options);
  return staticKeySource({ keys: config.keys });
}

function staticKeySource(jwks: unknown): KeySource {
  if (!isNonEmptyKeySet(jwks)) throw new Error('auth.jwks.keys is not a JSON Web Key Set: every key needs a "kty"');
  const privateMember = jwks.keys.findIndex((jwk) => 'd' in jwk || 'k' in jwk);
  if (privateMember !== -1) {
    throw new Error(`auth.jwks.keys[${privateMember}] holds private or secret key material; list public keys only`);
  }
  const keySet = createLocalJWKSet(jwks);
  return {
    resolve: async (header) => ({ keys: await matchingKeys(keySet, header), generation: 0 }),
    usableGeneration: () => 0,
    ready: async () => true,
  };
}

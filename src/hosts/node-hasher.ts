import { createHash, createHmac } from 'node:crypto';
import type { IdentifierHasher } from '../policy/identifiers.ts';

/**
 * The digest of createIdentifierHasher (HMAC-SHA-256 with the secret, plain
 * SHA-256 without, first 16 bytes in hex) computed with node:crypto: Web
 * Crypto costs a thread-pool round trip per call on Node, and every request's
 * audit event hashes its key.
 */
export function nodeIdentifierHasher(secret: Uint8Array | undefined): IdentifierHasher {
  const digest = (value: string) => (secret && secret.byteLength > 0 ? createHmac('sha256', secret) : createHash('sha256')).update(value, 'utf8').digest();
  return async (value) => digest(value).toString('hex', 0, 16);
}

const encoder = new TextEncoder();

/** The two keys one session secret yields: one seals session tokens, one derives their secret access keys. */
export interface SessionKeys {
  seal: CryptoKey;
  secret: CryptoKey;
}

/** At least 32 bytes of the secret's text: a shorter one could be guessed offline from one session token. */
export const MIN_SESSION_SECRET_BYTES = 32;

/**
 * Derives the session keys from `RESIDENCY_SESSION_KEY` with HKDF-SHA256,
 * one key per purpose, so that every instance given the same secret seals
 * and opens the same tokens without any shared state.
 */
export async function deriveSessionKeys(secret: string): Promise<SessionKeys> {
  const bytes = encoder.encode(secret);
  if (bytes.length < MIN_SESSION_SECRET_BYTES) throw new Error(`the session secret must be at least ${MIN_SESSION_SECRET_BYTES} bytes`);
  const base = await crypto.subtle.importKey('raw', bytes, 'HKDF', false, ['deriveKey']);
  const derive = (info: string, algorithm: Parameters<typeof crypto.subtle.deriveKey>[2], usages: Parameters<typeof crypto.subtle.deriveKey>[4]) =>
    crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(info) }, base, algorithm, false, usages);
  return {
    seal: await derive('residency-proxy s3 session seal v1', { name: 'AES-GCM', length: 256 }, ['encrypt', 'decrypt']),
    secret: await derive('residency-proxy s3 session secret v1', { name: 'HMAC', hash: 'SHA-256', length: 256 }, ['sign']),
  };
}

import { concatBytes, fromBase64Url, randomBytes, toBase64Url } from './bytes.ts';
import { DecryptionError } from './errors.ts';
import type { KeyEncryptionKey } from './kek.ts';

/**
 * The `local` provider: a 256-bit AES key given as a JWK (`{"kty":"oct",
 * "k":"<base64url>","kid":"..."}`), used through Web Crypto, so it works on
 * Node and on Workers alike. For development: whoever reads the key file
 * (or the secret) can unwrap every data key. Wrapped form: iv (12) | AES-GCM.
 */
export async function localKek(jwkText: string): Promise<KeyEncryptionKey> {
  const jwk = parseJwk(jwkText);
  const key = await crypto.subtle.importKey('raw', fromBase64Url(jwk.k), 'AES-GCM', false, ['encrypt', 'decrypt']);
  return {
    id: `local:${jwk.kid}`,
    async wrap(dataKey, context) {
      const iv = randomBytes(12);
      const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: copy(context) }, key, copy(dataKey));
      return concatBytes(iv, new Uint8Array(sealed));
    },
    async unwrap(wrapped, context) {
      try {
        const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: wrapped.slice(0, 12), additionalData: copy(context) }, key, wrapped.slice(12));
        return new Uint8Array(plain);
      } catch {
        throw new DecryptionError(`the wrapped data key does not unwrap with key-encryption key local:${jwk.kid}`);
      }
    },
  };
}

/** A new key file's text: a random 256-bit key as a JWK. */
export function newLocalKekJwk(kid: string): string {
  return `${JSON.stringify({ kty: 'oct', alg: 'A256GCM', kid, k: toBase64Url(randomBytes(32)) })}\n`;
}

interface OctJwk {
  k: string;
  kid: string;
}

function parseJwk(text: string): OctJwk {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('the local key is not JSON (a JWK {"kty":"oct","k":...} is expected)');
  }
  const jwk = value as Partial<Record<string, unknown>>;
  if (jwk.kty !== 'oct' || typeof jwk.k !== 'string' || fromBase64Url(jwk.k).byteLength !== 32) {
    throw new Error('the local key must be a JWK with kty "oct" and a 256-bit "k"');
  }
  return { k: jwk.k, kid: typeof jwk.kid === 'string' && jwk.kid !== '' ? jwk.kid : 'local' };
}

const copy = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

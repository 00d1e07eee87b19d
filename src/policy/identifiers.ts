/**
 * Keyed hashes for personal identifiers (data subject ids, object keys) in
 * audit events and index keys, so neither the audit log nor the store's key
 * space holds them in clear. With a secret the hash cannot be reversed by
 * trying candidate ids; without one it is a plain SHA-256.
 */
export type IdentifierHasher = (value: string) => Promise<string>;

export async function createIdentifierHasher(secret?: Uint8Array): Promise<IdentifierHasher> {
  const encoder = new TextEncoder();
  if (secret && secret.byteLength > 0) {
    const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return async (value) => hex(await crypto.subtle.sign('HMAC', key, encoder.encode(value)));
  }
  return async (value) => hex(await crypto.subtle.digest('SHA-256', encoder.encode(value)));
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer, 0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
}

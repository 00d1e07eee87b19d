import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

export function sha256Hex(data: string | Uint8Array): string {
  return toHex(sha256(typeof data === 'string' ? utf8(data) : data));
}

export function hmacSha256(key: Uint8Array, data: string): Uint8Array {
  return hmac(sha256, key, utf8(data));
}

/** The hex SHA-256 of no bytes: what an empty payload or an empty chunk hashes to. */
export const EMPTY_SHA256 = sha256Hex('');

/** Compares two strings in time that depends only on their lengths, so a signature cannot be guessed byte by byte. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

import { Refusal } from './refusal.ts';

const MAX_KEY_BYTES = 1024;
// C0 controls, DEL and C1 controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks an object key against DESIGN.md: 1–1024 bytes of UTF-8, no control
 * characters, no backslash, no leading `/`, no empty, `.` or `..` segment.
 * The key is the already percent-decoded form, so `%2e%2e` is caught as `..`.
 */
export function checkKey(key: string): Refusal | null {
  const bytes = new TextEncoder().encode(key).length;
  if (bytes === 0) return new Refusal('key_invalid', 'the key is empty');
  if (bytes > MAX_KEY_BYTES) return new Refusal('key_invalid', `the key is ${bytes} bytes; at most ${MAX_KEY_BYTES}`);
  if (CONTROL.test(key)) return new Refusal('key_invalid', 'the key contains a control character');
  if (key.includes('\\')) return new Refusal('key_invalid', 'the key contains a backslash');
  if (key.startsWith('/')) return new Refusal('key_invalid', 'the key starts with "/"');
  for (const segment of key.split('/')) {
    if (segment === '') return new Refusal('key_invalid', 'the key has an empty segment ("//" or a trailing "/")');
    if (segment === '.' || segment === '..') return new Refusal('key_invalid', `the key has a "${segment}" segment`);
  }
  return null;
}

/** Decodes a percent-encoded path part; malformed escapes and invalid UTF-8 are a refusal. */
export function decodeKey(encoded: string): string | Refusal {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return new Refusal('key_invalid', 'the key is not valid percent-encoded UTF-8');
  }
}

/**
 * Where things live in a store. Objects are under their data class first, so
 * that a store's native lifecycle rules can expire a class by prefix, then
 * under their account, so that no request can reach another account's.
 *
 *   objects/<dataClass>/<account>/<key>
 */
export function storeKey(account: string, dataClass: string, key: string): string {
  return `${dataClassPrefix(account, dataClass)}${key}`;
}

export function dataClassPrefix(account: string, dataClass: string): string {
  return `${classPrefix(dataClass)}${accountSegment(account)}/`;
}

/** Every account's objects of one class: what a lifecycle rule or the retention sweep walks. */
export function classPrefix(dataClass: string): string {
  return `objects/${dataClass}/`;
}

/** The account id as one path segment: percent-encoded, dots too, so it can never be "." or "..". */
export function accountSegment(account: string): string {
  return encodeURIComponent(account).replace(/\./g, '%2E');
}

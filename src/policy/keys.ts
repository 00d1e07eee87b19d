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

/**
 * The subject index: one empty marker per object written with X-Subject-Id,
 * written before the object, so erasure finds every object of a subject
 * without reading the account's objects. Subject ids appear only as keyed hashes.
 *
 *   subjects/<account>/<subjectHash>/<dataClass>/<key>
 */
export function subjectsPrefix(account: string): string {
  return `subjects/${accountSegment(account)}/`;
}

export function subjectIndexPrefix(account: string, subjectHash: string): string {
  return `${subjectsPrefix(account)}${subjectHash}/`;
}

export function subjectIndexKey(account: string, subjectHash: string, dataClass: string, key: string): string {
  return `${subjectIndexPrefix(account, subjectHash)}${dataClass}/${key}`;
}

/** Splits an index entry's key back into the object it points at. */
export function indexedObject(indexKey: string, prefix: string): { dataClass: string; key: string } | null {
  const rest = indexKey.slice(prefix.length);
  const slash = rest.indexOf('/');
  return slash <= 0 ? null : { dataClass: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

/**
 * Legal holds, kept in the zone's own store:
 *   holds/<account>/account              the whole account
 *   holds/<account>/subjects/<hash>      one data subject
 */
export function holdsPrefix(account: string): string {
  return `holds/${accountSegment(account)}/`;
}

export function holdKey(account: string, subjectHash?: string): string {
  return subjectHash === undefined ? `${holdsPrefix(account)}account` : `${holdsPrefix(account)}subjects/${subjectHash}`;
}

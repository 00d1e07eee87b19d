import { type Checked, Refusal } from './refusal.ts';
import { sha256Hex } from './sha256.ts';

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
export function decodeKey(encoded: string): Checked<string> {
  try {
    return { ok: true, value: decodeURIComponent(encoded) };
  } catch {
    return { ok: false, refusal: new Refusal('key_invalid', 'the key is not valid percent-encoded UTF-8') };
  }
}

/** One object of one account, passed whole so that the account, the data class and the key cannot be swapped. */
export interface ObjectRef {
  account: string;
  dataClass: string;
  key: string;
}

/**
 * Where things live in a store. Objects are under their data class first, so
 * that a store's native lifecycle rules can expire a class by prefix, then
 * under their account, so that no request can reach another account's.
 *
 *   objects/<dataClass>/<account>/<key>
 */
export function storeKey({ account, dataClass, key }: ObjectRef): string {
  return `${dataClassPrefix(account, dataClass)}${key}`;
}

export function dataClassPrefix(account: string, dataClass: string): string {
  return `${classPrefix(dataClass)}${accountSegment(account)}/`;
}

/** Every account's objects of one class: what a lifecycle rule or the retention sweep walks. */
export function classPrefix(dataClass: string): string {
  return `objects/${dataClass}/`;
}

/** Longest account segment kept readable; longer ones are hashed so every key fits every store. */
const MAX_ACCOUNT_SEGMENT = 256;

/**
 * The account id as one path segment: percent-encoded, dots too, so it can
 * never be "." or "..". An id whose encoding is longer than 256 bytes (a
 * long non-ASCII id) becomes `@` and the SHA-256 of the id: `@` never appears
 * in an encoded id, so the two forms cannot collide. Listings never need the
 * id back from the key: they are always within one account, and objects
 * carry their account in their metadata.
 */
export function accountSegment(account: string): string {
  const encoded = encodeURIComponent(account).replace(/\./g, '%2E');
  return encoded.length <= MAX_ACCOUNT_SEGMENT ? encoded : `@${sha256Hex(account)}`;
}

/**
 * The subject index: one empty marker per object written with X-Subject-Id,
 * written before the object, so erasure finds every object of a subject
 * without reading the account's objects. Subject ids appear only as keyed hashes.
 *
 *   subjects/<account>/<subjectHash>/<dataClass>/<key>
 */
export function subjectsPrefix(account: string): string {
  return `${SUBJECTS_PREFIX}${accountSegment(account)}/`;
}

export function subjectIndexPrefix(account: string, subjectHash: string): string {
  return `${subjectsPrefix(account)}${subjectHash}/`;
}

export function subjectIndexKey({ account, dataClass, key }: ObjectRef, subjectHash: string): string {
  return `${subjectIndexPrefix(account, subjectHash)}${dataClass}/${key}`;
}

/** Every subject index entry of every account: what the sweep checks for entries of writes that died. */
export const SUBJECTS_PREFIX = 'subjects/';

/** `subjects/<account>/<hash>/<class>/<key>` → `objects/<class>/<account>/<key>`, or null for a key of another shape. */
export function objectKeyOfIndexEntry(indexKey: string): string | null {
  if (!indexKey.startsWith(SUBJECTS_PREFIX)) return null;
  const [account, hash, dataClass, ...rest] = indexKey.slice(SUBJECTS_PREFIX.length).split('/');
  if (!account || !hash || !dataClass || rest.length === 0) return null;
  return `${classPrefix(dataClass)}${account}/${rest.join('/')}`;
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

/**
 * Erasure markers, one per account and one per data subject, kept in the
 * zone's store and rewritten (with a new id) by every erasure run. Writes
 * read them before and after they commit (src/rights/write-guard.ts).
 *   erasures/<account>/account
 *   erasures/<account>/subjects/<hash>
 */
export const ERASURES_PREFIX = 'erasures/';

export function erasuresPrefix(account: string): string {
  return `${ERASURES_PREFIX}${accountSegment(account)}/`;
}

export function erasureMarkerKey(account: string, subjectHash?: string): string {
  return subjectHash === undefined ? `${erasuresPrefix(account)}account` : `${erasuresPrefix(account)}subjects/${subjectHash}`;
}

/**
 * The data classes a store has ever held, one empty entry per class, so that
 * account erasure finds classes the policy no longer lists:
 *   catalog/classes/<dataClass>
 */
export const CLASS_CATALOG_PREFIX = 'catalog/classes/';

export function classCatalogKey(dataClass: string): string {
  return `${CLASS_CATALOG_PREFIX}${dataClass}`;
}

/** Parts of the account's S3 multipart uploads, staged until they complete (src/service/multipart.ts). */
export function stagedUploadsPrefix(account: string): string {
  return `uploads/${accountSegment(account)}/`;
}

/** Every object of every class: what the retention sweep walks. */
export const OBJECTS_PREFIX = 'objects/';

/** `objects/<class>/<account>/<key>` → its parts, or null for a key of another shape. */
export function parseStoreKey(key: string): { dataClass: string; accountSegment: string; key: string } | null {
  if (!key.startsWith(OBJECTS_PREFIX)) return null;
  const [dataClass, account, ...rest] = key.slice(OBJECTS_PREFIX.length).split('/');
  if (!dataClass || !account || rest.length === 0) return null;
  return { dataClass, accountSegment: account, key: rest.join('/') };
}

/** S3, Azure Blob and R2 hold keys of at most 1024 bytes; the gateway's own keys must fit too. */
export const MAX_STORE_KEY_BYTES = 1024;

/**
 * Refuses a key that fits the key rules but not the store once the gateway's
 * prefix for this account and class (and the subject index, for a write with
 * a subject) is added, naming the real limit for this account and class.
 */
export function checkStoredKeyLength({ account, dataClass, key }: ObjectRef, subjectHash?: string): Refusal | null {
  const encoder = new TextEncoder();
  const prefix = subjectHash === undefined ? dataClassPrefix(account, dataClass) : `${subjectIndexPrefix(account, subjectHash)}${dataClass}/`;
  const prefixBytes = Math.max(encoder.encode(prefix).length, encoder.encode(dataClassPrefix(account, dataClass)).length);
  const keyBytes = encoder.encode(key).length;
  if (prefixBytes + keyBytes <= MAX_STORE_KEY_BYTES) return null;
  const room = MAX_STORE_KEY_BYTES - prefixBytes;
  return new Refusal(
    'key_invalid',
    room > 0
      ? `the key is ${keyBytes} bytes; with the gateway's prefix for this account and data class${subjectHash === undefined ? '' : ' and its subject index'} a key may be at most ${room} bytes (stores hold keys of at most ${MAX_STORE_KEY_BYTES} bytes)`
      : `the account id is too long for any key in this data class: stores hold keys of at most ${MAX_STORE_KEY_BYTES} bytes`,
  );
}

import type { ObjectInfo, ObjectMetadata, ObjectStore } from '../adapters/types.ts';
import { openStoredObject } from '../crypto/stored-object.ts';
import type { ZoneEncryption } from '../crypto/zone-encryption.ts';
import { masksOf } from '../masking/for-class.ts';
import { createMasking, maskableFormat } from '../masking/stream.ts';
import { parseStoreKey, subjectIndexKey } from '../policy/keys.ts';
import type { MaskList } from '../policy/protection-schema.ts';

export type AnonymizeOutcome =
  | { outcome: 'anonymized'; masks: Record<string, number>; bytes: number }
  | { outcome: 'deleted'; reason: string }
  | { outcome: 'gone' };

/**
 * `atRetention: anonymize` for one expired object (the retention sweep has
 * already skipped held data): the object is rewritten in place with every
 * masking kind of its class applied, without its subject (metadata and index
 * entry) and without an expiry, so it is kept as anonymous data. In a zone
 * with encryption it is read with its subject's key and sealed again under
 * the account's. An object that cannot be masked (a body that is not UTF-8
 * text or JSON, or a stored Content-Encoding) is deleted instead, and the
 * outcome says so.
 */
export async function anonymizeExpired(
  store: ObjectStore,
  item: ObjectInfo,
  mask: MaskList | undefined,
  encryption?: ZoneEncryption,
): Promise<AnonymizeOutcome> {
  const { metadata } = item;
  const { kinds, custom } = masksOf(mask);
  const unmaskable =
    metadata.contentEncoding !== undefined
      ? `it is stored with Content-Encoding ${metadata.contentEncoding}`
      : maskableFormat(metadata.contentType) === null
        ? `a ${metadata.contentType} body cannot be masked`
        : null;
  if (unmaskable !== null) return deleteExpired(store, item, unmaskable);

  const stored = await store.get(item.key);
  if (!stored) return { outcome: 'gone' };
  const plain = encryption ? (await openStoredObject(encryption, stored, item.key)).body : stored.body;
  const masking = createMasking({ kinds, custom, contentType: metadata.contentType });
  let body = plain.pipeThrough(masking.stream);
  if (encryption) body = body.pipeThrough(await encryption.seal(metadata.account, undefined, item.key));
  const anonymous: ObjectMetadata = { contentType: metadata.contentType, account: metadata.account, dataClass: metadata.dataClass };
  const result = await store.put(item.key, body, anonymous);
  const parts = parseStoreKey(item.key);
  if (metadata.subject !== undefined && parts) await store.delete(subjectIndexKey({ ...parts, account: metadata.account }, metadata.subject));
  return { outcome: 'anonymized', masks: masking.counts(), bytes: result.size };
}

async function deleteExpired(store: ObjectStore, item: ObjectInfo, reason: string): Promise<AnonymizeOutcome> {
  if (!(await store.delete(item.key))) return { outcome: 'gone' };
  const parts = parseStoreKey(item.key);
  if (item.metadata.subject !== undefined && parts) await store.delete(subjectIndexKey({ ...parts, account: item.metadata.account }, item.metadata.subject));
  return { outcome: 'deleted', reason };
}

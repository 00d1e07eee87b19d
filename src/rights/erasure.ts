import type { ObjectInfo, ObjectStore } from '../adapters/types.ts';
import {
  dataClassPrefix,
  indexedObject,
  type ObjectRef,
  stagedUploadsPrefix,
  storeKey,
  subjectIndexKey,
  subjectIndexPrefix,
  subjectsPrefix,
} from '../policy/keys.ts';
import { emptyBody } from '../adapters/streams.ts';
import { storedClasses } from './class-catalog.ts';
import { withErasureMarker } from './erasure-markers.ts';
import { blockingHold, holdRefusal, listHolds, refuseIfHeld } from './holds.ts';

export interface ErasureCount {
  objectsDeleted: number;
  bytesDeleted: number;
}

const DEFAULT_BATCH = 500;
const INDEX_CONTENT_TYPE = 'application/vnd.residency-proxy.subject-index';

/** Records that an object belongs to a subject. Written before the object: a crash leaves a stale entry, never an unindexed object. */
export async function indexSubject(store: ObjectStore, object: ObjectRef, subjectHash: string): Promise<void> {
  await store.put(
    subjectIndexKey(object, subjectHash),
    emptyBody(),
    { contentType: INDEX_CONTENT_TYPE, account: object.account, dataClass: object.dataClass, subject: subjectHash },
    { contentLength: 0 },
  );
}

/**
 * After a failed write: removes its index entry unless an object of the same
 * subject stands at that key, and puts it back if a concurrent write of that
 * subject committed one meanwhile (that write also checks its entry after
 * committing, see ./write-guard.ts). Best effort.
 */
export async function dropIndexIfUnused(store: ObjectStore, object: ObjectRef, subjectHash: string): Promise<void> {
  const ownedBySubject = async () => (await store.head(storeKey(object)))?.metadata.subject === subjectHash;
  try {
    if (await ownedBySubject()) return;
    await store.delete(subjectIndexKey(object, subjectHash));
    if (await ownedBySubject()) await indexSubject(store, object, subjectHash);
  } catch {
    // A stale entry is harmless (erasure skips it, the sweep removes it); a missing one is restored by the write that owns the object.
  }
}

/** Deletes an object and, when it names a subject, its index entry, unless a legal hold keeps it. Returns the bytes freed, or null when there was nothing. */
export async function deleteObject(store: ObjectStore, object: ObjectRef): Promise<number | null> {
  const objectKey = storeKey(object);
  await refuseIfHeld(store, object.account, objectKey);
  const info = await store.head(objectKey);
  if (!info) return null;
  await store.delete(objectKey);
  if (info.metadata.subject) await store.delete(subjectIndexKey(object, info.metadata.subject));
  return info.size;
}

/**
 * Erases every object of one data subject in one account, through the
 * subject index. Each entry is removed once its object is gone, and the index
 * is read again from the start until it is empty, so an interrupted erasure
 * finishes when run again and a write that indexed itself while the erasure
 * ran is caught too. An entry whose object now belongs to someone else (the
 * key was overwritten) is dropped without touching the object.
 */
export async function eraseSubject(store: ObjectStore, account: string, subjectHash: string, batch = DEFAULT_BATCH): Promise<ErasureCount> {
  const hold = await blockingHold(store, account, subjectHash);
  if (hold) throw holdRefusal(hold);
  return withErasureMarker(store, account, subjectHash, () => eraseIndexed(store, account, subjectHash, batch));
}

async function eraseIndexed(store: ObjectStore, account: string, subjectHash: string, batch: number): Promise<ErasureCount> {
  const prefix = subjectIndexPrefix(account, subjectHash);
  const count: ErasureCount = { objectsDeleted: 0, bytesDeleted: 0 };
  for (;;) {
    const page = await store.list(prefix, { limit: batch });
    if (page.items.length === 0) return count;
    for (const entry of page.items) {
      const target = indexedObject(entry.key, prefix);
      if (target) {
        const objectKey = storeKey({ account, ...target });
        const info = await store.head(objectKey);
        if (info?.metadata.subject === subjectHash && (await store.delete(objectKey))) {
          count.objectsDeleted += 1;
          count.bytesDeleted += info.size;
        }
      }
      await store.delete(entry.key);
    }
  }
}

/**
 * Erases every object of an account in its zone's store: every data class
 * the store holds (its class catalog) and every class the policy lists, then
 * the subject index and the staged parts of uploads not yet completed.
 * Refused while any hold stands.
 */
export async function eraseAccount(store: ObjectStore, account: string, policyClasses: readonly string[], batch = DEFAULT_BATCH): Promise<ErasureCount> {
  const [hold] = await listHolds(store, account);
  if (hold) throw holdRefusal(hold);
  return withErasureMarker(store, account, undefined, async () => {
    const count: ErasureCount = { objectsDeleted: 0, bytesDeleted: 0 };
    const classes = new Set([...(await storedClasses(store)), ...policyClasses]);
    for (const dataClass of classes) {
      await drain(store, dataClassPrefix(account, dataClass), batch, (item) => {
        count.objectsDeleted += 1;
        count.bytesDeleted += item.size;
      });
    }
    await drain(store, subjectsPrefix(account), batch, () => {});
    await drain(store, stagedUploadsPrefix(account), batch, () => {});
    return count;
  });
}

/** Deletes everything under a prefix, page by page, reading from the start again until nothing is left. */
async function drain(store: ObjectStore, prefix: string, batch: number, onDeleted: (item: ObjectInfo) => void): Promise<void> {
  for (;;) {
    const page = await store.list(prefix, { limit: batch });
    if (page.items.length === 0) return;
    for (const item of page.items) {
      if (await store.delete(item.key)) onDeleted(item);
    }
  }
}

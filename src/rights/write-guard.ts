import type { ObjectStore, PutResult } from '../adapters/types.ts';
import { type ObjectRef, storeKey, subjectIndexKey } from '../policy/keys.ts';
import { ensureInCatalog } from './class-catalog.ts';
import { erasureOverlapped, readMarker, type MarkerReading } from './erasure-markers.ts';
import { dropIndexIfUnused, indexSubject } from './erasure.ts';
import { refuseIfHeld } from './holds.ts';

/** One object write, as the data-rights rules see it. */
export interface WriteTarget extends ObjectRef {
  /** Keyed hash of the data subject, when the write names one. */
  subjectHash?: string;
}

export interface GuardedPutResult extends PutResult {
  /** An erasure of the account or subject ran while the write did: what it wrote has been erased again. */
  erased: boolean;
}

/**
 * Runs one store write under the data-rights rules (docs/data-rights.md):
 * - an object under a legal hold is not overwritten (`409 legal_hold`);
 * - the subject index entry is written before the object (and checked
 *   again after it has committed), and the data
 *   class recorded in the store's class catalog once it has committed, so
 *   erasure can find it;
 * - the erasure markers of the account (and subject) are read before and
 *   after the write; if an erasure ran in between, it may have missed the
 *   object, so the write erases what it wrote itself.
 * `put` performs the actual store write; its failure is passed on.
 */
export async function guardedPut(store: ObjectStore, target: WriteTarget, put: () => Promise<PutResult>): Promise<GuardedPutResult> {
  const { subjectHash } = target;
  const objectKey = storeKey(target);
  const [before] = await Promise.all([readMarkers(store, target), refuseIfHeld(store, target.account, objectKey)]);
  if (subjectHash !== undefined) await indexSubject(store, target, subjectHash);
  let result: PutResult;
  try {
    result = await put();
  } catch (error) {
    if (subjectHash !== undefined) await dropIndexIfUnused(store, target, subjectHash);
    throw error;
  }
  // After the commit, so a failed write leaves no entry; before the second reading, so an erasure that reads the catalog after it finds the class.
  await ensureInCatalog(store, target.dataClass);
  const [after, indexed] = await Promise.all([readMarkers(store, target), subjectHash === undefined ? true : store.head(subjectIndexKey(target, subjectHash))]);
  const erased = before.some((reading, i) => erasureOverlapped(reading, after[i]!));
  if (erased) await eraseOwnWrite(store, target, objectKey, result.etag);
  else if (!indexed) await reindexOwnWrite(store, target, objectKey, result.etag);
  return { ...result, erased };
}

/**
 * Puts back the index entry of an object this write committed, which a
 * failed write of the same subject to the same key removed while this one
 * was streaming: without it, erasure could not find the object.
 */
async function reindexOwnWrite(store: ObjectStore, target: WriteTarget, objectKey: string, etag: string): Promise<void> {
  if (target.subjectHash === undefined || (await store.head(objectKey))?.etag !== etag) return;
  await indexSubject(store, target, target.subjectHash);
}

/** The account's marker, then the subject's: read in parallel, one round trip. */
function readMarkers(store: ObjectStore, { account, subjectHash }: WriteTarget): Promise<MarkerReading[]> {
  return Promise.all([readMarker(store, account), ...(subjectHash === undefined ? [] : [readMarker(store, account, subjectHash)])]);
}

/** Deletes the object this write committed, unless a later write has replaced it, and its index entry. */
async function eraseOwnWrite(store: ObjectStore, target: WriteTarget, objectKey: string, etag: string): Promise<void> {
  const current = await store.head(objectKey);
  if (current?.etag === etag) await store.delete(objectKey);
  if (target.subjectHash !== undefined) await dropIndexIfUnused(store, target, target.subjectHash);
}

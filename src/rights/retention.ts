import type { ObjectInfo, ObjectStore } from '../adapters/types.ts';
import { OBJECTS_PREFIX, objectKeyOfIndexEntry, parseStoreKey, SUBJECTS_PREFIX, subjectIndexKey } from '../policy/keys.ts';
import { addToCatalog, storedClasses } from './class-catalog.ts';
import { removeFinishedMarkers } from './erasure-markers.ts';
import { blockingHold } from './holds.ts';
import { type AnonymizeAtRetention, type AnonymizedCount, anonymizeOrDelete, countAnonymized, emptyAnonymizedCount } from './retention-anonymize.ts';

export interface SweepOptions {
  /** Milliseconds since the epoch: objects whose `expiresAt` is at or before this have reached the end of retention. */
  now: number;
  dryRun: boolean;
  /** The data classes the policy lists now: stored classes outside it are reported (and still expired by their own `expiresAt`). */
  dataClasses: readonly string[];
  /** Objects read per listing page. */
  batch?: number;
  /**
   * Leftovers of writes that died, idle since before this, are removed: what
   * the store keeps of them (ObjectStore.removeIncomplete) and subject index
   * entries whose object never appeared. None when absent or in a dry run.
   */
  incompleteIdleSince?: Date;
  /** Erasure markers of runs that finished before this are removed; none when absent or in a dry run. */
  erasureMarkersBefore?: Date;
  /** Called for every expired object deleted or anonymised (or, in a dry run, that would be). */
  onExpired?: (item: ObjectInfo) => void;
  /** Classes whose expired objects are anonymised instead of deleted (`atRetention: anonymize`). */
  anonymize?: AnonymizeAtRetention;
}

export interface SweepSummary extends AnonymizedCount {
  scanned: number;
  expired: number;
  deleted: number;
  held: number;
  bytesDeleted: number;
  /** Data classes found in the store that the policy no longer lists. */
  unlistedClasses: string[];
  /** Leftovers of dead writes removed (temporary files, incomplete uploads). */
  incompleteRemoved: number;
  /** Subject index entries removed whose object is gone or belongs to someone else. */
  staleIndexEntriesRemoved: number;
  /** Markers of finished erasures removed. */
  erasureMarkersRemoved: number;
}

/**
 * Deletes (or, for a class with `atRetention: anonymize`, anonymises) the
 * objects of one store whose retention has ended, by the `expiresAt` each
 * object recorded when it was written, whatever its class and whether or
 * not the policy still lists it; walks every object of the
 * store page by page. Data under a legal hold is skipped. Classes found are
 * added to the store's class catalog, so account erasure finds them. Safe to
 * interrupt and run again: it keeps no state beyond the store itself.
 */
export async function sweepStore(store: ObjectStore, options: SweepOptions): Promise<SweepSummary> {
  const summary: SweepSummary = {
    scanned: 0,
    expired: 0,
    deleted: 0,
    held: 0,
    bytesDeleted: 0,
    unlistedClasses: [],
    incompleteRemoved: 0,
    staleIndexEntriesRemoved: 0,
    erasureMarkersRemoved: 0,
    ...emptyAnonymizedCount(),
  };
  const holds = new Map<string, Promise<boolean>>();
  const isHeld = (account: string, subject: string | undefined) => {
    const cacheKey = `${account}\u0000${subject ?? ''}`;
    let held = holds.get(cacheKey);
    if (!held) holds.set(cacheKey, (held = blockingHold(store, account, subject).then((hold) => hold !== null)));
    return held;
  };
  const seenClasses = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await store.list(OBJECTS_PREFIX, { limit: options.batch ?? 500, ...(cursor && { cursor }) });
    for (const item of page.items) {
      summary.scanned += 1;
      const parts = parseStoreKey(item.key);
      if (parts) seenClasses.add(parts.dataClass);
      const { expiresAt, account, subject } = item.metadata;
      if (expiresAt === undefined || Date.parse(expiresAt) > options.now) continue;
      summary.expired += 1;
      if (await isHeld(account, subject)) {
        summary.held += 1;
        continue;
      }
      options.onExpired?.(item);
      if (options.dryRun) continue;
      const { anonymize } = options;
      const deleted =
        parts && anonymize?.classes.has(parts.dataClass)
          ? countAnonymized(summary, await anonymizeOrDelete(store, item, anonymize.classes.get(parts.dataClass), anonymize.encryption))
          : await store.delete(item.key);
      if (deleted) {
        summary.deleted += 1;
        summary.bytesDeleted += item.size;
      }
      if (subject && parts) await store.delete(subjectIndexKey({ ...parts, account }, subject));
    }
    cursor = page.cursor;
  } while (cursor);
  summary.unlistedClasses = [...seenClasses].filter((dataClass) => !options.dataClasses.includes(dataClass)).sort();
  if (!options.dryRun) {
    await catalogClasses(store, seenClasses);
    if (options.incompleteIdleSince) {
      summary.staleIndexEntriesRemoved = await removeStaleIndexEntries(store, options.incompleteIdleSince, options.batch ?? 500);
      if (store.removeIncomplete) summary.incompleteRemoved = await store.removeIncomplete(options.incompleteIdleSince);
    }
    if (options.erasureMarkersBefore) summary.erasureMarkersRemoved = await removeFinishedMarkers(store, options.erasureMarkersBefore);
  }
  return summary;
}

/**
 * Removes index entries, written before `idleSince` (so no write in flight
 * owns them), whose object is missing or now belongs to another subject: the
 * entries of writes that failed or died, which name the key of data that
 * never was or is gone.
 */
async function removeStaleIndexEntries(store: ObjectStore, idleSince: Date, batch: number): Promise<number> {
  let removed = 0;
  let cursor: string | undefined;
  do {
    const page = await store.list(SUBJECTS_PREFIX, { limit: batch, ...(cursor && { cursor }) });
    for (const entry of page.items) {
      const objectKey = objectKeyOfIndexEntry(entry.key);
      if (!objectKey || Date.parse(entry.lastModified) >= idleSince.getTime()) continue;
      const object = await store.head(objectKey);
      if (object?.metadata.subject === entry.metadata.subject) continue;
      if (await store.delete(entry.key)) removed += 1;
    }
    cursor = page.cursor;
  } while (cursor);
  return removed;
}

/** Adds classes found in the store to its catalog (objects written before the catalog existed). */
async function catalogClasses(store: ObjectStore, classes: ReadonlySet<string>): Promise<void> {
  const known = new Set(await storedClasses(store));
  for (const dataClass of classes) if (!known.has(dataClass)) await addToCatalog(store, dataClass);
}

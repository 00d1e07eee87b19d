import type { ObjectInfo, ObjectStore } from '../adapters/types.ts';
import { classPrefix, subjectIndexKey } from '../policy/keys.ts';
import { blockingHold } from './holds.ts';

export interface SweepOptions {
  /** Milliseconds since the epoch: objects whose `expiresAt` is at or before this have reached the end of retention. */
  now: number;
  dryRun: boolean;
  dataClasses: readonly string[];
  /** Objects read per listing page. */
  batch?: number;
  /** Called for every expired object deleted (or, in a dry run, that would be). */
  onExpired?: (item: ObjectInfo) => void;
}

export interface SweepSummary {
  scanned: number;
  expired: number;
  deleted: number;
  held: number;
  bytesDeleted: number;
}

/**
 * Deletes the objects of one store whose retention has ended, class by class,
 * page by page. Data under a legal hold is skipped. Safe to interrupt and run
 * again: it keeps no state beyond the store itself.
 */
export async function sweepStore(store: ObjectStore, options: SweepOptions): Promise<SweepSummary> {
  const summary: SweepSummary = { scanned: 0, expired: 0, deleted: 0, held: 0, bytesDeleted: 0 };
  const holds = new Map<string, Promise<boolean>>();
  const isHeld = (account: string, subject: string | undefined) => {
    const cacheKey = `${account}\u0000${subject ?? ''}`;
    let held = holds.get(cacheKey);
    if (!held) holds.set(cacheKey, (held = blockingHold(store, account, subject).then((hold) => hold !== null)));
    return held;
  };
  for (const dataClass of options.dataClasses) {
    const prefix = classPrefix(dataClass);
    let cursor: string | undefined;
    do {
      const page = await store.list(prefix, { limit: options.batch ?? 500, ...(cursor && { cursor }) });
      for (const item of page.items) {
        summary.scanned += 1;
        const { expiresAt, account, subject } = item.metadata;
        if (expiresAt === undefined || Date.parse(expiresAt) > options.now) continue;
        summary.expired += 1;
        if (await isHeld(account, subject)) {
          summary.held += 1;
          continue;
        }
        options.onExpired?.(item);
        if (options.dryRun) continue;
        if (await store.delete(item.key)) {
          summary.deleted += 1;
          summary.bytesDeleted += item.size;
        }
        if (subject) await store.delete(subjectIndexKey(account, subject, dataClass, keyWithinAccount(item.key, prefix)));
      }
      cursor = page.cursor;
    } while (cursor);
  }
  return summary;
}

/** `objects/<class>/<account>/<key>` → `<key>` */
function keyWithinAccount(storeKey: string, classPrefixText: string): string {
  const rest = storeKey.slice(classPrefixText.length);
  return rest.slice(rest.indexOf('/') + 1);
}

import type { ObjectStore } from '../adapters/types.ts';
import { emptyBody } from '../adapters/streams.ts';
import { CLASS_CATALOG_PREFIX, classCatalogKey } from '../policy/keys.ts';

/**
 * A store's class catalog: every data class it was ever written with, so
 * that account erasure reaches classes the policy no longer lists. Writes
 * add their class (once per class and process); the sweep adds the classes
 * it finds, for objects written before the catalog existed.
 */
export async function storedClasses(store: ObjectStore): Promise<string[]> {
  const classes: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(CLASS_CATALOG_PREFIX, { limit: 1000, ...(cursor && { cursor }) });
    classes.push(...page.items.map((item) => item.key.slice(CLASS_CATALOG_PREFIX.length)));
    cursor = page.cursor;
  } while (cursor);
  return classes;
}

export async function addToCatalog(store: ObjectStore, dataClass: string): Promise<void> {
  await store.put(
    classCatalogKey(dataClass),
    emptyBody(),
    { contentType: 'application/vnd.residency-proxy.class', account: '', dataClass },
    { contentLength: 0 },
  );
}

/** Classes this process has already added, per store. */
const added = new WeakMap<ObjectStore, Set<string>>();

/** Adds a class to the catalog unless this process already did. */
export async function ensureInCatalog(store: ObjectStore, dataClass: string): Promise<void> {
  let classes = added.get(store);
  if (!classes) added.set(store, (classes = new Set()));
  if (classes.has(dataClass)) return;
  await addToCatalog(store, dataClass);
  classes.add(dataClass);
}

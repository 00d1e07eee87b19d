import type { ObjectStore } from '../adapters/types.ts';
import { streamOf } from '../adapters/streams.ts';
import { ERASURES_PREFIX, erasureMarkerKey } from '../policy/keys.ts';

/**
 * Erasure markers: how a write learns that an erasure of its account or
 * subject ran while it was writing (docs/data-rights.md). Every erasure run
 * rewrites its marker twice, `running` when it starts and `done` when it has
 * finished, each time with a new id, so that the marker a write reads after
 * it commits differs from the one it read before whenever an erasure started
 * or ended in between.
 */
const MARKER_TYPE = 'application/vnd.residency-proxy.erasure+json';

type MarkerState = 'running' | 'done';

/** One marker as a write saw it: `null` when there was none. */
export type MarkerReading = { signature: string; running: boolean } | null;

/**
 * Removes the markers of erasures that finished before `before`. Safe once
 * no write that started before the erasure finished can still be running
 * (the sweep passes a day ago, far beyond the request timeout): a write that
 * saw a marker and then sees none knows it was removed, not rewritten.
 */
export async function removeFinishedMarkers(store: ObjectStore, before: Date): Promise<number> {
  let removed = 0;
  let cursor: string | undefined;
  do {
    const page = await store.list(ERASURES_PREFIX, { limit: 1000, ...(cursor && { cursor }) });
    for (const item of page.items) {
      if (item.metadata.contentType !== `${MARKER_TYPE}; state=done` || Date.parse(item.lastModified) >= before.getTime()) continue;
      if (await store.delete(item.key)) removed += 1;
    }
    cursor = page.cursor;
  } while (cursor);
  return removed;
}

export async function readMarker(store: ObjectStore, account: string, subjectHash?: string): Promise<MarkerReading> {
  const info = await store.head(erasureMarkerKey(account, subjectHash));
  if (!info) return null;
  return { signature: `${info.etag} ${info.metadata.contentType}`, running: info.metadata.contentType.endsWith('state=running') };
}

/**
 * Whether an erasure may have missed what a write committed between the two
 * readings: one ran at some moment in between (the marker changed), or was
 * running at either end. A marker that disappeared was removed by the sweep
 * long after its erasure finished: nothing ran.
 */
export function erasureOverlapped(before: MarkerReading, after: MarkerReading): boolean {
  if (before?.running || after?.running) return true;
  return after !== null && after.signature !== before?.signature;
}

async function writeMarker(store: ObjectStore, account: string, subjectHash: string | undefined, state: MarkerState, now: number): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify({ id: crypto.randomUUID(), state, at: new Date(now).toISOString() }));
  await store.put(
    erasureMarkerKey(account, subjectHash),
    streamOf(bytes),
    { contentType: `${MARKER_TYPE}; state=${state}`, account, dataClass: 'erasure-marker', ...(subjectHash !== undefined && { subject: subjectHash }) },
    { contentLength: bytes.byteLength },
  );
}

/**
 * Runs an erasure between its two markers. A run that fails still tries to
 * close its marker: it answered an error, so writes after it are new writes
 * (and a second run erases whatever the first one left).
 */
export async function withErasureMarker<T>(store: ObjectStore, account: string, subjectHash: string | undefined, erase: () => Promise<T>): Promise<T> {
  await writeMarker(store, account, subjectHash, 'running', Date.now());
  let result: T;
  try {
    result = await erase();
  } catch (error) {
    await writeMarker(store, account, subjectHash, 'done', Date.now()).catch(() => {});
    throw error;
  }
  await writeMarker(store, account, subjectHash, 'done', Date.now());
  return result;
}

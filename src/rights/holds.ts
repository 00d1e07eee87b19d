import type { ObjectStore } from '../adapters/types.ts';
import { holdKey, holdsPrefix } from '../policy/keys.ts';
import { Refusal } from '../policy/refusal.ts';
import { readAll, streamOf } from '../adapters/streams.ts';

/** A legal hold: while it stands, erasure is refused and the retention sweep skips the data. */
export interface Hold {
  scope: 'account' | 'subject';
  /** Keyed hash of the subject, for subject holds. */
  subject?: string;
  reason: string;
  placedAt: string;
  placedBy?: string;
}

const HOLD_CONTENT_TYPE = 'application/vnd.residency-proxy.hold+json';

export async function placeHold(store: ObjectStore, account: string, hold: Hold): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify(hold));
  await store.put(holdKey(account, hold.subject), streamOf(bytes), { contentType: HOLD_CONTENT_TYPE, account, dataClass: 'legal-hold' }, { contentLength: bytes.byteLength });
}

export async function releaseHold(store: ObjectStore, account: string, subjectHash?: string): Promise<boolean> {
  return store.delete(holdKey(account, subjectHash));
}

export async function readHold(store: ObjectStore, account: string, subjectHash?: string): Promise<Hold | null> {
  const object = await store.get(holdKey(account, subjectHash));
  if (!object) return null;
  return JSON.parse(new TextDecoder().decode(await readAll(object.body))) as Hold;
}

/** The hold that blocks erasure or expiry of this account's (or this subject's) data, if any. */
export async function blockingHold(store: ObjectStore, account: string, subjectHash?: string): Promise<Hold | null> {
  return (await readHold(store, account)) ?? (subjectHash === undefined ? null : await readHold(store, account, subjectHash));
}

export async function listHolds(store: ObjectStore, account: string): Promise<Hold[]> {
  const holds: Hold[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(holdsPrefix(account), { limit: 1000, ...(cursor && { cursor }) });
    for (const item of page.items) {
      const hold = await readHold(store, account, item.key.endsWith('/account') ? undefined : item.key.slice(item.key.lastIndexOf('/') + 1));
      if (hold) holds.push(hold);
    }
    cursor = page.cursor;
  } while (cursor);
  return holds;
}

export function holdRefusal(hold: Hold): Refusal {
  const what = hold.scope === 'account' ? 'the account' : `data subject ${hold.subject}`;
  return new Refusal('legal_hold', `a legal hold on ${what} since ${hold.placedAt} blocks this (reason: ${hold.reason})`);
}

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
  await store.put(
    holdKey(account, hold.subject),
    streamOf(bytes),
    { contentType: HOLD_CONTENT_TYPE, account, dataClass: 'legal-hold' },
    { contentLength: bytes.byteLength },
  );
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

/** Which holds stand in an account, from one listing and without reading them: what a write or a delete checks. */
interface HoldsInForce {
  account: boolean;
  /** Keyed hashes of the held subjects. */
  subjects: Set<string>;
}

async function holdsInForce(store: ObjectStore, account: string): Promise<HoldsInForce> {
  const prefix = holdsPrefix(account);
  const inForce: HoldsInForce = { account: false, subjects: new Set() };
  let cursor: string | undefined;
  do {
    const page = await store.list(prefix, { limit: 1000, ...(cursor && { cursor }) });
    for (const { key } of page.items) {
      if (key === holdKey(account)) inForce.account = true;
      else inForce.subjects.add(key.slice(key.lastIndexOf('/') + 1));
    }
    cursor = page.cursor;
  } while (cursor);
  return inForce;
}

/**
 * Refuses to overwrite or delete a held object: an object of an account
 * under a hold, or of a held subject. Holds are read where they are kept, in
 * the zone's store, so a hold is in force on every instance once placed.
 * Costs one listing (empty while no hold stands); the object is read only
 * while some hold stands.
 */
export async function refuseIfHeld(store: ObjectStore, account: string, objectKey: string): Promise<void> {
  const holds = await holdsInForce(store, account);
  if (!holds.account && holds.subjects.size === 0) return;
  const existing = await store.head(objectKey);
  if (!existing) return;
  const subject = existing.metadata.subject;
  const heldAs = holds.account ? undefined : subject !== undefined && holds.subjects.has(subject) ? subject : null;
  if (heldAs === null) return;
  const hold = await readHold(store, account, heldAs);
  // A hold released in the meantime no longer blocks.
  if (hold) throw holdRefusal(hold);
}

export function holdRefusal(hold: Hold): Refusal {
  const what = hold.scope === 'account' ? 'the account' : `data subject ${hold.subject}`;
  return new Refusal('legal_hold', `a legal hold on ${what} since ${hold.placedAt} blocks this (reason: ${hold.reason})`);
}

import type { ObjectStore } from '../adapters/types.ts';
import { blockingHold, holdRefusal, listHolds } from './holds.ts';
import type { ZoneEncryption } from '../crypto/zone-encryption.ts';

/**
 * Erasure by destroying keys: once a subject's (or an account's) wrapped data
 * key is gone, every copy of what it sealed — backups, replicas, versions the
 * gateway never saw — is unreadable. A legal hold blocks it like it blocks
 * erasure; holds live in the zone's data store.
 */

/**
 * Destroys a subject's data key. Returns whether one was destroyed: with keys
 * per account there is none (the account's key also seals other subjects'
 * data), and copies of the subject's objects stay readable to whoever holds
 * the account key.
 */
export async function destroySubjectKey(encryption: ZoneEncryption, dataStore: ObjectStore, account: string, subjectHash: string): Promise<boolean> {
  const hold = await blockingHold(dataStore, account, subjectHash);
  if (hold) throw holdRefusal(hold);
  return encryption.keys.destroy({ account, subject: subjectHash });
}

/** Destroys every data key of an account (its own and its subjects'). Returns how many. */
export async function destroyAccountKeys(encryption: ZoneEncryption, dataStore: ObjectStore, account: string): Promise<number> {
  const [hold] = await listHolds(dataStore, account);
  if (hold) throw holdRefusal(hold);
  return encryption.keys.destroyAccount(account);
}

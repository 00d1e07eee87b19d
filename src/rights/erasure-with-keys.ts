import type { ObjectStore } from '../adapters/types.ts';
import { destroyAccountKeys, destroySubjectKey } from './key-destruction.ts';
import type { ZoneEncryption } from '../crypto/zone-encryption.ts';
import { eraseAccount, eraseSubject, type ErasureCount } from './erasure.ts';

/** What an erasure did to the zone's data keys, as its receipt says it. */
export interface KeyDestruction {
  keysDestroyed: number;
  /** Whether copies of the erased objects kept elsewhere (backups, replicas, versions) can no longer be decrypted. */
  copiesUnreadable: boolean;
  detail: string;
}

/** An erasure's counts, and in a zone with encryption what happened to its keys. */
export interface Erasure extends ErasureCount {
  keys?: KeyDestruction;
}

/**
 * Erases a subject's objects, then, in a zone with encryption, destroys the
 * subject's data key. A legal hold refuses both. With keys per account no key
 * can be destroyed (the account's key seals the other subjects' data too),
 * and the receipt must not claim that copies are unreadable.
 */
export async function eraseSubjectAndKey(store: ObjectStore, account: string, subjectHash: string, encryption?: ZoneEncryption): Promise<Erasure> {
  const count = await eraseSubject(store, account, subjectHash);
  if (!encryption) return count;
  if (encryption.keys.ownerOf(account, subjectHash).subject === undefined) {
    const detail =
      "this zone keeps one data key per account, which also seals other subjects' data: no key was destroyed, so copies of the erased objects kept elsewhere stay readable to whoever holds the account's key";
    return { ...count, keys: { keysDestroyed: 0, copiesUnreadable: false, detail } };
  }
  if (await destroySubjectKey(encryption, store, account, subjectHash)) {
    const detail =
      "the subject's data key is destroyed: copies of its encrypted objects kept anywhere (backups, replicas, versions) can no longer be decrypted";
    return { ...count, keys: { keysDestroyed: 1, copiesUnreadable: true, detail } };
  }
  const detail = 'the subject had no data key (nothing of it was written encrypted): no key was destroyed';
  return { ...count, keys: { keysDestroyed: 0, copiesUnreadable: false, detail } };
}

/** Erases an account's objects, then, in a zone with encryption, destroys every data key of the account. A legal hold refuses both. */
export async function eraseAccountAndKeys(
  store: ObjectStore,
  account: string,
  policyClasses: readonly string[],
  encryption?: ZoneEncryption,
): Promise<Erasure> {
  const count = await eraseAccount(store, account, policyClasses);
  if (!encryption) return count;
  const keysDestroyed = await destroyAccountKeys(encryption, store, account);
  const detail =
    keysDestroyed > 0
      ? "the account's data keys are destroyed: copies of its encrypted objects kept anywhere (backups, replicas, versions) can no longer be decrypted"
      : 'the account had no data key (nothing of it was written encrypted): no key was destroyed';
  return { ...count, keys: { keysDestroyed, copiesUnreadable: keysDestroyed > 0, detail } };
}

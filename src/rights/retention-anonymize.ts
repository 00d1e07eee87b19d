import type { ObjectInfo, ObjectStore } from '../adapters/types.ts';
import type { ZoneEncryption } from '../crypto/zone-encryption.ts';
import type { CompiledPolicy } from '../policy/load.ts';
import type { MaskList } from '../policy/protection-schema.ts';
import { isRefusal } from '../policy/refusal.ts';
import { type AnonymizeOutcome, anonymizeExpired } from './anonymize.ts';

/** How a sweep anonymises instead of deleting (`atRetention: anonymize`). */
export interface AnonymizeAtRetention {
  /** The masks of each data class whose expired objects are anonymised. */
  classes: ReadonlyMap<string, MaskList | undefined>;
  /** The zone's encryption, when it encrypts: objects are read with their owner's key and sealed again under the account's. */
  encryption?: ZoneEncryption;
}

/** What a sweep counts of the objects it anonymised, apart from those it deleted. */
export interface AnonymizedCount {
  anonymized: number;
  bytesAnonymized: number;
  /** Values masked in anonymised objects, by kind. */
  masksApplied: Record<string, number>;
  /** Objects of an anonymising class deleted because they could not be masked (also counted as deleted). */
  deletedUnmaskable: number;
}

export function emptyAnonymizedCount(): AnonymizedCount {
  return { anonymized: 0, bytesAnonymized: 0, masksApplied: {}, deletedUnmaskable: 0 };
}

/** The classes of a policy with `atRetention: anonymize`, and their masks. */
export function anonymizedClasses(policy: CompiledPolicy): Map<string, MaskList | undefined> {
  return new Map([...policy.dataClasses].filter(([, config]) => config.atRetention === 'anonymize').map(([name, config]) => [name, config.mask]));
}

/**
 * Anonymises one expired object. One whose data key was destroyed (its
 * subject erased, the object brought back from a backup) cannot be read, so
 * it cannot be masked: it is deleted, like any object that cannot be masked.
 */
export async function anonymizeOrDelete(
  store: ObjectStore,
  item: ObjectInfo,
  mask: MaskList | undefined,
  encryption?: ZoneEncryption,
): Promise<AnonymizeOutcome> {
  try {
    return await anonymizeExpired(store, item, mask, encryption);
  } catch (error) {
    if (!isRefusal(error) || error.code !== 'not_found') throw error;
    return (await store.delete(item.key)) ? { outcome: 'deleted', reason: error.detail } : { outcome: 'gone' };
  }
}

/** Adds one outcome to the counts; returns whether the object was deleted instead. */
export function countAnonymized(count: AnonymizedCount, outcome: AnonymizeOutcome): boolean {
  if (outcome.outcome === 'anonymized') {
    count.anonymized += 1;
    count.bytesAnonymized += outcome.bytes;
    for (const [kind, masked] of Object.entries(outcome.masks)) count.masksApplied[kind] = (count.masksApplied[kind] ?? 0) + masked;
  } else if (outcome.outcome === 'deleted') count.deletedUnmaskable += 1;
  return outcome.outcome === 'deleted';
}

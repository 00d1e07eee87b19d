import type { ObjectStore } from '../adapters/types.ts';
import type { CompiledPolicy } from '../policy/load.ts';
import { contradictsPlacement, type StorePlacement } from '../policy/placement.ts';
import { Refusal } from '../policy/refusal.ts';

/**
 * Key stores are placed like data stores: their declared location is checked
 * at load, and where the backend can prove it (an s3 store with
 * `verifyLocation`), a key store serves no call until it has. Until then,
 * and while the backend contradicts the policy, the zone's key lookups fail
 * with `store_unavailable`, so its reads and writes are refused (503) as
 * with an unproven data store; each call asks again until the proof holds.
 */
export function provenKeyStores(policy: CompiledPolicy, stores: ReadonlyMap<string, ObjectStore>): Map<string, ObjectStore> {
  const proven = new Map(stores);
  for (const { encryption } of policy.zones.values()) {
    const store = encryption && stores.get(encryption.keyStoreName);
    if (store && encryption.keyStorePlacement.evidence === 'proven') {
      proven.set(encryption.keyStoreName, provenStore(encryption.keyStoreName, store, encryption.keyStorePlacement));
    }
  }
  return proven;
}

function provenStore(name: string, store: ObjectStore, placement: StorePlacement): ObjectStore {
  let proof: Promise<void> | undefined;
  const prove = async (): Promise<void> => {
    proof ??= (async () => {
      const report = await store.probe();
      const contradiction = report === null ? 'the backend did not report its location' : contradictsPlacement(placement, report.region);
      if (contradiction) throw new Refusal('store_unavailable', `key store "${name}" is out of service: ${contradiction}`);
    })();
    try {
      await proof;
    } catch (error) {
      proof = undefined;
      throw error;
    }
  };
  return {
    kind: store.kind,
    async put(...args) {
      await prove();
      return store.put(...args);
    },
    async get(...args) {
      await prove();
      return store.get(...args);
    },
    async head(...args) {
      await prove();
      return store.head(...args);
    },
    async delete(...args) {
      await prove();
      return store.delete(...args);
    },
    async list(...args) {
      await prove();
      return store.list(...args);
    },
    probe: () => store.probe(),
    close: async () => store.close?.(),
  };
}

import type { ObjectStore } from '../adapters/types.ts';
import type { CompiledPolicy, CompiledZone } from '../policy/load.ts';
import { contradictsPlacement, type StorePlacement } from '../policy/placement.ts';
import { Refusal } from '../policy/refusal.ts';
import { toRefusal } from './to-refusal.ts';

export interface StoreStatus {
  store: string;
  kind: string;
  location: string;
  evidence: 'proven' | 'declared';
  /** `ready`; `unproven`: location not yet confirmed by the backend; `mismatch`: backend elsewhere; `unreachable`. */
  state: 'ready' | 'unproven' | 'mismatch' | 'unreachable';
  detail?: string;
}

interface Entry {
  name: string;
  store: ObjectStore;
  placement: StorePlacement;
  status: StoreStatus;
}

/**
 * The stores of the policy and whether each may take writes. A store whose
 * location the policy says is proven takes no writes until the backend has
 * confirmed it, and none after it contradicts it; the zone's writes are then
 * refused (503), never sent to another store.
 */
export class StoreRegistry {
  readonly #entries = new Map<string, Entry>();
  #verifying: Promise<StoreStatus[]> | undefined;

  constructor(policy: CompiledPolicy, stores: ReadonlyMap<string, ObjectStore>) {
    for (const zone of policy.zones.values()) {
      if (this.#entries.has(zone.storeName)) continue;
      const store = stores.get(zone.storeName);
      if (!store) throw new Error(`no adapter was opened for store "${zone.storeName}"`);
      const { location, evidence } = zone.placement;
      this.#entries.set(zone.storeName, {
        name: zone.storeName,
        store,
        placement: zone.placement,
        status: { store: zone.storeName, kind: store.kind, location, evidence, state: evidence === 'proven' ? 'unproven' : 'ready' },
      });
    }
  }

  /** The store that holds a zone's data, or a refusal when it may not take requests. */
  forZone(zone: CompiledZone): ObjectStore {
    const entry = this.#entries.get(zone.storeName);
    if (!entry) throw new Refusal('store_unavailable', `zone "${zone.name}" has no open store`);
    const { state, detail } = entry.status;
    if (state === 'unproven' || state === 'mismatch') {
      throw new Refusal('store_unavailable', `store "${entry.name}" is out of service: ${detail ?? 'its location is not proven yet'}`);
    }
    return entry.store;
  }

  /**
   * Probes every store (reachability, and location where it can be proven)
   * and updates its state. Callers arriving while a probe runs share it, so a
   * burst of /readyz requests costs the backends one round of probes.
   */
  verify(): Promise<StoreStatus[]> {
    this.#verifying ??= Promise.all(
      [...this.#entries.values()].map(async (entry) => {
        entry.status = { ...entry.status, ...(await this.#probe(entry)) };
      }),
    )
      .then(() => this.statuses())
      .finally(() => {
        this.#verifying = undefined;
      });
    return this.#verifying;
  }

  statuses(): StoreStatus[] {
    return [...this.#entries.values()].map((entry) => ({ ...entry.status }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((entry) => entry.store.close?.()));
  }

  async #probe(entry: Entry): Promise<Pick<StoreStatus, 'state' | 'detail'>> {
    const { placement } = entry;
    try {
      const report = await entry.store.probe();
      if (placement.evidence !== 'proven') return { state: 'ready', detail: undefined };
      if (!report) return { state: 'unproven', detail: 'the backend did not report its location' };
      const contradiction = contradictsPlacement(placement, report.region);
      return contradiction ? { state: 'mismatch', detail: contradiction } : { state: 'ready', detail: undefined };
    } catch (error) {
      // Unreachable: a mismatch stays a mismatch; a store never proven stays unproven.
      const previous = entry.status.state;
      const state = previous === 'mismatch' || previous === 'unproven' ? previous : 'unreachable';
      return { state, detail: toRefusal(error).detail };
    }
  }
}

import type { ObjectStore } from '../adapters/types.ts';
import type { CompiledPolicy, CompiledZone } from '../policy/load.ts';
import { contradictsPlacement, type StorePlacement } from '../policy/placement.ts';
import { Refusal } from '../policy/refusal.ts';
import type { Metrics } from './metrics.ts';
import { instrumentStore } from './metrics-store.ts';
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

/** A zone as /readyz shows it: it serves while its store is ready. */
export interface ZoneStatus {
  zone: string;
  store: string;
  state: StoreStatus['state'];
  serving: boolean;
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
 * refused (503), never sent to another store. A store that stops answering
 * is `unreachable` from its next failed call or probe until its next answer:
 * its zone's requests fail with 503 while the other zones serve on.
 */
export class StoreRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #zones: ReadonlyArray<{ zone: string; store: string }>;
  #verifying: Promise<StoreStatus[]> | undefined;

  /** With `metrics`, every store call is measured and each zone's store state is the gauge `residency_store_up`. */
  constructor(policy: CompiledPolicy, stores: ReadonlyMap<string, ObjectStore>, metrics?: Metrics) {
    this.#zones = [...policy.zones.values()].map((zone) => ({ zone: zone.name, store: zone.storeName }));
    for (const zone of policy.zones.values()) {
      if (this.#entries.has(zone.storeName)) continue;
      const opened = stores.get(zone.storeName);
      if (!opened) throw new Error(`no adapter was opened for store "${zone.storeName}"`);
      const { location, evidence } = zone.placement;
      const entry: Entry = {
        name: zone.storeName,
        store: opened,
        placement: zone.placement,
        status: { store: zone.storeName, kind: opened.kind, location, evidence, state: evidence === 'proven' ? 'unproven' : 'ready' },
      };
      if (metrics) entry.store = instrumentStore(opened, { name: entry.name, metrics, onAnswer: (reachable) => this.#answered(entry, reachable) });
      this.#entries.set(zone.storeName, entry);
    }
    metrics?.register(() => [
      {
        name: 'residency_store_up',
        help: 'Whether the store of a zone takes requests (1) or not (0: unreachable, location unproven or contradicted).',
        type: 'gauge',
        samples: this.zoneStatuses().map(({ zone, store, serving }) => ({ labels: { store, zone }, value: serving ? 1 : 0 })),
      },
    ]);
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

  zoneStatuses(): ZoneStatus[] {
    return this.#zones.map(({ zone, store }) => {
      const { state } = this.#entries.get(store)!.status;
      return { zone, store, state, serving: state === 'ready' };
    });
  }

  /** A store's calls tell its state between probes: a failed connection takes it out, an answer brings it back. */
  #answered(entry: Entry, reachable: boolean): void {
    const { state } = entry.status;
    if (!reachable && state === 'ready') entry.status = { ...entry.status, state: 'unreachable', detail: 'a call to the store found it unreachable' };
    else if (reachable && state === 'unreachable') entry.status = { ...entry.status, state: 'ready', detail: undefined };
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

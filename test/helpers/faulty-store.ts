import { StoreError } from '../../src/adapters/errors.ts';
import type { ObjectStore } from '../../src/adapters/types.ts';

export interface FaultyStore extends ObjectStore {
  /** From now on, the store answers `n` more deletes, then behaves as if it went down. */
  goDownAfterDeletes(n: number): void;
  comeBack(): void;
}

/** Wraps a store so a test can make it go down in the middle of an operation, the way a backend outage would. */
export function faultyStore(inner: ObjectStore): FaultyStore {
  let deletesLeft = Infinity;
  const down = () => new StoreError('unavailable', 'the store is down (injected by the test)');
  const guard = <T>(call: () => Promise<T>) => (deletesLeft < 0 ? Promise.reject(down()) : call());
  return {
    kind: inner.kind,
    put: (...args) => guard(() => inner.put(...args)),
    get: (key) => guard(() => inner.get(key)),
    head: (key) => guard(() => inner.head(key)),
    list: (prefix, options) => guard(() => inner.list(prefix, options)),
    probe: () => guard(() => inner.probe()),
    delete(key) {
      deletesLeft -= 1;
      return guard(() => inner.delete(key));
    },
    close: () => inner.close?.() ?? Promise.resolve(),
    goDownAfterDeletes(n) {
      deletesLeft = n;
    },
    comeBack() {
      deletesLeft = Infinity;
    },
  };
}

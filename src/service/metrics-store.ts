import { isStoreError } from '../adapters/errors.ts';
import type { ObjectStore } from '../adapters/types.ts';
import { inSpan } from './tracing-spans.ts';
import type { Metrics } from './metrics.ts';

export type StoreOperation = 'put' | 'get' | 'head' | 'delete' | 'list' | 'probe';

export interface StoreInstrumentation {
  /** The store's name in the policy. */
  name: string;
  metrics: Metrics;
  /** Told of every call's end: whether the backend answered (a `StoreError` of kind `unavailable` means it did not). */
  onAnswer(reachable: boolean): void;
}

/**
 * A store whose every call is timed, counted and traced: duration histogram,
 * errors by failure kind, bytes written and read, one span per call.
 */
export function instrumentStore(store: ObjectStore, { name, metrics, onAnswer }: StoreInstrumentation): ObjectStore {
  const call = <T>(operation: StoreOperation, run: () => Promise<T>, bytesOf?: (result: T) => number): Promise<T> =>
    inSpan(`store.${operation}`, { 'residency.store': name, 'residency.store.kind': store.kind }, async () => {
      const labels = { store: name, operation };
      const started = performance.now();
      try {
        const result = await run();
        onAnswer(true);
        const bytes = bytesOf?.(result);
        if (bytes !== undefined) {
          metrics.count(
            'residency_store_bytes_total',
            'Bytes written to and read from stores (a read counts the object size).',
            {
              store: name,
              direction: operation === 'put' ? 'written' : 'read',
            },
            bytes,
          );
        }
        return result;
      } catch (error) {
        const failure = isStoreError(error) ? error.failure : 'other';
        if (failure === 'unavailable') onAnswer(false);
        metrics.count(
          'residency_store_errors_total',
          'Store calls that failed: unavailable, failed (the store answered an error), invalid, or other (the body stream ended the call, or a fault in the gateway).',
          {
            ...labels,
            failure,
          },
        );
        throw error;
      } finally {
        metrics.observe(
          'residency_store_request_duration_seconds',
          'Time of store calls, to the end of a write or the start of a read body.',
          labels,
          (performance.now() - started) / 1000,
        );
      }
    });

  const instrumented: Partial<ObjectStore> = {
    put: (key, body, metadata, options) =>
      call(
        'put',
        () => store.put(key, body, metadata, options),
        (result) => result.size,
      ),
    get: (key) =>
      call(
        'get',
        () => store.get(key),
        (object) => object?.info.size ?? 0,
      ),
    head: (key) => call('head', () => store.head(key)),
    delete: (key) => call('delete', () => store.delete(key)),
    list: (prefix, options) => call('list', () => store.list(prefix, options)),
    probe: () => call('probe', () => store.probe()),
  };
  // Whatever else an adapter offers (close, and calls added later) reaches it unchanged.
  return new Proxy(store, {
    get(target, property, receiver) {
      if (Object.hasOwn(instrumented, property)) return instrumented[property as keyof ObjectStore];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';

/** What the runtime offers to carry a value along an async call chain: Node's (and workerd's) AsyncLocalStorage. */
export interface AsyncContextStorage {
  getStore(): Context | undefined;
  run<R>(store: Context, callback: () => R): R;
}

/**
 * The active span's context across awaits, so that a store call's span is
 * the child of its request's span. The storage comes from the host, which
 * keeps `node:async_hooks` out of shared code.
 */
export class StorageContextManager implements ContextManager {
  readonly #storage: AsyncContextStorage;

  constructor(storage: AsyncContextStorage) {
    this.#storage = storage;
  }

  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.#storage.run(context, () => fn.call(thisArg, ...args));
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = target as unknown as (...args: unknown[]) => unknown;
    return ((...args: unknown[]) => this.with(context, run, undefined, ...args)) as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    return this;
  }
}

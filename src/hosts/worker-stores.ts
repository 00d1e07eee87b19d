import type { CompiledPolicy } from '../policy/load.ts';
import { type OpenedStores, openStores, unsupportedStores } from './store-kinds.ts';

/**
 * The policy's stores at the edge: R2 bucket bindings of the Worker
 * (wrangler.toml `[[r2_buckets]]`) and S3 stores with credentials from the
 * Worker's secrets. What cannot run there is said by the store table.
 */

/** Stores the policy's zones use that cannot run on Workers; checked without bindings, so also at build time. */
export function edgeStoreErrors(policy: CompiledPolicy): string[] {
  return unsupportedStores(policy, 'workers');
}

/** Opens an adapter for every store a zone uses, from the Worker's bindings and secrets. */
export function openEdgeStores(policy: CompiledPolicy, env: Readonly<Record<string, unknown>>): Promise<OpenedStores> {
  return openStores(policy, 'workers', { baseDir: '', env });
}

import type { ObjectStore } from '../adapters/types.ts';
import type { CompiledPolicy } from '../policy/load.ts';
import { ConfigurationError } from './configuration-error.ts';
import { openStores } from './store-kinds.ts';

/**
 * Opens an adapter for every store a zone uses, on Node. Relative fs paths are
 * resolved against `baseDir` (the policy file's folder); secrets come from the
 * environment, never from the policy file.
 */
export async function openNodeStores(policy: CompiledPolicy, baseDir: string, env: NodeJS.ProcessEnv): Promise<Map<string, ObjectStore>> {
  const opened = await openStores(policy, 'node', { baseDir, env });
  if (!opened.ok) throw new ConfigurationError(opened.errors);
  return opened.stores;
}

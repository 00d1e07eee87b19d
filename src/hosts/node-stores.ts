import { resolve } from 'node:path';
import { createFsStore } from '../adapters/fs.ts';
import { createMemoryStore } from '../adapters/memory.ts';
import type { ObjectStore } from '../adapters/types.ts';
import type { CompiledPolicy } from '../policy/load.ts';
import type { StoreConfig } from '../policy/schema.ts';
import { s3StoreOptions } from './s3-options.ts';

/**
 * Opens an adapter for every store a zone uses. Relative fs paths are
 * resolved against `baseDir` (the policy file's folder). Secrets come from
 * the environment, never from the policy file. The cloud SDKs are loaded
 * only when a store needs them: together they hold some 50 MB of memory.
 */
export async function openNodeStores(policy: CompiledPolicy, baseDir: string, env: NodeJS.ProcessEnv): Promise<Map<string, ObjectStore>> {
  const stores = new Map<string, ObjectStore>();
  for (const zone of policy.zones.values()) {
    if (!stores.has(zone.storeName)) stores.set(zone.storeName, await openStore(zone.storeName, zone.store, baseDir, env));
  }
  return stores;
}

async function openStore(name: string, config: StoreConfig, baseDir: string, env: NodeJS.ProcessEnv): Promise<ObjectStore> {
  switch (config.type) {
    case 'fs':
      return createFsStore({ root: resolve(baseDir, config.path) });
    case 'memory':
      return createMemoryStore();
    case 's3':
      const { createS3Store } = await import('../adapters/s3.ts');
      return createS3Store(s3StoreOptions(config));
    case 'azure-blob': {
      const connectionString = env[config.connectionStringEnv];
      if (!connectionString) {
        throw new Error(`stores.${name}.connectionStringEnv: environment variable ${config.connectionStringEnv} is not set`);
      }
      const { createAzureBlobStore } = await import('../adapters/azure-blob.ts');
      return createAzureBlobStore({
        connectionString,
        container: config.container,
        encryptionScope: config.encryptionScope,
        timeoutMs: config.timeoutMs,
      });
    }
    case 'r2':
      throw new Error(`stores.${name}: R2 stores are Workers bindings; they run only in the Workers entry`);
  }
}

import { resolve } from 'node:path';
import { createAzureBlobStore } from '../adapters/azure-blob.ts';
import { createFsStore } from '../adapters/fs.ts';
import { createMemoryStore } from '../adapters/memory.ts';
import { createS3Store } from '../adapters/s3.ts';
import type { ObjectStore } from '../adapters/types.ts';
import type { CompiledPolicy } from '../policy/load.ts';
import type { StoreConfig } from '../policy/schema.ts';
import { s3StoreOptions } from './s3-options.ts';

/**
 * Opens an adapter for every store a zone uses. Relative fs paths are
 * resolved against `baseDir` (the policy file's folder). Secrets come from
 * the environment, never from the policy file.
 */
export function openNodeStores(policy: CompiledPolicy, baseDir: string, env: NodeJS.ProcessEnv): Map<string, ObjectStore> {
  const stores = new Map<string, ObjectStore>();
  for (const zone of policy.zones.values()) {
    if (!stores.has(zone.storeName)) stores.set(zone.storeName, openStore(zone.storeName, zone.store, baseDir, env));
  }
  return stores;
}

function openStore(name: string, config: StoreConfig, baseDir: string, env: NodeJS.ProcessEnv): ObjectStore {
  switch (config.type) {
    case 'fs':
      return createFsStore({ root: resolve(baseDir, config.path) });
    case 'memory':
      return createMemoryStore();
    case 's3':
      return createS3Store(s3StoreOptions(config));
    case 'azure-blob': {
      const connectionString = env[config.connectionStringEnv];
      if (!connectionString) {
        throw new Error(`stores.${name}.connectionStringEnv: environment variable ${config.connectionStringEnv} is not set`);
      }
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

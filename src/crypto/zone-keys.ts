import type { ObjectStore } from '../adapters/types.ts';
import type { CompiledPolicy } from '../policy/load.ts';
import type { EncryptionKeyConfig } from '../policy/protection-schema.ts';
import type { StoreConfig } from '../policy/schema.ts';
import type { KeyEncryptionKey } from './kek.ts';
import { KeyService } from './key-service.ts';
import { ZoneEncryption } from './zone-encryption.ts';

/** Opens a key-encryption key of the policy: how depends on the host (a file and PKCS#11 on Node, a secret on Workers). */
export type KekOpener = (name: string, config: EncryptionKeyConfig) => Promise<KeyEncryptionKey>;

/** The key stores the policy's zones name, by store name: a host opens them beside the data stores. */
export function keyStoreConfigs(policy: CompiledPolicy): Map<string, StoreConfig> {
  const { document } = policy;
  const configs = new Map<string, StoreConfig>();
  for (const zone of Object.values(document.zones)) {
    const name = zone.encryption?.keyStore;
    const config = name === undefined ? undefined : document.stores[name];
    if (name !== undefined && config) configs.set(name, config);
  }
  return configs;
}

export interface OpenedEncryption {
  /** Zone name → its encryption, for the object service. */
  zones: Map<string, ZoneEncryption>;
  /** Closes the key-encryption keys (PKCS#11 sessions). */
  close(): Promise<void>;
}

/** The envelope encryption of every zone with `encryption`, each key-encryption key opened once. */
export async function openZoneEncryptions(policy: CompiledPolicy, keyStores: ReadonlyMap<string, ObjectStore>, openKek: KekOpener): Promise<OpenedEncryption> {
  const { document } = policy;
  const keks = new Map<string, KeyEncryptionKey>();
  const zones = new Map<string, ZoneEncryption>();
  const close = async () => {
    await Promise.all([...keks.values()].map((kek) => kek.close?.()));
  };
  try {
    for (const [zoneName, zone] of Object.entries(document.zones)) {
      if (!zone.encryption) continue;
      const { key, keyStore, per } = zone.encryption;
      const config = document.encryption?.keys[key];
      const store = keyStores.get(keyStore);
      if (!config || !store) throw new Error(`zones.${zoneName}.encryption: key "${key}" or key store "${keyStore}" was not opened`);
      let kek = keks.get(key);
      if (!kek) {
        kek = await openKek(key, config);
        keks.set(key, kek);
      }
      zones.set(zoneName, new ZoneEncryption(new KeyService(store, kek, per)));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { zones, close };
}

/** The KEK opener of the Workers host: local keys given as secrets only (the build refuses the rest, see ./edge-support.ts). */
export function edgeKekOpener(env: Readonly<Record<string, unknown>>, openLocal: (jwk: string) => Promise<KeyEncryptionKey>): KekOpener {
  return async (name, config) => {
    if (config.type !== 'local' || config.secretEnv === undefined) throw new Error(`encryption.keys.${name}: only local keys given as secrets run on Workers`);
    const secret = env[config.secretEnv];
    if (typeof secret !== 'string' || secret === '') throw new Error(`encryption.keys.${name}.secretEnv: the secret ${config.secretEnv} is not set`);
    return openLocal(secret);
  };
}

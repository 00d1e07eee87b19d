import type { ObjectStore } from '../adapters/types.ts';
import type { CompiledPolicy } from '../policy/load.ts';
import type { EncryptionKeyConfig } from '../policy/protection-schema.ts';
import type { KeyEncryptionKey } from './kek.ts';
import { KeyService } from './key-service.ts';
import { ZoneEncryption } from './zone-encryption.ts';

/** Opens a key-encryption key of the policy: how depends on the host (a file and PKCS#11 on Node, a secret on Workers). */
export type KekOpener = (name: string, config: EncryptionKeyConfig) => Promise<KeyEncryptionKey>;

export interface OpenedEncryption {
  /** Zone name → its encryption, for the object service. */
  zones: Map<string, ZoneEncryption>;
  /** Closes the key-encryption keys (PKCS#11 sessions). */
  close(): Promise<void>;
}

/** The envelope encryption of every zone with `encryption`, each key-encryption key opened once. */
export async function openZoneEncryptions(policy: CompiledPolicy, keyStores: ReadonlyMap<string, ObjectStore>, openKek: KekOpener): Promise<OpenedEncryption> {
  const keks = new Map<string, KeyEncryptionKey>();
  const zones = new Map<string, ZoneEncryption>();
  const close = async () => {
    await Promise.all([...keks.values()].map((kek) => kek.close?.()));
  };
  try {
    for (const zone of policy.zones.values()) {
      if (!zone.encryption) continue;
      const { keyName, key, keyStoreName, per } = zone.encryption;
      const store = keyStores.get(keyStoreName);
      if (!store) throw new Error(`zones.${zone.name}.encryption: key store "${keyStoreName}" was not opened`);
      let kek = keks.get(keyName);
      if (!kek) {
        kek = await openKek(keyName, key);
        keks.set(keyName, kek);
      }
      zones.set(zone.name, new ZoneEncryption(new KeyService(store, kek, per)));
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

import type { CompiledPolicy } from '../policy/load.ts';

/**
 * What of a policy's encryption the Workers runtime cannot run, as policy
 * errors: a PKCS#11 key (a native module, Node only), a local key kept in a
 * file (Workers have no filesystem; give it as a secret with `secretEnv`),
 * and a key store of a kind the edge cannot open (only r2 and s3 there).
 */
export function edgeEncryptionErrors(policy: CompiledPolicy): string[] {
  const { document } = policy;
  const errors: string[] = [];
  const keys = document.encryption?.keys ?? {};
  for (const [zoneName, zone] of Object.entries(document.zones)) {
    if (!zone.encryption) continue;
    const key = keys[zone.encryption.key];
    if (key?.type === 'pkcs11') {
      errors.push(
        `zones.${zoneName}.encryption.key: key "${zone.encryption.key}" is a pkcs11 key, which needs a native module and runs only on Node; at the edge use a local key given as a secret (secretEnv)`,
      );
    } else if (key?.type === 'local' && key.file !== undefined) {
      errors.push(`encryption.keys.${zone.encryption.key}.file: Workers have no filesystem; give the key as a Workers secret named by secretEnv`);
    }
    const keyStore = document.stores[zone.encryption.keyStore];
    if (keyStore && keyStore.type !== 'r2' && keyStore.type !== 's3') {
      errors.push(`zones.${zoneName}.encryption.keyStore: ${keyStore.type} stores do not run on Workers; at the edge keep keys in an r2 or s3 store`);
    }
  }
  return errors;
}

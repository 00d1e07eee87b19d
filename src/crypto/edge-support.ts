import type { CompiledPolicy } from '../policy/load.ts';

/**
 * What of a policy's encryption the Workers runtime cannot run, as policy
 * errors: a PKCS#11 key (a native module, Node only), a local key kept in a
 * file (Workers have no filesystem; give it as a secret with `secretEnv`),
 * and a key store of a kind the edge cannot open (only r2 and s3 there).
 */
export function edgeEncryptionErrors(policy: CompiledPolicy): string[] {
  const errors: string[] = [];
  for (const zone of policy.zones.values()) {
    if (!zone.encryption) continue;
    const { keyName, key, keyStore } = zone.encryption;
    if (key.type === 'pkcs11') {
      errors.push(
        `zones.${zone.name}.encryption.key: key "${keyName}" is a pkcs11 key, which needs a native module and runs only on Node; at the edge use a local key given as a secret (secretEnv)`,
      );
    } else if (key.file !== undefined) {
      errors.push(`encryption.keys.${keyName}.file: Workers have no filesystem; give the key as a Workers secret named by secretEnv`);
    }
    if (keyStore.type !== 'r2' && keyStore.type !== 's3') {
      errors.push(`zones.${zone.name}.encryption.keyStore: ${keyStore.type} stores do not run on Workers; at the edge keep keys in an r2 or s3 store`);
    }
  }
  return errors;
}

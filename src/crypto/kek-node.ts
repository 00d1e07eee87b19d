import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { localKek, newLocalKekJwk } from './local-kek.ts';
import { pkcs11Kek } from './pkcs11-node.ts';
import type { KekOpener } from './zone-keys.ts';

export interface NodeKekOptions {
  /** Relative key files are resolved from here (the policy file's folder). */
  baseDir: string;
  env: NodeJS.ProcessEnv;
  /** In production a missing local key file is an error; in development it is created. */
  production: boolean;
  /** Told when a development key file is created. */
  log?: (message: string) => void;
}

/** The KEK opener of the Node host: local keys from a file or an environment variable, PKCS#11 keys with the PIN from the environment. */
export function nodeKekOpener(options: NodeKekOptions): KekOpener {
  return async (name, config) => {
    if (config.type === 'pkcs11') {
      const pin = options.env[config.pinEnv];
      if (pin === undefined || pin === '') throw new Error(`encryption.keys.${name}.pinEnv: environment variable ${config.pinEnv} is not set`);
      return pkcs11Kek({ module: config.module, token: config.token, label: config.label, pin });
    }
    if (config.secretEnv !== undefined) {
      const secret = options.env[config.secretEnv];
      if (secret === undefined || secret === '') throw new Error(`encryption.keys.${name}.secretEnv: environment variable ${config.secretEnv} is not set`);
      return localKek(secret);
    }
    const path = resolve(options.baseDir, config.file ?? '');
    if (!existsSync(path)) {
      if (options.production) throw new Error(`encryption.keys.${name}.file: ${config.file} does not exist (created only in development)`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, newLocalKekJwk(name), { mode: 0o600, flag: 'wx' });
      options.log?.(`created a development key-encryption key "${name}" in ${config.file}: whoever reads it can decrypt the data`);
    }
    return localKek(readFileSync(path, 'utf8'));
  };
}

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { compilePolicy, loadPolicy, type CompiledPolicy } from '../policy/load.ts';
import { DEV_ISSUER, ensureDevKeys } from './dev-keys.ts';
import { ConfigurationError } from './configuration-error.ts';
import { DEV_KEYS_DIR, developmentPolicy } from './dev-policy.ts';

export interface NodePolicy {
  policy: CompiledPolicy;
  /** Relative paths in the policy are resolved against this folder. */
  baseDir: string;
  development: boolean;
}

/**
 * The policy file named by RESIDENCY_POLICY, or the embedded development
 * policy (refused in production). All-or-nothing: any error is a ConfigurationError.
 */
export async function readNodePolicy(policyPath: string | undefined, env: NodeJS.ProcessEnv): Promise<NodePolicy> {
  const production = env.NODE_ENV === 'production';
  if (policyPath === undefined) {
    if (production) throw new ConfigurationError(['NODE_ENV=production: set RESIDENCY_POLICY to the policy file; the development policy is refused']);
    await ensureDevKeys(DEV_KEYS_DIR);
    const loaded = compilePolicy(developmentPolicy());
    if (!loaded.ok) throw new ConfigurationError(loaded.errors);
    return { policy: loaded.policy, baseDir: process.cwd(), development: true };
  }
  const path = resolve(policyPath);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError([`RESIDENCY_POLICY: cannot read ${policyPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  const loaded = loadPolicy(text);
  if (!loaded.ok) throw new ConfigurationError(loaded.errors);
  if (production && loaded.policy.document.auth.issuer === DEV_ISSUER) {
    throw new ConfigurationError(['NODE_ENV=production: auth.issuer is the development issuer; configure your identity provider']);
  }
  return { policy: loaded.policy, baseDir: dirname(path), development: false };
}

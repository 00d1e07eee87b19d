import { stat } from 'node:fs/promises';
import { ConfigurationError } from '../hosts/configuration-error.ts';
import { readNodePolicy, type NodePolicy } from '../hosts/node-policy.ts';

/**
 * The policy a command works on: `--policy FILE` when given, else
 * RESIDENCY_POLICY, else the development policy. A `--policy` file that
 * cannot be read is reported against `--policy`, not the variable.
 */
export async function readCommandPolicy(policyFlag: string | undefined, env: NodeJS.ProcessEnv): Promise<NodePolicy> {
  if (policyFlag !== undefined) {
    const problem = await stat(policyFlag).then(
      (info) => (info.isFile() ? undefined : 'not a file'),
      (error: NodeJS.ErrnoException) => error.code ?? String(error),
    );
    if (problem !== undefined) throw new ConfigurationError([`--policy: cannot read ${policyFlag}: ${problem}`]);
  }
  return readNodePolicy(policyFlag ?? (env.RESIDENCY_POLICY || undefined), env);
}

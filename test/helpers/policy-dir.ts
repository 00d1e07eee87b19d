import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryPolicy } from './gateway.ts';
import { createTestIdentity, type TestIdentity } from './tokens.ts';

export interface PolicyDir {
  dir: string;
  identity: TestIdentity;
  /** The policy file: the HTTP tests' zones on filesystem stores under `data/`, trusting `identity` through `jwks.json`. */
  policyPath: string;
  remove(): Promise<void>;
}

/** A folder with a policy file and its JWKS, for tests that run the gateway or the CLI as a process. */
export async function fsPolicyDir(prefix: string, limits?: Record<string, number>): Promise<PolicyDir> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const identity = await createTestIdentity();
  await writeFile(join(dir, 'jwks.json'), JSON.stringify(identity.jwks));
  const policy = memoryPolicy();
  policy.auth = identity.authConfig({ file: './jwks.json' });
  policy.stores = {
    london: { type: 'fs', path: './data/uk-eu', jurisdiction: 'UK' },
    virginia: { type: 'fs', path: './data/us', jurisdiction: 'US' },
  };
  if (limits) policy.limits = limits;
  const policyPath = join(dir, 'policy.json');
  await writeFile(policyPath, JSON.stringify(policy, null, 2));
  return { dir, identity, policyPath, remove: () => rm(dir, { recursive: true, force: true }) };
}

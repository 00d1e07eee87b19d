import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { experimental_readRawConfig, unstable_readConfig } from 'wrangler';
import { edgeEncryptionErrors } from '../src/crypto/edge-support.ts';
import { loadEdgePolicy } from '../src/hosts/worker.ts';

/**
 * The custom build step of wrangler.toml: before wrangler bundles the Worker,
 * checks the policy in each environment's RESIDENCY_POLICY variable as the
 * Worker will load it, and that every R2 store the policy uses is bound to a
 * bucket of the jurisdiction the policy claims for it. Only the build can see
 * that: a running Worker cannot ask R2 where a bound bucket is.
 *
 *   node --import tsx scripts/build-worker-check.ts [--config wrangler.toml]
 *
 * Exits 1 with every error found.
 */

const VARIABLE_LIMIT_BYTES = 5 * 1024;

/** An `[[r2_buckets]]` entry as wrangler reads it (its own type does not resolve outside wrangler). */
interface BoundBucket {
  binding: string;
  bucket_name?: string;
  jurisdiction?: string;
}

export interface WorkerConfigCheck {
  /** One line per valid environment, and warnings. */
  notes: string[];
  errors: string[];
}

/** Checks the top-level environment and every `[env.<name>]` of a wrangler config. */
export function checkWorkerConfig(configPath: string): WorkerConfigCheck {
  const { rawConfig } = experimental_readRawConfig({ config: configPath });
  const check: WorkerConfigCheck = { notes: [], errors: [] };
  for (const env of [undefined, ...Object.keys(rawConfig.env ?? {})]) checkEnvironment(configPath, env, check);
  return check;
}

function checkEnvironment(configPath: string, env: string | undefined, check: WorkerConfigCheck): void {
  const where = env === undefined ? configPath : `${configPath} [env.${env}]`;
  const config = unstable_readConfig({ config: configPath, env }, { hideWarnings: true });
  const text = config.vars.RESIDENCY_POLICY;
  if (typeof text !== 'string' || text.trim() === '') {
    check.errors.push(`${where}: [vars] RESIDENCY_POLICY is not set`);
    return;
  }
  const loaded = loadEdgePolicy(text);
  const policyErrors = loaded.ok ? edgeEncryptionErrors(loaded.policy) : loaded.errors;
  if (policyErrors.length > 0 || !loaded.ok) {
    check.errors.push(...policyErrors.map((error) => `${where}: RESIDENCY_POLICY: ${error}`));
    return;
  }

  const buckets = new Map((config.r2_buckets as BoundBucket[]).map((bucket) => [bucket.binding, bucket]));
  const errors: string[] = [];
  for (const [name, store] of loaded.policy.stores) {
    if (store.type !== 'r2') continue;
    const bucket = buckets.get(store.binding);
    if (!bucket) {
      errors.push(`${where}: stores.${name}.binding: no [[r2_buckets]] entry has binding = "${store.binding}"`);
    } else if (bucket.jurisdiction !== store.jurisdiction) {
      const bound = bucket.jurisdiction ? `jurisdiction "${bucket.jurisdiction}"` : 'no jurisdiction';
      errors.push(
        `${where}: stores.${name}.jurisdiction: the policy places ${store.binding} in jurisdiction "${store.jurisdiction}", ` +
          `but its [[r2_buckets]] entry (${bucket.bucket_name ?? 'no bucket_name'}) has ${bound}`,
      );
    }
  }
  if (errors.length > 0) {
    check.errors.push(...errors);
    return;
  }
  const bytes = new TextEncoder().encode(text).byteLength;
  const zones = [...loaded.policy.zones.values()].map((zone) => `${zone.name} -> ${zone.storeName} (${zone.placement.location})`);
  check.notes.push(`${where}: RESIDENCY_POLICY (${bytes} bytes) is valid at the edge: ${zones.join(', ')}`);
  if (bytes > VARIABLE_LIMIT_BYTES) {
    check.notes.push(
      `${where}: warning: RESIDENCY_POLICY is over the ${VARIABLE_LIMIT_BYTES} bytes a Workers variable may hold; shorten it (comments, flow style)`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { config: { type: 'string', default: 'wrangler.toml' } } });
  const { notes, errors } = checkWorkerConfig(values.config);
  for (const note of notes) console.log(note);
  if (errors.length > 0) {
    console.error(`residency-proxy: the Worker's configuration is refused:\n${errors.map((error) => `  ${error}`).join('\n')}`);
    process.exit(1);
  }
}

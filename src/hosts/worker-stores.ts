import { createR2Store } from '../adapters/r2.ts';
import { isR2Bucket } from '../adapters/r2-types.ts';
import { createS3Store } from '../adapters/s3.ts';
import type { ObjectStore } from '../adapters/types.ts';
import type { CompiledPolicy } from '../policy/load.ts';
import type { StoreConfig } from '../policy/schema.ts';
import { s3StoreOptions } from './s3-options.ts';

/**
 * The policy's stores at the edge. R2 stores are bucket bindings of the
 * Worker (wrangler.toml `[[r2_buckets]]`); S3 stores use the S3 adapter with
 * credentials from the Worker's secrets, since Workers have no AWS provider
 * chain. Azure, filesystem and memory stores are refused: the Azure SDK needs
 * Node, Workers have no filesystem, and an isolate's memory vanishes.
 */

/** Secrets an S3 store needs at the edge (`wrangler secret put`). */
export const S3_SECRETS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

export type EdgeStores = { ok: true; stores: Map<string, ObjectStore> } | { ok: false; errors: string[] };

/** Why a kind of store cannot run on Workers, or null when it can. */
function unsupportedAtEdge(config: StoreConfig): string | null {
  switch (config.type) {
    case 'r2':
    case 's3':
      return null;
    case 'azure-blob':
      return 'azure-blob stores do not run on Workers (the Azure SDK needs Node); at the edge use an r2 or s3 store';
    case 'fs':
      return 'fs stores need a filesystem, which Workers do not have; at the edge use an r2 or s3 store';
    case 'memory':
      return "memory stores lose their objects with each Workers isolate; at the edge use an r2 or s3 store";
  }
}

/** The stores zones write to, each once, by name. Stores no zone uses are never opened, as on Node. */
export function zoneStores(policy: CompiledPolicy): Map<string, StoreConfig> {
  return new Map([...policy.zones.values()].map((zone) => [zone.storeName, zone.store]));
}

/** Stores the policy's zones use that cannot run on Workers; checked without bindings, so also at build time. */
export function edgeStoreErrors(policy: CompiledPolicy): string[] {
  return [...zoneStores(policy)].flatMap(([name, config]) => {
    const reason = unsupportedAtEdge(config);
    return reason ? [`stores.${name}: ${reason}`] : [];
  });
}

/** Opens an adapter for every store a zone uses, from the Worker's bindings and secrets. */
export function openEdgeStores(policy: CompiledPolicy, env: Readonly<Record<string, unknown>>): EdgeStores {
  const errors = edgeStoreErrors(policy);
  const stores = new Map<string, ObjectStore>();
  for (const [name, config] of zoneStores(policy)) {
    if (config.type === 'r2') {
      const bucket = env[config.binding];
      if (isR2Bucket(bucket)) stores.set(name, createR2Store({ bucket, timeoutMs: config.timeoutMs }));
      else errors.push(`stores.${name}.binding: the Worker has no R2 bucket bound as ${config.binding} (wrangler.toml [[r2_buckets]])`);
    } else if (config.type === 's3') {
      const [accessKeyId, secretAccessKey] = S3_SECRETS.map((secret) => env[secret]);
      if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string' || !accessKeyId || !secretAccessKey) {
        errors.push(`stores.${name}: an S3 store at the edge needs the Worker secrets ${S3_SECRETS.join(' and ')} (wrangler secret put)`);
        continue;
      }
      stores.set(
        name,
        createS3Store({ ...s3StoreOptions(config), credentials: { accessKeyId, secretAccessKey } }),
      );
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, stores };
}

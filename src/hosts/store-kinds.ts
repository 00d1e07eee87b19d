import type { ObjectStore } from '../adapters/types.ts';
import type { CompiledPolicy } from '../policy/load.ts';
import type { StoreConfig } from '../policy/schema.ts';

type StoreType = StoreConfig['type'];
type ConfigOf<T extends StoreType> = Extract<StoreConfig, { type: T }>;

/** What a host hands an opener: the store's name (for error paths), where relative paths start, and the secrets it may read. */
export interface OpenContext {
  name: string;
  baseDir: string;
  /** Environment variables on Node, the Worker's vars, secrets and bindings on Workers. */
  env: Readonly<Record<string, unknown>>;
}

/** Opens one kind of store on one host, or says why it cannot run there. */
type Opener<T extends StoreType> = ((config: ConfigOf<T>, context: OpenContext) => Promise<ObjectStore>) | { unsupported: string };

interface StoreKind<T extends StoreType> {
  node: Opener<T>;
  workers: Opener<T>;
}

/** Secrets an S3 store needs at the edge (`wrangler secret put`); on Node the AWS SDK's default provider chain finds credentials. */
export const S3_SECRETS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

const EDGE_ALTERNATIVE = 'at the edge use an r2 or s3 store';

/**
 * Every backend, how it opens on Node and on Workers, or why it can't. The
 * adapters are imported only when a store needs them: the cloud SDKs hold
 * some 50 MB of memory, and the filesystem adapter cannot run on Workers.
 */
export const STORE_KINDS: { [T in StoreType]: StoreKind<T> } = {
  fs: {
    async node(config, { baseDir }) {
      const [{ createFsStore }, { resolve }] = await Promise.all([import('../adapters/fs.ts'), import('node:path')]);
      return createFsStore({ root: resolve(baseDir, config.path) });
    },
    workers: { unsupported: `fs stores need a filesystem, which Workers do not have; ${EDGE_ALTERNATIVE}` },
  },
  memory: {
    node: async () => (await import('../adapters/memory.ts')).createMemoryStore(),
    workers: { unsupported: `memory stores lose their objects with each Workers isolate; ${EDGE_ALTERNATIVE}` },
  },
  s3: {
    node: async (config) => (await import('../adapters/s3.ts')).createS3Store(s3Options(config)),
    async workers(config, { name, env }) {
      const [accessKeyId, secretAccessKey] = S3_SECRETS.map((secret) => env[secret]);
      if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string' || !accessKeyId || !secretAccessKey) {
        throw new Error(`stores.${name}: an S3 store at the edge needs the Worker secrets ${S3_SECRETS.join(' and ')} (wrangler secret put)`);
      }
      return (await import('../adapters/s3.ts')).createS3Store({ ...s3Options(config), credentials: { accessKeyId, secretAccessKey } });
    },
  },
  'azure-blob': {
    async node(config, { name, env }) {
      const connectionString = env[config.connectionStringEnv];
      if (typeof connectionString !== 'string' || !connectionString) {
        throw new Error(`stores.${name}.connectionStringEnv: environment variable ${config.connectionStringEnv} is not set`);
      }
      const { createAzureBlobStore } = await import('../adapters/azure-blob.ts');
      return createAzureBlobStore({ connectionString, container: config.container, encryptionScope: config.encryptionScope, timeoutMs: config.timeoutMs });
    },
    workers: { unsupported: `azure-blob stores do not run on Workers (the Azure SDK needs Node); ${EDGE_ALTERNATIVE}` },
  },
  r2: {
    node: { unsupported: 'R2 stores are Workers bindings; they run only in the Workers entry' },
    async workers(config, { name, env }) {
      const [{ createR2Store }, { isR2Bucket }] = await Promise.all([import('../adapters/r2.ts'), import('../adapters/r2-types.ts')]);
      const bucket = env[config.binding];
      if (!isR2Bucket(bucket)) throw new Error(`stores.${name}.binding: the Worker has no R2 bucket bound as ${config.binding} (wrangler.toml [[r2_buckets]])`);
      return createR2Store({ bucket, timeoutMs: config.timeoutMs });
    },
  },
};

export type Host = keyof StoreKind<StoreType>;

function s3Options(config: ConfigOf<'s3'>) {
  const { bucket, region, endpoint, forcePathStyle, sse, kmsKeyId, timeoutMs } = config;
  return { bucket, region, endpoint, forcePathStyle, sse, kmsKeyId, timeoutMs };
}

function openerFor<T extends StoreType>(config: ConfigOf<T>, host: Host): Opener<T> {
  return (STORE_KINDS[config.type] as StoreKind<T>)[host];
}

/** Stores (by default every store the zones use) that cannot run on a host; checked without opening anything, so also at build time. */
export function unsupportedStores(policy: CompiledPolicy, host: Host, stores: ReadonlyMap<string, StoreConfig> = policy.stores): string[] {
  return [...stores].flatMap(([name, config]) => {
    const opener = openerFor(config, host);
    return typeof opener === 'function' ? [] : [`stores.${name}: ${opener.unsupported}`];
  });
}

export type OpenedStores = { ok: true; stores: Map<string, ObjectStore> } | { ok: false; errors: string[] };

/** Opens an adapter for every store a zone uses (data and key stores); every store that cannot be opened is named in the errors. */
export async function openStores(policy: CompiledPolicy, host: Host, context: Omit<OpenContext, 'name'>): Promise<OpenedStores> {
  const errors = unsupportedStores(policy, host);
  const stores = new Map<string, ObjectStore>();
  for (const [name, config] of policy.stores) {
    const opener = openerFor(config, host);
    if (typeof opener !== 'function') continue;
    try {
      stores.set(name, await opener(config, { ...context, name }));
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, stores };
}

import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import type { R2Bucket } from '../../src/adapters/r2-types.ts';
import { PROJECT_ROOT } from './process.ts';

/**
 * Workers in workerd for tests: a bundle built by wrangler exactly as
 * `npm run build:worker` builds it (offline, `deploy --dry-run`), run by
 * miniflare on a free loopback port with the bindings a test chooses.
 */

const WRANGLER_BIN = join(createRequire(import.meta.url).resolve('wrangler/package.json'), '..', 'bin', 'wrangler.js');

export interface BuiltWorker {
  /** The bundle's entry module. */
  scriptPath: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
  /** Size of the bundle on disk (entry module), in bytes. */
  bytes: number;
  /** What wrangler printed, e.g. its "Total Upload" line. */
  output: string;
  remove(): Promise<void>;
}

/** Bundles the worker of a wrangler config (a path relative to the project root) into a temporary folder. */
export async function buildWorker(config: string): Promise<BuiltWorker> {
  const configPath = resolve(PROJECT_ROOT, config);
  const outdir = await mkdtemp(join(tmpdir(), 'worker-build-'));
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [WRANGLER_BIN, 'deploy', '--dry-run', '--outdir', outdir, '--config', configPath], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG_PATH: outdir, FORCE_COLOR: '0', NO_COLOR: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const entry = (await readdir(outdir)).find((name) => name.endsWith('.js'));
    if (!entry) throw new Error(`wrangler wrote no bundle:\n${stdout}\n${stderr}`);
    const scriptPath = join(outdir, entry);
    const settings = await compatibilitySettings(configPath);
    return {
      scriptPath,
      ...settings,
      bytes: (await stat(scriptPath)).size,
      output: `${stdout}\n${stderr}`,
      remove: () => rm(outdir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(outdir, { recursive: true, force: true });
    throw error;
  }
}

/** The compatibility date and flags of a wrangler config, read by wrangler itself so tests run what deploys. */
async function compatibilitySettings(configPath: string): Promise<{ compatibilityDate: string; compatibilityFlags: string[] }> {
  const { unstable_readConfig } = await import('wrangler');
  const config = unstable_readConfig({ config: configPath });
  if (!config.compatibility_date) throw new Error(`${configPath} has no compatibility_date`);
  return { compatibilityDate: config.compatibility_date, compatibilityFlags: config.compatibility_flags };
}

export interface RunningWorker {
  mf: Miniflare;
  /** The worker's loopback URL; a real `fetch` to it sends Content-Length (`mf.dispatchFetch` does not). */
  url: string;
  /** What the worker has written to its console so far (audit events, error logs). */
  output(): string;
  stop(): Promise<void>;
}

export interface WorkerBindings {
  r2Buckets?: string[];
  /** Variables and secrets, as `[vars]` and `wrangler secret` provide them. */
  bindings?: Record<string, string>;
}

/** Runs a built worker in workerd on 127.0.0.1 with in-memory R2 buckets. */
export async function startWorker(worker: BuiltWorker, options: WorkerBindings = {}): Promise<RunningWorker> {
  let output = '';
  const settings: MiniflareOptions = {
    modules: true,
    scriptPath: worker.scriptPath,
    modulesRoot: join(worker.scriptPath, '..'),
    compatibilityDate: worker.compatibilityDate,
    compatibilityFlags: worker.compatibilityFlags,
    r2Buckets: options.r2Buckets ?? [],
    bindings: options.bindings ?? {},
    host: '127.0.0.1',
    port: 0,
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      for (const stream of [stdout, stderr]) stream.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    },
  };
  const mf = new Miniflare(settings);
  const url = await mf.ready;
  return { mf, url: url.origin, output: () => output, stop: () => mf.dispose() };
}

/** A bucket of a running worker, read from Node through miniflare (typed by the adapter's R2 types: workers-types is not installed). */
export async function r2Bucket(worker: RunningWorker, binding: string): Promise<R2Bucket> {
  return (await worker.mf.getR2Bucket(binding)) as unknown as R2Bucket;
}

/** Every key in a bucket of a running worker. */
export async function bucketKeys(worker: RunningWorker, binding: string): Promise<string[]> {
  const bucket = await r2Bucket(worker, binding);
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ limit: 1000, ...(cursor && { cursor }) });
    keys.push(...page.objects.map((object) => object.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys;
}

/**
 * `npm run bench`: the gateway against the stores themselves and against
 * nginx, on 127.0.0.1, in one run. See bench/README.md for what is measured
 * and how to read it. Results go to bench/results/latest.{json,md}, and a
 * complete run also replaces the latest results in bench/README.md.
 *
 * Environment:
 *   BENCH_QUICK=1               short runs and small objects, to check the script
 *   BENCH_SECTIONS=small,large,micro,inspection   which sections (default: all)
 *   BENCH_LARGE_CLOUD_MIB=256   the large object's size on s3rver and Azurite (fs: always 1 GiB)
 *   BENCH_CPU_PROFILE_DIR=dir   write V8 CPU profiles of the gateway processes there
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestIdentity } from '../test/helpers/tokens.ts';
import { benchInspector, type InspectorBenchResult } from './inspect.bench.ts';
import { rssMiB, startGateway } from './lib/gateway.ts';
import { benchInspectionCost, type InspectionCost } from './lib/inspection.ts';
import { benchLarge, type LargeCase } from './lib/large.ts';
import { startLoadGenerator } from './lib/load.ts';
import { benchMicro, type MicroCase } from './lib/micro.ts';
import { findNginx, startNginx, type NginxProxy } from './lib/nginx.ts';
import { checkTargets, renderMarkdown, spreadWarnings, type BenchResults } from './lib/report.ts';
import { benchSmall, type SmallCase } from './lib/small.ts';
import { azureStore, fsStore, memoryStore, s3Store, type BenchStore } from './lib/stores.ts';

const MiB = 1024 * 1024;
/** Small objects through the S3 front door too: the door's own cost (memory) and an S3 client's view of an S3 store. */
const S3_DOOR_STORES = ['memory', 's3'] as const;
const quick = process.env.BENCH_QUICK === '1';
const ALL_SECTIONS = ['small', 'large', 'micro', 'inspection'];
const sections = new Set((process.env.BENCH_SECTIONS ?? ALL_SECTIONS.join(',')).split(',').map((s) => s.trim()));
const cloudBytes = Number(process.env.BENCH_LARGE_CLOUD_MIB ?? (quick ? 16 : 256)) * MiB;

const settings = {
  small: { objectBytes: 4096, connections: [1, 16, 64], seconds: quick ? 0.4 : 0.8, runs: quick ? 2 : 3, warmupSeconds: quick ? 0.3 : 1 },
  large: { bytes: { fs: quick ? 64 * MiB : 1024 * MiB, s3: cloudBytes, azure: cloudBytes }, runs: quick ? 1 : 3 },
  micro: { runs: quick ? 3 : 5, tokenOps: quick ? 200 : 1000, runMs: quick ? 100 : 300 },
  inspection: { bytes: quick ? 16 * MiB : 100 * MiB, runs: quick ? 1 : 3 },
};

const started = Date.now();
const log = (line: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const workDir = await mkdtemp(join(tmpdir(), 'residency-bench-'));
const running: Array<{ stop(): Promise<void> }> = [];
const notes: string[] = [];
const failures: string[] = [];

/** Runs one section if it was asked for; a failed section is reported and the others still run. */
async function section<T>(name: string, skipped: T, run: () => Promise<T>): Promise<T> {
  if (!sections.has(name)) return skipped;
  try {
    return await run();
  } catch (error) {
    failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    log(`SECTION FAILED: ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return skipped;
  }
}

const README = fileURLToPath(new URL('./README.md', import.meta.url));
const RESULTS_START = '<!-- latest results: written by npm run bench -->';
const RESULTS_END = '<!-- end of latest results -->';

/** A complete run replaces the results section of bench/README.md. */
async function updateReadme(markdown: string): Promise<void> {
  const readme = await readFile(README, 'utf8');
  const start = readme.indexOf(RESULTS_START);
  const end = readme.indexOf(RESULTS_END);
  if (start === -1 || end < start) return;
  // The report's own title becomes a subsection of the README's.
  const body = markdown.replace(/^# /, '### ').replace(/^## /gm, '#### ');
  await writeFile(README, `${readme.slice(0, start + RESULTS_START.length)}\n\n${body.trim()}\n\n${readme.slice(end)}`);
  log('bench/README.md: latest results updated');
}

async function main(): Promise<BenchResults> {
  const identity = await createTestIdentity();
  const loadBefore = loadavg();
  log('starting the stores: node:http origin servers, s3rver, Azurite');
  const stores: BenchStore[] = [await memoryStore(), await fsStore(workDir), await s3Store(), await azureStore()];
  running.push(...stores);

  const nginxBinary = await findNginx();
  let nginx: NginxProxy | null = null;
  if (nginxBinary.path !== null) {
    if (nginxBinary.installed) notes.push(`nginx was installed for this run (apt-get install nginx): ${nginxBinary.version}`);
    nginx = await startNginx(nginxBinary.path, join(workDir, 'nginx'), Object.fromEntries(stores.map((store) => [store.name, store.origin])));
    running.push(nginx);
  } else {
    notes.push(`no nginx column: ${nginxBinary.reason}`);
    log(`WARNING: no nginx column: ${nginxBinary.reason}`);
  }

  const cpuProfileDir = process.env.BENCH_CPU_PROFILE_DIR;
  const gatewayOptions = cpuProfileDir ? { cpuProfileDir } : {};

  const micro = await section('micro', [] as MicroCase[], () => {
    log('per-request costs (in process)');
    return benchMicro(identity, stores, settings.micro);
  });

  const small = await section('small', [] as SmallCase[], async () => {
    const gateway = await startGateway(workDir, identity, stores, { ...gatewayOptions, name: 'small', s3FrontDoor: true });
    const load = startLoadGenerator();
    log(`gateway ${gateway.url}, S3 front door ${gateway.s3Url} (pid ${gateway.pid}) for the small objects${nginx ? `, nginx pid ${nginx.pid}` : ''}`);
    try {
      return await benchSmall({ stores, s3DoorStores: S3_DOOR_STORES, nginx, gateway, identity, load, log }, settings.small);
    } finally {
      await load.close();
      await gateway.stop();
    }
  });

  // A gateway of its own, so that its memory is not what the small objects left behind (the memory store's objects live in it).
  let gatewayIdleRssMiB: number | null = null;
  const large = await section('large', [] as LargeCase[], async () => {
    const largeStores = stores.filter((store) => store.name !== 'memory');
    const gateway = await startGateway(workDir, identity, largeStores, { ...gatewayOptions, name: 'large' });
    try {
      gatewayIdleRssMiB = await rssMiB(gateway.pid);
      log(`gateway ${gateway.url} (pid ${gateway.pid}) for the large objects, ${gatewayIdleRssMiB.toFixed(0)} MiB resident at rest`);
      return await benchLarge({ stores: largeStores, nginx, gateway, identity, log }, settings.large);
    } finally {
      await gateway.stop();
    }
  });

  const inspection = await section('inspection', null as InspectionCost | null, () =>
    benchInspectionCost(workDir, identity, stores.find((store) => store.name === 'fs')!, settings.inspection, log),
  );
  const inspector = await section('inspection', null as InspectorBenchResult | null, () => {
    log('inspector micro-benchmark (bench/inspect.bench.ts)');
    return benchInspector(settings.inspection.bytes, { runs: settings.inspection.runs });
  });

  const measured = { small, large, micro, inspection };
  return {
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memory: `${Math.round(totalmem() / 1024 / MiB)} GiB`,
      kernel: `Linux ${release()}`,
      node: process.version,
      nginx: nginxBinary.path !== null ? nginxBinary.version : null,
      'load average before (1 min)': loadBefore[0]!.toFixed(2),
      'load average after (1 min)': loadavg()[0]!.toFixed(2),
    },
    settings: { ...settings, quick },
    notes,
    failures,
    gatewayIdleRssMiB,
    ...measured,
    inspector,
    targets: checkTargets(measured),
    warnings: spreadWarnings(measured),
  };
}

let cleaned: Promise<void> | undefined;
/** Stops what is still running and removes the work directory; once. */
function cleanUp(): Promise<void> {
  cleaned ??= (async () => {
    for (const service of running.reverse()) await service.stop().catch((error: unknown) => log(`stopping: ${String(error)}`));
    await rm(workDir, { recursive: true, force: true });
  })();
  return cleaned;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  const results = await main();
  const markdown = renderMarkdown(results);
  await mkdir(resultsDir, { recursive: true });
  await writeFile(join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(resultsDir, 'latest.md'), markdown);
  if (!quick && sections.size === ALL_SECTIONS.length && failures.length === 0) await updateReadme(markdown);
  process.stdout.write(`${markdown}\n`);
  log(`results: bench/results/latest.json and latest.md`);
  if (failures.length > 0) {
    log(`${failures.length} section(s) failed:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
} finally {
  await cleanUp();
}

import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestIdentity } from '../../test/helpers/tokens.ts';
import { startChild, type RunningChild } from './child.ts';
import { freePort } from './ports.ts';
import type { BenchStore } from './stores.ts';

const PROJECT = fileURLToPath(new URL('../../', import.meta.url));
/** What `npm start` runs: the esbuild bundle of src/hosts/node.ts. */
const BUILT_ENTRY = join(PROJECT, 'dist/node/hosts/node.mjs');
/** The sources through tsx, for the pass-through inspector's module hook. */
const SOURCE_ENTRY = join(PROJECT, 'src/hosts/node.ts');
const INSPECTION_OFF = fileURLToPath(new URL('./inspection-off.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export const DATA_CLASS = 'chat-transcript';
const MiB = 1024 * 1024;
/** Seals the S3 front door's session credentials; only this bench's gateways see it. */
const BENCH_SESSION_KEY = 'bench-session-key-that-is-at-least-32-bytes-long';

/** A policy with one UK/EU zone per store, told apart by the token's region claim. */
export function benchPolicy(identity: TestIdentity, stores: readonly BenchStore[]): Record<string, unknown> {
  return {
    version: 1,
    auth: identity.authConfig({ file: './jwks.json' }),
    zones: Object.fromEntries(stores.map((store) => [`${store.name}-zone`, { jurisdictions: ['UK', 'EU'], regions: [store.region], store: store.name }])),
    stores: Object.fromEntries(stores.map((store) => [store.name, store.policyStore])),
    dataClasses: { [DATA_CLASS]: { retentionDays: 365 }, recording: { persist: false } },
    limits: { maxObjectBytes: 2048 * MiB, requestTimeoutMs: 600_000 },
  };
}

export interface GatewayProcess {
  url: string;
  /** The S3 front door, when asked for (`s3FrontDoor`). */
  s3Url?: string;
  pid: number;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  /** Names the policy file, so that several gateways can run from one work directory. */
  name?: string;
  /** Replace the media inspector with a pass-through (the "inspection off" baseline). */
  inspectionOff?: boolean;
  /** Write a V8 CPU profile of the gateway into this directory when it stops. */
  cpuProfileDir?: string;
  /** RESIDENCY_WORKERS: worker processes behind one primary (default 1, no primary). */
  workers?: number;
  /** Also serve the S3 front door (S3_PORT) with a bench-only session key. */
  s3FrontDoor?: boolean;
}

let built: Promise<void> | undefined;

/** `npm run build`, once per bench run. */
function buildOnce(): Promise<void> {
  built ??= new Promise((resolve, reject) => {
    execFile('npm', ['run', '-s', 'build'], { cwd: PROJECT }, (error, _stdout, stderr) =>
      error ? reject(new Error(`npm run build failed: ${stderr}`)) : resolve(),
    );
  });
  return built;
}

/**
 * Runs the gateway as its own process on a policy file, as `npm start` does
 * (the built bundle); its audit lines (stdout) are discarded. The "inspection
 * off" baseline runs the sources through tsx, where a module hook can swap
 * the inspector out.
 */
export async function startGateway(
  workDir: string,
  identity: TestIdentity,
  stores: readonly BenchStore[],
  options: GatewayOptions = {},
): Promise<GatewayProcess> {
  await writeFile(join(workDir, 'jwks.json'), JSON.stringify(identity.jwks));
  const policyPath = join(workDir, `policy-${options.name ?? 'gateway'}.json`);
  await writeFile(policyPath, JSON.stringify(benchPolicy(identity, stores), null, 2));
  if (!options.inspectionOff) await buildOnce();
  const args = [
    ...(options.inspectionOff ? ['--import', TSX, '--import', INSPECTION_OFF] : []),
    ...(options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : []),
    options.inspectionOff ? SOURCE_ENTRY : BUILT_ENTRY,
  ];
  // The gateway does not print where its S3 front door listens, so it is told a port that was free a moment ago.
  const s3Port = options.s3FrontDoor ? await freePort() : undefined;
  const env: NodeJS.ProcessEnv = {
    RESIDENCY_POLICY: policyPath,
    HOST: '127.0.0.1',
    PORT: '0',
    ...(options.workers !== undefined && { RESIDENCY_WORKERS: String(options.workers) }),
    ...(s3Port !== undefined && { S3_PORT: String(s3Port), RESIDENCY_SESSION_KEY: BENCH_SESSION_KEY }),
    ...Object.assign({}, ...stores.map((store) => store.gatewayEnv)),
  };
  const { child, match } = await startChild(process.execPath, args, { env, ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/, discardStdout: true });
  return {
    url: match![1]!,
    ...(s3Port !== undefined && { s3Url: `http://127.0.0.1:${s3Port}` }),
    pid: child.pid,
    stop: () => stopGracefully(child),
  };
}

async function stopGracefully(child: RunningChild): Promise<void> {
  // SIGTERM lets the gateway finish (and write its CPU profile, if any).
  await child.stop(30_000);
}

/** Resets the peak resident set size of a process (Linux: clear_refs 5). */
export async function resetPeakRss(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, '5');
}

async function statusMiB(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

/** The peak resident set size of a process since start or the last reset (VmHWM), in MiB. */
export const peakRssMiB = (pid: number) => statusMiB(pid, 'VmHWM');

/** The resident set size of a process now (VmRSS), in MiB. */
export const rssMiB = (pid: number) => statusMiB(pid, 'VmRSS');

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) one process has used so far, in seconds (Linux). */
export async function cpuSeconds(pid: number): Promise<number> {
  const fields = await statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** The fields of /proc/<pid>/stat after the command name (which is in parentheses and may hold spaces). */
async function statFields(pid: number): Promise<string[]> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The live processes whose parent is `pid`: a cluster primary's workers. */
async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = await statFields(Number(entry)).catch(() => undefined);
    if (fields && Number(fields[1]) === pid) children.push(Number(entry));
  }
  return children;
}

/**
 * CPU time (user + system) the gateway has used so far, in seconds (Linux):
 * the process and, with RESIDENCY_WORKERS, its live workers (a worker's time
 * reaches the primary's own counters only once it has exited).
 */
export async function gatewayCpuSeconds(pid: number): Promise<number> {
  const processes = [pid, ...(await childrenOf(pid))];
  const times = await Promise.all(processes.map((each) => cpuSeconds(each).catch(() => 0)));
  return times.reduce((sum, time) => sum + time, 0);
}

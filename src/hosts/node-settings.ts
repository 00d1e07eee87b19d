import { availableParallelism, totalmem } from 'node:os';
import { ConfigurationError } from './configuration-error.ts';

/** How the Node host runs: how many worker processes, how long they may finish, how much body each may hold. */
export interface NodeSettings {
  workers: number;
  shutdownGraceMs: number;
  /** Per process: request body bytes that may be held in memory at once (see src/service/body-budget.ts). */
  maxInflightBytes: number;
}

/** What the machine allows, as Node reports it (inside a container: the container's limits). */
export interface MachineLimits {
  /** CPUs this process may use: affinity, and the cgroup's cpu.max quota rounded down (libuv 1.49 and later). */
  parallelism: number;
  /** The cgroup's memory limit, or the machine's memory when there is none. */
  memoryBytes: number;
}

const MiB = 1024 * 1024;
/**
 * A worker's resident memory before any body it holds: the bundle loaded
 * (about 90 MiB once warm) and the heap the garbage collector lets grow under
 * streaming (about 55 MiB more with the first large upload). Measured with
 * bench/concurrent-uploads.ts on Node 24; docs/runtime.md has the numbers.
 */
export const WORKER_BASELINE_BYTES = 144 * MiB;
/** A worker is worth starting only with this much of the memory limit: its baseline plus room for a few uploads. */
export const WORKER_MEMORY_BYTES = 192 * MiB;
/** The cluster's primary, which loads no gateway module (about 50 MiB measured); there is none with one worker. */
export const PRIMARY_BYTES = 64 * MiB;
/** Never less than this for bodies, so that a small limit still admits one upload's buffers at a time. */
export const MIN_INFLIGHT_BYTES = 16 * MiB;
const MAX_WORKERS = 256;

export function machineLimits(): MachineLimits {
  const constrained = process.constrainedMemory();
  const total = totalmem();
  return { parallelism: availableParallelism(), memoryBytes: constrained > 0 && constrained < total ? constrained : total };
}

/**
 * Reads RESIDENCY_WORKERS, SHUTDOWN_GRACE_MS and RESIDENCY_MAX_INFLIGHT_BYTES.
 * Defaults: in production, one worker per usable CPU, as many as the memory
 * limit has room for beside the primary; in development, one process. What
 * is left of a worker's share of the memory limit (less the primary's) after
 * its baseline goes to bodies.
 */
export function nodeSettings(env: NodeJS.ProcessEnv, machine: MachineLimits = machineLimits()): NodeSettings {
  const errors: string[] = [];
  const read = (name: string, min: number, max: number): number | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    const value = Number(text);
    if (/^\d+$/.test(text) && value >= min && value <= max) return value;
    errors.push(`${name}: ${JSON.stringify(text)} is not a whole number from ${min} to ${max}`);
    return undefined;
  };
  const production = env.NODE_ENV === 'production';
  const workers =
    read('RESIDENCY_WORKERS', 1, MAX_WORKERS) ??
    (production ? Math.max(1, Math.min(machine.parallelism, Math.floor((machine.memoryBytes - PRIMARY_BYTES) / WORKER_MEMORY_BYTES))) : 1);
  const forWorkers = workers > 1 ? machine.memoryBytes - PRIMARY_BYTES : machine.memoryBytes;
  const shutdownGraceMs = read('SHUTDOWN_GRACE_MS', 0, 3_600_000) ?? 25_000;
  const maxInflightBytes =
    read('RESIDENCY_MAX_INFLIGHT_BYTES', 1, Number.MAX_SAFE_INTEGER) ?? Math.max(MIN_INFLIGHT_BYTES, Math.floor(forWorkers / workers - WORKER_BASELINE_BYTES));
  if (errors.length > 0) throw new ConfigurationError(errors);
  return { workers, shutdownGraceMs, maxInflightBytes };
}

import { randomUUID } from 'node:crypto';
import type { TestIdentity } from '../../test/helpers/tokens.ts';
import { smallDocument } from './documents.ts';
import { gatewayCpuSeconds, DATA_CLASS, type GatewayProcess } from './gateway.ts';
import type { LoadGenerator, LoadResult } from './load.ts';
import type { NginxProxy } from './nginx.ts';
import { SIGNING_REGION, sessionCredentials } from './s3-door.ts';
import { sha256Hex, signedHeaders, type SessionCredentials } from './sigv4-sign.ts';
import { summarize, type Summary } from './stats.ts';
import type { BenchStore, StoreName } from './stores.ts';

/** `gateway-s3`: the gateway's S3 front door (S3_PORT), requests signed with SigV4. */
export type Route = 'direct' | 'nginx' | 'gateway' | 'gateway-s3';
export type Operation = 'PUT' | 'GET';

export interface SmallCase {
  store: StoreName;
  operation: Operation;
  connections: number;
  route: Route;
  rps: Summary;
  /** Latency percentiles in ms: the median (min, max) of each run's percentile; null when no request completed. */
  p50: Summary | null;
  p90: Summary | null;
  p99: Summary | null;
  /** Gateway only: CPU time its process spent per request, ms (robust on a busy machine, unlike wall-clock rates). */
  cpuMsPerRequest?: Summary;
  requests: number;
  failures: number;
  firstFailure?: string;
}

export interface SmallOptions {
  objectBytes: number;
  connections: number[];
  seconds: number;
  runs: number;
  warmupSeconds: number;
}

export interface SmallContext {
  stores: readonly BenchStore[];
  /** Stores also measured through the S3 front door (the gateway must serve it). */
  s3DoorStores: readonly StoreName[];
  nginx: NginxProxy | null;
  gateway: GatewayProcess;
  identity: TestIdentity;
  load: LoadGenerator;
  log(line: string): void;
}

interface Target {
  route: Route;
  origin: string;
  objectPath(key: string): string;
  putHeaders: Record<string, string>;
  /** Fresh tokens, one per connection; none for the store itself. */
  tokens?(count: number): Promise<string[]>;
  /** S3 front door: session credentials for each fresh token, one per connection. */
  s3Credentials?(tokens: string[]): Promise<SessionCredentials[]>;
  /** The process whose CPU time is measured per request. */
  cpuPid?: number;
}

interface RunResult extends LoadResult {
  cpuMsPerRequest?: number;
}

const PUT_KEY = 'small/c{c}/k{n}';
const GET_KEY = 'small/read-me';
/** Keys per connection, reused in turn: bounded space, and never two writes to one key at once. */
const KEY_SPACE = 500;

function targetsFor(store: BenchStore, context: SmallContext): Target[] {
  const direct: Target = { route: 'direct', origin: store.origin, objectPath: store.directPath, putHeaders: store.directPutHeaders };
  const nginxOrigin = context.nginx?.origins[store.name];
  const gateway: Target = {
    route: 'gateway',
    origin: context.gateway.url,
    objectPath: (key) => `/v1/objects/${DATA_CLASS}/${key}`,
    putHeaders: {},
    cpuPid: context.gateway.pid,
    tokens: (count) =>
      Promise.all(
        Array.from({ length: count }, (_, i) =>
          context.identity.sign({ account_id: 'bench', account_region: store.region, sub: `bench-service-${i}`, jti: randomUUID() }),
        ),
      ),
  };
  const s3Url = context.gateway.s3Url;
  const s3Door: Target[] =
    s3Url && context.s3DoorStores.includes(store.name)
      ? [
          {
            ...gateway,
            route: 'gateway-s3',
            origin: s3Url,
            objectPath: (key) => `/${DATA_CLASS}/${key}`,
            s3Credentials: (tokens) => Promise.all(tokens.map((token) => sessionCredentials(s3Url, token))),
          },
        ]
      : [];
  return [direct, ...(nginxOrigin ? [{ ...direct, route: 'nginx' as const, origin: nginxOrigin }] : []), gateway, ...s3Door];
}

async function runOnce(context: SmallContext, target: Target, operation: Operation, connections: number, seconds: number, body: string): Promise<RunResult> {
  const tokens = await target.tokens?.(connections);
  const credentials = tokens && (await target.s3Credentials?.(tokens));
  const cpuBefore = target.cpuPid === undefined ? undefined : await gatewayCpuSeconds(target.cpuPid);
  const result = await context.load.run({
    origin: target.origin,
    method: operation,
    path: target.objectPath(operation === 'PUT' ? PUT_KEY : GET_KEY),
    keySpace: KEY_SPACE,
    headers: operation === 'PUT' ? { 'content-type': 'application/json', ...target.putHeaders } : {},
    ...(operation === 'PUT' && { body }),
    ...(credentials ? { s3: { region: SIGNING_REGION, credentials } } : tokens && { tokens }),
    connections,
    seconds,
    expect: operation === 'PUT' ? [200, 201] : [200],
  });
  if (cpuBefore === undefined || result.requests === 0) return result;
  return { ...result, cpuMsPerRequest: (((await gatewayCpuSeconds(target.cpuPid!)) - cpuBefore) * 1000) / result.requests };
}

/** Writes the object the GET runs read, through the target itself. */
async function seed(target: Target, body: string): Promise<void> {
  const tokens = await target.tokens?.(1);
  const [credentials] = (tokens && (await target.s3Credentials?.(tokens))) ?? [];
  const url = new URL(`${target.origin}${target.objectPath(GET_KEY)}`);
  const contentType = 'application/json';
  const authorization = credentials
    ? signedHeaders({
        method: 'PUT',
        host: url.host,
        path: url.pathname,
        payloadHash: sha256Hex(body),
        contentType,
        region: SIGNING_REGION,
        credentials,
        now: new Date(),
      })
    : tokens && { authorization: `Bearer ${tokens[0]}` };
  const response = await fetch(url, { method: 'PUT', headers: { 'content-type': contentType, ...target.putHeaders, ...authorization }, body });
  if (!response.ok) throw new Error(`seeding ${target.route} ${target.origin}: ${response.status} ${await response.text()}`);
}

/** The runs that measured something; null when none did. */
function summarizeSome(values: Array<number | null>): Summary | null {
  const measured = values.filter((value) => value !== null);
  return measured.length > 0 ? summarize(measured) : null;
}

function toCase(store: StoreName, operation: Operation, connections: number, route: Route, runs: RunResult[]): SmallCase {
  const failures = runs.reduce((sum, run) => sum + run.failures, 0);
  const firstFailure = runs.find((run) => run.firstFailure)?.firstFailure;
  const cpu = runs.flatMap((run) => (run.cpuMsPerRequest === undefined ? [] : [run.cpuMsPerRequest]));
  return {
    store,
    operation,
    connections,
    route,
    rps: summarize(runs.map((run) => run.rps)),
    p50: summarizeSome(runs.map((run) => run.p50)),
    p90: summarizeSome(runs.map((run) => run.p90)),
    p99: summarizeSome(runs.map((run) => run.p99)),
    ...(cpu.length > 0 && { cpuMsPerRequest: summarize(cpu) }),
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    failures,
    ...(firstFailure !== undefined && { firstFailure }),
  };
}

/**
 * 4 KiB PUTs and GETs at each concurrency, direct, through nginx and through
 * the gateway. The routes take turns run by run, so that a change in the
 * machine's load affects all of them alike.
 */
export async function benchSmall(context: SmallContext, options: SmallOptions): Promise<SmallCase[]> {
  const body = smallDocument(options.objectBytes);
  const cases: SmallCase[] = [];
  for (const store of context.stores) {
    const targets = targetsFor(store, context);
    for (const target of targets) {
      await seed(target, body);
      await runOnce(context, target, 'PUT', 16, options.warmupSeconds, body);
    }
    for (const operation of ['PUT', 'GET'] as const) {
      for (const connections of options.connections) {
        const runs = new Map<Route, RunResult[]>(targets.map((target) => [target.route, []]));
        for (let run = 0; run < options.runs; run++) {
          for (const target of targets) runs.get(target.route)!.push(await runOnce(context, target, operation, connections, options.seconds, body));
        }
        for (const [route, results] of runs) {
          const measured = toCase(store.name, operation, connections, route, results);
          cases.push(measured);
          context.log(
            `small ${store.name} ${operation} c=${connections} ${route}: ${measured.rps.median.toFixed(0)} req/s, p50 ${measured.p50?.median.toFixed(2)} ms, p99 ${measured.p99?.median.toFixed(2)} ms${measured.cpuMsPerRequest ? `, ${measured.cpuMsPerRequest.median.toFixed(3)} CPU ms/request` : ''}${measured.failures ? `, ${measured.failures} FAILED (${measured.firstFailure})` : ''}`,
          );
        }
      }
    }
  }
  return cases;
}

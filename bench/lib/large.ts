import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import type { TestIdentity } from '../../test/helpers/tokens.ts';
import { largeDocument, type LargeDocument } from './documents.ts';
import { DATA_CLASS, peakRssMiB, resetPeakRss, type GatewayProcess } from './gateway.ts';
import type { NginxProxy } from './nginx.ts';
import type { Route } from './small.ts';
import { summarize, type Summary } from './stats.ts';
import type { BenchStore, StoreName } from './stores.ts';

export interface LargeCase {
  store: StoreName;
  route: Route;
  operation: 'PUT' | 'GET';
  bytes: number;
  /** Decimal megabytes per second, body bytes only. */
  mbps: Summary;
  /** The gateway process's peak RSS during the transfer, MiB (gateway route only). */
  peakRssMiB?: Summary;
}

export interface LargeContext {
  stores: readonly BenchStore[];
  nginx: NginxProxy | null;
  gateway: GatewayProcess;
  identity: TestIdentity;
  log(line: string): void;
}

export interface LargeOptions {
  /** Object size for each store. */
  bytes: Partial<Record<StoreName, number>>;
  runs: number;
}

interface Endpoint {
  route: Route;
  url: string;
  headers: Record<string, string>;
}

function bodyText(response: IncomingMessage): Promise<string> {
  response.setEncoding('utf8');
  let text = '';
  response.on('data', (chunk: string) => (text = (text + chunk).slice(0, 2000)));
  return once(response, 'end').then(() => text);
}

/** Streams the document up (never held whole) and resolves with the seconds until the store's answer ends. */
export async function putDocument(endpoint: Endpoint, document: LargeDocument): Promise<number> {
  const started = performance.now();
  const outgoing = request(endpoint.url, {
    method: 'PUT',
    headers: { ...endpoint.headers, 'content-type': 'application/json', 'content-length': String(document.bytes) },
  });
  const answered = new Promise<void>((resolve, reject) => {
    outgoing.once('error', reject);
    outgoing.once('response', (response) => {
      void bodyText(response).then((text) => {
        const status = response.statusCode ?? 0;
        if (status === 200 || status === 201) resolve();
        else reject(new Error(`PUT ${endpoint.route}: ${status} ${text}`));
      }, reject);
    });
  });
  for (const chunk of document.chunks()) {
    if (!outgoing.write(chunk)) await Promise.race([once(outgoing, 'drain'), answered]);
  }
  outgoing.end();
  await answered;
  return (performance.now() - started) / 1000;
}

/** Reads the object back, hashing it on the way, and resolves with the seconds taken once the hash matches. */
export async function getDocument(endpoint: Endpoint, document: LargeDocument): Promise<number> {
  const started = performance.now();
  const outgoing = request(endpoint.url, { headers: endpoint.headers });
  outgoing.end();
  const [response] = (await once(outgoing, 'response')) as [IncomingMessage];
  if (response.statusCode !== 200) throw new Error(`GET ${endpoint.route}: ${response.statusCode} ${await bodyText(response)}`);
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of response) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  const seconds = (performance.now() - started) / 1000;
  if (bytes !== document.bytes || hash.digest('hex') !== document.sha256()) {
    throw new Error(`GET ${endpoint.route}: the object read back (${bytes} bytes) is not the one written (${document.bytes} bytes): checksum mismatch`);
  }
  return seconds;
}

async function endpointsFor(store: BenchStore, context: LargeContext): Promise<Endpoint[]> {
  const key = (route: Route) => `large/${route}-object`;
  // Valid for an hour: a slow store's runs can outlast the default ten minutes.
  const token = await context.identity.sign({
    account_id: 'bench',
    account_region: store.region,
    sub: 'bench-large',
    exp: Math.floor(Date.now() / 1000) + 3_600,
  });
  const nginxOrigin = context.nginx?.origins[store.name];
  return [
    { route: 'direct', url: `${store.origin}${store.directPath(key('direct'))}`, headers: store.directPutHeaders },
    ...(nginxOrigin ? [{ route: 'nginx' as const, url: `${nginxOrigin}${store.directPath(key('nginx'))}`, headers: store.directPutHeaders }] : []),
    { route: 'gateway', url: `${context.gateway.url}/v1/objects/${DATA_CLASS}/${key('gateway')}`, headers: { authorization: `Bearer ${token}` } },
  ];
}

/**
 * One large object per store, PUT then GET (checksum verified) on each route
 * in turn, for each run. For the gateway, the peak RSS of its process is
 * reset before and read after each transfer.
 */
export async function benchLarge(context: LargeContext, options: LargeOptions): Promise<LargeCase[]> {
  const cases: LargeCase[] = [];
  for (const store of context.stores) {
    const bytes = options.bytes[store.name];
    if (bytes === undefined) continue;
    const document = largeDocument(bytes);
    document.sha256();
    const endpoints = await endpointsFor(store, context);
    const measured = new Map<string, { seconds: number[]; rss: number[] }>();
    const record = (route: Route, operation: string, seconds: number, rss?: number) => {
      const entry = measured.get(`${route} ${operation}`) ?? { seconds: [], rss: [] };
      entry.seconds.push(seconds);
      if (rss !== undefined) entry.rss.push(rss);
      measured.set(`${route} ${operation}`, entry);
    };
    for (let run = 0; run < options.runs; run++) {
      for (const endpoint of endpoints) {
        for (const operation of ['PUT', 'GET'] as const) {
          const gateway = endpoint.route === 'gateway';
          if (gateway) await resetPeakRss(context.gateway.pid);
          const seconds = operation === 'PUT' ? await putDocument(endpoint, document) : await getDocument(endpoint, document);
          record(endpoint.route, operation, seconds, gateway ? await peakRssMiB(context.gateway.pid) : undefined);
          context.log(`large ${store.name} ${operation} ${endpoint.route} run ${run + 1}: ${(bytes / 1e6 / seconds).toFixed(0)} MB/s`);
        }
      }
    }
    for (const endpoint of endpoints) {
      for (const operation of ['PUT', 'GET'] as const) {
        const { seconds, rss } = measured.get(`${endpoint.route} ${operation}`)!;
        cases.push({
          store: store.name,
          route: endpoint.route,
          operation,
          bytes,
          mbps: summarize(seconds.map((s) => bytes / 1e6 / s)),
          ...(rss.length > 0 && { peakRssMiB: summarize(rss) }),
        });
      }
    }
  }
  return cases;
}

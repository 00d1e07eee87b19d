import { getRequestListener, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import type { Hono } from 'hono';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { resolve } from 'node:path';
import type { ObjectStore } from '../adapters/types.ts';
import { nodeKekOpener } from '../crypto/kek-node.ts';
import { openZoneEncryptions, type OpenedEncryption } from '../crypto/zone-keys.ts';
import type { CompiledPolicy } from '../policy/load.ts';
import type { JwksConfig } from '../policy/schema.ts';
import { createApp } from '../http/app.ts';
import { createS3App } from '../http/s3/app.ts';
import { PROBLEM_CONTENT_TYPE, problemOf, problemResponse } from '../http/problem.ts';
import { requestIdFrom } from '../http/request-id.ts';
import { Refusal } from '../policy/refusal.ts';
import { jsonLinesAudit, type AuditSink } from '../service/audit.ts';
import type { GatewayDeps, GatewayEnv, RuntimeHooks } from '../http/context.ts';
import { assembleGateway } from './assemble.ts';
import { ConfigurationError } from './configuration-error.ts';
import { readNodePolicy } from './node-policy.ts';
import { nodeRequestBody } from './node-body.ts';
import { nodeIdentifierHasher } from './node-hasher.ts';
import { answerRequestTimeout, requestTimeoutOptions } from './node-request-timeout.ts';
import { BodyBudget } from '../service/body-budget.ts';
import { nodeSettings } from './node-settings.ts';
import { openNodeStores } from './node-stores.ts';
import type { NodeTelemetry } from './node-telemetry.ts';
import { provenKeyStores } from './proven-key-stores.ts';
import { sessionSecret } from './session-secret.ts';

export interface NodeGatewayOptions {
  /** Path of the policy file; absent: the embedded development policy. */
  policyPath?: string;
  env: NodeJS.ProcessEnv;
  host: string;
  port: number;
  audit?: AuditSink;
  /** Logs, process metrics and tracing of this process (hosts/node-telemetry.ts); stopped with the gateway. */
  telemetry?: NodeTelemetry;
}

export interface RunningGateway extends Listening {
  policy: CompiledPolicy;
  development: boolean;
  deps: GatewayDeps;
  /** The S3 front door, when it listens (S3_PORT; in development by default). */
  s3Url?: string;
}

const STORE_CHECK_INTERVAL_MS = 60_000;

/** What one streamed upload holds in memory at most: the body's read-ahead and its store's buffers (S3 parts or Azure blocks in flight). */
const PER_UPLOAD_BUFFER_BYTES = 16 * 1024 * 1024;

export async function startNodeGateway(options: NodeGatewayOptions): Promise<RunningGateway> {
  const { policy, baseDir, development } = await readNodePolicy(options.policyPath, options.env);
  // The data stores and the zones' key stores, which only the encryption uses.
  const stores = await openNodeStores(policy, baseDir, options.env);
  const keys = await openNodeEncryption(policy, stores, baseDir, options.env);
  await removeDeadWrites(stores, policy.document.limits.requestTimeoutMs);
  const closeStores = async () => {
    await Promise.all([...stores.values()].map((store) => store.close?.()));
    await keys.close();
  };
  try {
    const deps = await assembleGateway({
      policy,
      stores,
      encryption: keys.zones,
      jwks: await resolveJwks(policy.document.auth.jwks, baseDir),
      audit: options.audit ?? jsonLinesAudit((line) => process.stdout.write(line)),
      hashIdentifier: nodeIdentifierHasher(hashSecret(options.env)),
      md5: () => createHash('md5'),
      runtime: nodeRuntime,
      ...(options.telemetry && { metricsCollectors: options.telemetry.metricsCollectors }),
      bodyBudget: new BodyBudget(nodeSettings(options.env).maxInflightBytes, PER_UPLOAD_BUFFER_BYTES),
    });
    const s3Port = s3PortOf(options.env, options.port, development);
    const secret = s3Port === undefined ? undefined : await sessionSecret(options.env, development);
    const listening = await serveGateway(deps, options.host, options.port);
    const s3 =
      s3Port === undefined || secret === undefined
        ? undefined
        : await serveApp(createS3App(deps, { sessionSecret: secret }), deps, options.host, s3Port).catch(async (error: unknown) => {
            await listening.stop(0, { keepStores: true });
            throw error;
          });
    const listeners = s3 ? [listening, s3] : [listening];
    return {
      ...listening,
      ...(s3 && { s3Url: s3.url }),
      policy,
      development,
      deps,
      async stop(graceMs) {
        await Promise.all(listeners.map((listener) => listener.stop(graceMs, { keepStores: true })));
        await closeStores();
        await options.telemetry?.stop();
      },
    };
  } catch (error) {
    await closeStores();
    throw error;
  }
}

/**
 * What writes that died (SIGKILL, a crash) left in the stores: temporary
 * files, unfinished multipart uploads. Anything idle for longer than a
 * request may take is dead; a live write of another instance is younger.
 */
async function removeDeadWrites(stores: ReadonlyMap<string, ObjectStore>, requestTimeoutMs: number): Promise<void> {
  const idleSince = new Date(Date.now() - requestTimeoutMs);
  await Promise.all(
    [...stores].map(([name, store]) =>
      // A store that cannot be reached now keeps its leftovers for the sweep; its zone's readiness says the rest.
      store
        .removeIncomplete?.(idleSince)
        .catch((error: unknown) => process.stderr.write(`residency-proxy: store ${name}: leftovers of dead writes not removed: ${String(error)}\n`)),
    ),
  );
}

/** Opens the key-encryption keys of the zones with `encryption`, over their key stores (opened with the data stores). */
async function openNodeEncryption(
  policy: CompiledPolicy,
  stores: ReadonlyMap<string, ObjectStore>,
  baseDir: string,
  env: NodeJS.ProcessEnv,
): Promise<OpenedEncryption> {
  const production = env.NODE_ENV === 'production';
  try {
    return await openZoneEncryptions(
      policy,
      provenKeyStores(policy, stores),
      nodeKekOpener({ baseDir, env, production, log: (message) => process.stderr.write(`residency-proxy: ${message}\n`) }),
    );
  } catch (error) {
    await Promise.all([...stores.values()].map((store) => store.close?.()));
    throw new ConfigurationError([error instanceof Error ? error.message : String(error)]);
  }
}

/** `S3_PORT`; unset: off, except in development, where the S3 front door listens on the port after PORT (8788). */
function s3PortOf(env: NodeJS.ProcessEnv, port: number, development: boolean): number | undefined {
  const configured = env.S3_PORT;
  if (configured === undefined || configured === '') return development ? (port === 0 ? 0 : port + 1) : undefined;
  if (!/^\d{1,5}$/.test(configured) || Number(configured) > 65_535) throw new ConfigurationError([`S3_PORT: not a port number: ${configured}`]);
  return Number(configured);
}

export interface Listening {
  url: string;
  server: Server;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts the rest off and closes the stores (unless `keepStores`: another listener shares them). */
  stop(graceMs?: number, options?: { keepStores?: boolean }): Promise<void>;
}

/** Serves the gateway's `/v1` app on Node until `stop`. */
export function serveGateway(deps: GatewayDeps, host: string, port: number): Promise<Listening> {
  return serveApp(createApp(deps), deps, host, port);
}

/**
 * Node's `flushHeaders` sends the header block as UTF-8 (it sends it as a
 * string without an encoding), where every other path sends one byte per
 * character: a header byte above 0x7f, such as the UTF-8 of a user metadata
 * value, would go out encoded twice. hono flushes the headers before it
 * streams a body; this flush sends them as every other path does.
 */
function flushHeadersAsBytes(response: ServerResponse): void {
  const internals = response as unknown as { _header: string | null; _implicitHeader(): void; _send(data: string, encoding: BufferEncoding): boolean };
  response.flushHeaders = () => {
    if (!internals._header) internals._implicitHeader();
    internals._send('', 'latin1');
  };
}

/** Serves one front door's app on Node until `stop`. */
export async function serveApp(app: Hono<GatewayEnv>, deps: GatewayDeps, host: string, port: number): Promise<Listening> {
  // Handlers still running (a write cleaning up after its client was cut off) are awaited before stores close.
  const handlers = new Set<Promise<unknown>>();
  const fetchCallback = (request: Request, env: HttpBindings | Http2Bindings) => {
    const handled = Promise.resolve(app.fetch(request, env));
    handlers.add(handled);
    void handled.finally(() => handlers.delete(handled)).catch(() => {});
    return handled;
  };
  const listener = getRequestListener(fetchCallback, {
    // Requests that cannot become a Request (a raw backslash in the path, a bad Host) still get problem+json.
    errorHandler: (error) =>
      problemResponse(
        new Refusal('bad_request', `the request cannot be read: ${error instanceof Error ? error.message : 'malformed'}`),
        requestIdFrom(undefined),
        { connection: 'close' },
      ),
  });
  const server = createServer(requestTimeoutOptions(deps.policy.document.limits.requestTimeoutMs), (incoming, outgoing) => {
    flushHeadersAsBytes(outgoing);
    return listener(incoming, outgoing);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!answerRequestTimeout(error, socket)) answerUnparsable(error, socket);
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen());
  });
  const storeChecks = setInterval(() => void deps.stores.verify(), STORE_CHECK_INTERVAL_MS);
  storeChecks.unref();
  const address = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${address.port}`,
    server,
    async stop(graceMs = 25_000, { keepStores = false } = {}) {
      clearInterval(storeChecks);
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await Promise.allSettled([...handlers]);
      if (!keepStores) await deps.stores.close();
    },
  };
}

/** A `{ file }` JWKS is read here, once, so that the authenticator itself stays free of Node I/O. */
async function resolveJwks(jwks: JwksConfig, baseDir: string): Promise<JwksConfig> {
  if (!('file' in jwks)) return jwks;
  const text = await readFile(resolve(baseDir, jwks.file), 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigurationError([`auth.jwks.file: cannot read ${jwks.file}: ${error.code ?? String(error)}`]);
  });
  try {
    const parsed = JSON.parse(text) as { keys?: unknown };
    if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error('no keys');
    return { keys: parsed.keys as Array<Record<string, unknown>> };
  } catch {
    throw new ConfigurationError([`auth.jwks.file: ${jwks.file} is not a JWKS ({"keys": [...]})`]);
  }
}

function hashSecret(env: NodeJS.ProcessEnv): Uint8Array | undefined {
  const secret = env.RESIDENCY_HASH_SECRET;
  return secret ? new TextEncoder().encode(secret) : undefined;
}

function incoming(c: { env: unknown }): IncomingMessage {
  return (c.env as HttpBindings).incoming;
}

/** @hono/node-server merges repeated headers and normalises the URL; the raw request has the truth. */
export const nodeRuntime: RuntimeHooks = {
  headerValues(c, name) {
    const raw = incoming(c).rawHeaders;
    const values: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i]!.toLowerCase() === name) values.push(raw[i + 1]!);
    }
    return values;
  },
  requestBody(c, maxBytes) {
    return nodeRequestBody(incoming(c), maxBytes);
  },
  rawPath(c) {
    let url = incoming(c).url ?? '/';
    if (!url.startsWith('/')) {
      // absolute-form request target: http://host/path
      const pathStart = url.indexOf('/', url.indexOf('//') + 2);
      url = pathStart === -1 ? '/' : url.slice(pathStart);
    }
    const query = url.indexOf('?');
    return query === -1 ? url : url.slice(0, query);
  },
};

/**
 * A request Node's HTTP parser rejects (a raw backslash or space in the path,
 * a malformed header) never reaches the app; it still gets a problem+json
 * answer, and the connection is closed since its framing cannot be trusted.
 */
function answerUnparsable(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || ('_httpMessage' in socket && socket._httpMessage)) {
    socket.destroy();
    return;
  }
  // Headers past Node's limit keep the status HTTP has for them; the code stays the one DESIGN names.
  const [status, reason] = error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
  const refusal = new Refusal('bad_request', `the request could not be parsed as HTTP/1.1 (${error.code ?? 'parse error'})`);
  const body = JSON.stringify({ ...problemOf(refusal, requestIdFrom(undefined)), status });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

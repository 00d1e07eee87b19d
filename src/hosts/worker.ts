import type { ExecutionContext, Hono } from 'hono';
import { AsyncLocalStorage } from 'node:async_hooks';
import { edgeEncryptionErrors } from '../crypto/edge-support.ts';
import { localKek } from '../crypto/local-kek.ts';
import { edgeKekOpener, openZoneEncryptions } from '../crypto/zone-keys.ts';
import { createIdentifierHasher } from '../policy/identifiers.ts';
import { loadPolicy, type CompiledPolicy, type PolicyLoad } from '../policy/load.ts';
import { Refusal } from '../policy/refusal.ts';
import { MIN_SESSION_SECRET_BYTES } from '../auth/session/keys.ts';
import { createApp } from '../http/app.ts';
import { createS3App } from '../http/s3/app.ts';
import { jsonLinesAudit } from '../service/audit.ts';
import { standardRuntime, type GatewayEnv } from '../http/context.ts';
import { problemResponse } from '../http/problem.ts';
import { requestIdFrom } from '../http/request-id.ts';
import type { StoreRegistry } from '../service/stores.ts';
import { assembleGateway } from './assemble.ts';
import { openEdgeStores } from './worker-stores.ts';
import { provenKeyStores } from './proven-key-stores.ts';
import { unsupportedStores } from './store-kinds.ts';
import type { Tracing } from '../service/tracing-setup.ts';
import { ConfigurationError } from './configuration-error.ts';
import { startWorkerTelemetry } from './worker-telemetry.ts';

/**
 * The gateway on Cloudflare Workers: the same hono app as on Node, built from
 * the policy in the `RESIDENCY_POLICY` variable (wrangler.toml `[vars]`, the
 * policy's YAML or JSON text) and the stores from the Worker's bindings.
 */

/** The Worker's environment: `[vars]`, secrets and bindings, untyped until checked. */
export type WorkerEnv = Readonly<Record<string, unknown>>;

const STORE_CHECK_INTERVAL_MS = 60_000;

/** The ExecutionContext of the request on whose behalf code runs (nodejs_compat provides AsyncLocalStorage). */
const requestContext = new AsyncLocalStorage<ExecutionContext>();

/**
 * fetch for the authenticator's JWKS downloads. Workers cancel whatever a
 * request started once its response is sent, unless the request waits for it.
 * A key refresh runs in the background of the request that finds the keys
 * past their max-age; cancelled, it would never complete, and keys the IdP
 * has withdrawn would stay trusted until maxStaleSeconds. So the request that
 * starts a download keeps running (waitUntil) until the answer has been read
 * or has failed.
 */
function fetchOutlivingRequest(input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> {
  const ctx = requestContext.getStore();
  const answered = fetch(input, init).then((response) => {
    if (!ctx || !response.body) return response;
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    ctx.waitUntil(response.body.pipeTo(writable).catch(() => {}));
    return new Response(readable, response);
  });
  ctx?.waitUntil(answered.catch(() => {}));
  return answered;
}

/**
 * Loads a policy for the edge: the policy file's rules, plus what Workers
 * cannot do (Azure, filesystem or memory stores, a JWKS file, PKCS#11 keys,
 * key files). A key store the edge cannot open is named by
 * edgeEncryptionErrors, as a key store, rather than twice.
 */
export function loadEdgePolicy(text: string): PolicyLoad {
  const loaded = loadPolicy(text);
  if (!loaded.ok) return loaded;
  const errors = [...unsupportedStores(loaded.policy, 'workers', loaded.policy.dataStores), ...edgeEncryptionErrors(loaded.policy)];
  if ('file' in loaded.policy.document.auth.jwks) {
    errors.push('auth.jwks.file: Workers have no filesystem; give the keys as auth.jwks.url or auth.jwks.keys');
  }
  return errors.length > 0 ? { ok: false, errors } : loaded;
}

interface EdgeGateway {
  app: Hono<GatewayEnv>;
  /** The S3 front door and the hostname it answers on (`RESIDENCY_S3_HOSTNAME`), when configured. */
  s3?: { hostname: string; app: Hono<GatewayEnv> };
  stores: StoreRegistry;
  storesCheckedAt: number;
  /** Spans to export after each request (Workers run nothing between requests); absent without an OTLP endpoint. */
  tracing?: Tracing;
}

/** `RESIDENCY_S3_HOSTNAME` and the `RESIDENCY_SESSION_KEY` secret that seals its session credentials; both or neither. */
function readS3Settings(env: WorkerEnv): { hostname: string; sessionSecret: string } | undefined {
  const hostname = env.RESIDENCY_S3_HOSTNAME;
  if (hostname === undefined || hostname === '') return undefined;
  const sessionSecret = env.RESIDENCY_SESSION_KEY;
  if (typeof hostname !== 'string' || !/^[a-z0-9.-]{1,253}$/i.test(hostname)) {
    throw new ConfigurationError(['RESIDENCY_S3_HOSTNAME: a hostname, such as s3.residency.example.com']);
  }
  if (typeof sessionSecret !== 'string' || new TextEncoder().encode(sessionSecret).length < MIN_SESSION_SECRET_BYTES) {
    throw new ConfigurationError([
      `RESIDENCY_SESSION_KEY: the S3 front door needs this secret (at least ${MIN_SESSION_SECRET_BYTES} bytes; wrangler secret put RESIDENCY_SESSION_KEY)`,
    ]);
  }
  return { hostname: hostname.toLowerCase(), sessionSecret };
}

function readPolicy(env: WorkerEnv): CompiledPolicy {
  const text = env.RESIDENCY_POLICY;
  if (typeof text !== 'string' || text.trim() === '') {
    throw new ConfigurationError(['RESIDENCY_POLICY: not set; put the policy (YAML or JSON text) in wrangler.toml [vars]']);
  }
  const loaded = loadEdgePolicy(text);
  if (!loaded.ok) throw new ConfigurationError(loaded.errors.map((error) => `RESIDENCY_POLICY: ${error}`));
  return loaded.policy;
}

async function buildGateway(env: WorkerEnv): Promise<EdgeGateway> {
  const tracing = startWorkerTelemetry(env, fetchOutlivingRequest);
  const policy = readPolicy(env);
  const s3 = readS3Settings(env);
  const opened = await openEdgeStores(policy, env);
  if (!opened.ok) throw new ConfigurationError(opened.errors);
  const secret = env.RESIDENCY_HASH_SECRET;
  // Key stores are opened with the data stores (and prove their location like them); an isolate keeps its keys open for its life (a local KEK holds no session).
  const keys = await openZoneEncryptions(policy, provenKeyStores(policy, opened.stores), edgeKekOpener(env, localKek)).catch((error: unknown) => {
    throw new ConfigurationError([error instanceof Error ? error.message : String(error)]);
  });
  // S3 stores prove their location (in assembleGateway) before they take writes.
  const deps = await assembleGateway({
    policy,
    stores: opened.stores,
    encryption: keys.zones,
    authenticatorOptions: { fetch: fetchOutlivingRequest },
    audit: jsonLinesAudit((line) => console.log(line.trimEnd())),
    hashIdentifier: await createIdentifierHasher(typeof secret === 'string' && secret ? new TextEncoder().encode(secret) : undefined),
    runtime: standardRuntime,
  });
  return {
    app: createApp(deps),
    ...(s3 && { s3: { hostname: s3.hostname, app: createS3App(deps, { sessionSecret: s3.sessionSecret }) } }),
    stores: deps.stores,
    storesCheckedAt: Date.now(),
    ...(tracing && { tracing }),
  };
}

/**
 * This isolate's gateway. Bindings arrive with the first request, so it is
 * built then, once, and shared by every later request of the isolate: the
 * JWKS cache, the verified-token cache and the metrics live in it. A
 * configuration error is kept too: the configuration cannot change within an
 * isolate (a new deployment starts new isolates).
 */
let gateway: Promise<EdgeGateway> | undefined;

/** Probes the stores again once a minute, in the background of a request (Workers have no timers between requests). */
function keepStoresChecked(built: EdgeGateway, ctx: ExecutionContext): void {
  const now = Date.now();
  if (now - built.storesCheckedAt < STORE_CHECK_INTERVAL_MS) return;
  built.storesCheckedAt = now;
  ctx.waitUntil(built.stores.verify());
}

/** Every request of a misconfigured Worker: refused, with the reasons in the Worker's log rather than in the answer. */
function misconfigured(error: unknown, request: Request): Response {
  const errors = error instanceof ConfigurationError ? error.errors : [String(error)];
  console.error(JSON.stringify({ type: 'configuration_error', errors }));
  const refusal = new Refusal('internal_error', 'the gateway is not configured correctly; the Worker log lists the errors');
  return problemResponse(refusal, requestIdFrom(request.headers.get('x-request-id') ?? undefined));
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    if (!gateway) {
      gateway = buildGateway(env);
      // Requests arriving meanwhile wait for this build: it must finish even if its own client goes away.
      ctx.waitUntil(gateway.catch(() => {}));
    }
    let built: EdgeGateway;
    try {
      built = await gateway;
    } catch (error) {
      return misconfigured(error, request);
    }
    keepStoresChecked(built, ctx);
    const app = built.s3 && new URL(request.url).hostname.toLowerCase() === built.s3.hostname ? built.s3.app : built.app;
    const response = await requestContext.run(ctx, () => app.fetch(request, env, ctx));
    if (built.tracing) ctx.waitUntil(built.tracing.flush());
    return response;
  },
};

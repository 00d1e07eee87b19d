import type { Context } from 'hono';
import type { IdentifierHasher } from '../policy/identifiers.ts';
import type { DecoderFactory } from '../media/inspect.ts';
import type { CompiledPolicy } from '../policy/load.ts';
import type { Principal } from '../policy/principal.ts';
import type { AuditTrail, EndedRequest } from '../service/audit.ts';
import { emptyBody } from '../adapters/streams.ts';
import { limitBytes } from '../service/body.ts';
import type { Authenticator } from '../auth/authenticate.ts';
import type { Metrics } from '../service/metrics.ts';
import type { ObjectService, ObjectServiceDeps } from '../service/objects.ts';
import type { StoreRegistry } from '../service/stores.ts';

/**
 * What differs between Node and Workers at the HTTP edge. On Node the raw
 * request is reachable: @hono/node-server merges repeated headers into one
 * comma-joined value and normalises `..` segments out of the URL, and both
 * would hide what the gateway must refuse.
 */
export interface RuntimeHooks {
  /** Every value of a header as sent, one entry per occurrence. */
  headerValues(c: Context<GatewayEnv>, name: string): string[];
  /** The request path exactly as sent, still percent-encoded. */
  rawPath(c: Context<GatewayEnv>): string;
  /** The request body, erroring with `payload_too_large` once more than `maxBytes` have arrived. */
  requestBody(c: Context<GatewayEnv>, maxBytes: number): ReadableStream<Uint8Array>;
  /** Content-Encoding decoders the runtime has beyond its DecompressionStream (Node 20 has no `br` there). */
  decoders?: Readonly<Record<string, DecoderFactory>>;
}

export interface GatewayDeps {
  policy: CompiledPolicy;
  policyVersion: string;
  authenticator: Authenticator;
  stores: StoreRegistry;
  objects: ObjectService;
  /** Envelope encryption of the zones whose policy has `encryption`, by zone name: erasure destroys their data keys. */
  encryption?: ObjectServiceDeps['encryption'];
  /** Records how a request ended: the one audit path of every front door. */
  record: (ended: EndedRequest) => Promise<void>;
  metrics: Metrics;
  hashIdentifier: IdentifierHasher;
  runtime: RuntimeHooks;
  /** Milliseconds since the epoch. */
  now: () => number;
}

export interface GatewayEnv {
  Bindings: Record<string, unknown>;
  Variables: {
    requestId: string;
    startedAt: number;
    principal: Principal;
    /** What the request has learnt about itself, for its one audit record. */
    trail: AuditTrail;
  };
}

/** Header values as Workers and standard Fetch see them: repeated headers cannot be told apart there. */
export const standardRuntime: RuntimeHooks = {
  headerValues(c, name) {
    const value = c.req.raw.headers.get(name);
    return value === null ? [] : [value];
  },
  rawPath(c) {
    return new URL(c.req.url).pathname;
  },
  requestBody(c, maxBytes) {
    return (c.req.raw.body ?? emptyBody()).pipeThrough(limitBytes(maxBytes));
  },
};

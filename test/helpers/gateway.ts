import { createMemoryStore } from '../../src/adapters/memory.ts';
import type { ObjectStore } from '../../src/adapters/types.ts';
import { createIdentifierHasher } from '../../src/policy/identifiers.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import type { AuditEvent } from '../../src/service/audit.ts';
import type { GatewayDeps } from '../../src/http/context.ts';
import { nodeRuntime, serveGateway } from '../../src/hosts/node-server.ts';
import { assembleGateway } from '../../src/hosts/assemble.ts';
import type { BodyBudget } from '../../src/service/body-budget.ts';
import { createTestIdentity, type Claims, type SignOptions, type TestIdentity } from './tokens.ts';

/** A UK/EU zone and a US zone on two memory stores: the HTTP layer's test policy. */
export function memoryPolicy(): Record<string, any> {
  return {
    version: 1,
    auth: { issuer: 'set-by-harness', audience: 'set-by-harness', algorithms: ['ES256'], jwks: { keys: [{}] } },
    zones: {
      'uk-eu': { jurisdictions: ['UK', 'EU'], regions: ['GB', 'UK', 'EU', 'IE', 'FR', 'DE', 'NL'], store: 'london' },
      us: { jurisdictions: ['US'], regions: ['US'], store: 'virginia' },
    },
    stores: {
      london: { type: 'memory', jurisdiction: 'UK' },
      virginia: { type: 'memory', jurisdiction: 'US' },
    },
    dataClasses: {
      'chat-transcript': { retentionDays: 365 },
      'cobrowse-session': { retentionDays: 30 },
      'feedback-log': { retentionDays: 90, embeddedMedia: 'redact' },
      'technical-metadata': {},
      'cobrowse-screenshot': { persist: false },
      recording: { persist: false },
    },
    limits: { maxObjectBytes: 1024 * 1024 },
  };
}

export interface TestGateway {
  url: string;
  identity: TestIdentity;
  stores: Map<string, ObjectStore>;
  audit: AuditEvent[];
  deps: GatewayDeps;
  /** A token for the test identity; default claims account "acme", region "GB". */
  token(claims?: Claims, options?: SignOptions): Promise<string>;
  /** fetch against the gateway with a bearer token for `claims`. */
  as(claims: Claims, path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export interface TestGatewayOptions {
  policy?: Record<string, any>;
  stores?: Map<string, ObjectStore>;
  identity?: TestIdentity;
  now?: () => number;
  bodyBudget?: BodyBudget;
}

/** Starts the real gateway app on a Node server on 127.0.0.1, trusting a test identity's keys. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const identity = options.identity ?? (await createTestIdentity());
  const document = { ...(options.policy ?? memoryPolicy()) };
  document.auth = identity.authConfig();
  const loaded = loadPolicy(JSON.stringify(document));
  if (!loaded.ok) throw new Error(`test policy refused:\n${loaded.errors.join('\n')}`);
  const policy = loaded.policy;
  const stores = options.stores ?? new Map([...policy.zones.values()].map((zone) => [zone.storeName, createMemoryStore()]));
  const audit: AuditEvent[] = [];
  const deps = await assembleGateway({
    policy,
    stores,
    audit: (event) => audit.push(event),
    hashIdentifier: await createIdentifierHasher(new TextEncoder().encode('test-secret')),
    runtime: nodeRuntime,
    ...(options.now && { now: options.now }),
    ...(options.bodyBudget && { bodyBudget: options.bodyBudget }),
  });
  const listening = await serveGateway(deps, '127.0.0.1', 0);
  const token = (claims?: Claims, signOptions?: SignOptions) => identity.sign(claims, signOptions);
  return {
    url: listening.url,
    identity,
    stores,
    audit,
    deps,
    token,
    async as(claims, path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${await token(claims)}`);
      return fetch(`${listening.url}${path}`, { ...init, headers, ...(init.body instanceof ReadableStream && { duplex: 'half' }) } as RequestInit);
    },
    stop: () => listening.stop(1_000),
  };
}

/** Every key in a store, across pages. */
export async function allKeys(store: ObjectStore, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(prefix, { limit: 1000, ...(cursor && { cursor }) });
    keys.push(...page.items.map((item) => item.key));
    cursor = page.cursor;
  } while (cursor);
  return keys;
}

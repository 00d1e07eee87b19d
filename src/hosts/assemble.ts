import type { ObjectStore } from '../adapters/types.ts';
import type { ZoneEncryption } from '../crypto/zone-encryption.ts';
import { createAuthenticator, type AuthenticatorOptions } from '../auth/authenticate.ts';
import type { GatewayDeps, RuntimeHooks } from '../http/context.ts';
import type { IdentifierHasher } from '../policy/identifiers.ts';
import type { CompiledPolicy } from '../policy/load.ts';
import type { JwksConfig } from '../policy/schema.ts';
import { createAuditRecorder, type AuditSink } from '../service/audit.ts';
import { Metrics, type MetricsCollector } from '../service/metrics.ts';
import { ObjectService } from '../service/objects.ts';
import { StoreRegistry } from '../service/stores.ts';
import { tracedAuthenticator } from '../service/tracing-auth.ts';
import type { BodyBudget } from '../service/body-budget.ts';
import type { Md5Factory } from '../service/md5.ts';

/** What a host supplies: the parts that differ between Node, Workers and tests. */
export interface HostCapabilities {
  /** The process's budget of in-flight request body bytes (Node); absent: unbounded. */
  bodyBudget?: BodyBudget;
  policy: CompiledPolicy;
  /** The opened adapter of every store the policy's zones use, by store name. */
  stores: ReadonlyMap<string, ObjectStore>;
  /** The JWKS as the host resolved it (a `{ file }` JWKS is read by the Node host). */
  jwks?: JwksConfig;
  authenticatorOptions?: AuthenticatorOptions;
  audit: AuditSink;
  hashIdentifier: IdentifierHasher;
  /** The MD5 of S3's ETags: node:crypto's on Node; absent, the portable one (@noble/hashes, as on Workers). */
  md5?: Md5Factory;
  runtime: RuntimeHooks;
  now?: () => number;
  /** Runtime measurements for /metrics (process memory, CPU, event loop on Node). */
  metricsCollectors?: readonly MetricsCollector[];
  /** Envelope encryption of the zones whose policy has `encryption`, by zone name, with their keys opened by the host. */
  encryption?: ReadonlyMap<string, ZoneEncryption>;
}

/**
 * Builds the gateway's dependencies once, the same way on every host: the
 * store registry (with the stores' locations verified), the authenticator,
 * the object service (with the zones' encryption) and the audit recorder.
 */
export async function assembleGateway(host: HostCapabilities): Promise<GatewayDeps> {
  const { policy } = host;
  const now = host.now ?? Date.now;
  const metrics = new Metrics();
  for (const collector of host.metricsCollectors ?? []) metrics.register(collector);
  const stores = new StoreRegistry(policy, host.stores, metrics);
  await stores.verify();
  const { version } = policy;
  metrics.set('residency_policy_info', 'The loaded policy; version is a hash of the policy document.', { version }, 1);
  return {
    policy,
    policyVersion: version,
    authenticator: tracedAuthenticator(
      createAuthenticator({ ...policy.document.auth, jwks: host.jwks ?? policy.document.auth.jwks }, host.authenticatorOptions),
    ),
    stores,
    objects: new ObjectService({
      policy,
      stores,
      hashIdentifier: host.hashIdentifier,
      decoders: host.runtime.decoders,
      now,
      encryption: host.encryption,
      ...(host.bodyBudget && { bodyBudget: host.bodyBudget }),
      ...(host.md5 && { md5: host.md5 }),
    }),
    encryption: host.encryption,
    record: createAuditRecorder({
      sink: host.audit,
      metrics,
      hashIdentifier: host.hashIdentifier,
      hashIdentifiers: policy.document.audit.hashIdentifiers,
      policyVersion: version,
      now,
    }),
    metrics,
    hashIdentifier: host.hashIdentifier,
    runtime: host.runtime,
    now,
  };
}

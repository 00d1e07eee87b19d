import { isMediaRefusal } from '../media/inspect.ts';
import type { IdentifierHasher } from '../policy/identifiers.ts';
import type { Principal } from '../policy/principal.ts';
import type { ErrorCode, Refusal } from '../policy/refusal.ts';
import type { Metrics } from './metrics.ts';

export type FrontDoor = 'v1' | 's3';
export type Outcome = 'allowed' | 'refused' | 'failed';

/** One decision of the gateway. Keys and subject ids are hashed unless the policy says otherwise. */
export interface AuditEvent {
  time: string;
  requestId: string;
  /** Absent for events of the retention sweep, which no front door started. */
  frontDoor?: FrontDoor;
  /** The calling service, in clear: the token's `sub` (or client id). */
  caller?: string;
  action: string;
  outcome: Outcome;
  code?: ErrorCode;
  account?: string;
  zone?: string;
  store?: string;
  location?: string;
  dataClass?: string;
  key?: string;
  subject?: string;
  bytes?: number;
  redactions?: number;
  /** Values masked before storage, by kind. */
  masks?: Record<string, number>;
  /** What was refused as media, e.g. `image/PNG`. */
  media?: string;
  durationMs: number;
  policyVersion: string;
}

export type AuditSink = (event: AuditEvent) => void;

/**
 * What a request learns about itself as it runs: the front door names the
 * action, the service adds the zone, the data class, the bytes. Recorded once,
 * when the request has ended. `outcome` is set only by requests whose answer
 * is itself a verdict (explain); otherwise it follows from the refusal, if any.
 */
export type AuditTrail = Pick<AuditEvent, 'action'> &
  Partial<Pick<AuditEvent, 'outcome' | 'code' | 'zone' | 'store' | 'location' | 'dataClass' | 'key' | 'subject' | 'bytes' | 'redactions' | 'masks'>>;

/** Audit events as JSON lines, one per decision. */
export function jsonLinesAudit(write: (line: string) => void): AuditSink {
  return (event) => write(`${JSON.stringify({ type: 'audit', ...event })}\n`);
}

export interface AuditRecorderDeps {
  sink: AuditSink;
  metrics: Metrics;
  hashIdentifier: IdentifierHasher;
  hashIdentifiers: boolean;
  policyVersion: string;
  now: () => number;
}

export interface EndedRequest {
  requestId: string;
  frontDoor: FrontDoor;
  startedAt: number;
  principal?: Principal;
  trail: AuditTrail;
  /** Why the request was refused or failed; absent when it succeeded. */
  refusal?: Refusal;
}

/** The one place where a request's outcome becomes an audit event and a decision metric. */
export function createAuditRecorder(deps: AuditRecorderDeps): (ended: EndedRequest) => Promise<void> {
  const hash = (value: string | undefined) => (value !== undefined && deps.hashIdentifiers ? deps.hashIdentifier(value) : value);
  return async ({ requestId, frontDoor, startedAt, principal, trail, refusal }) => {
    const outcome: Outcome = refusal ? (refusal.status >= 500 || refusal.code === 'client_closed' ? 'failed' : 'refused') : (trail.outcome ?? 'allowed');
    const code = refusal?.code ?? trail.code;
    const media = refusal && isMediaRefusal(refusal) ? refusal.finding : undefined;
    if (media) deps.metrics.count('residency_media_refused_total', 'Media refused, by kind and format.', { kind: media.kind, format: media.format });
    const { action, outcome: _verdict, code: _code, key, subject, ...details } = trail;
    deps.sink({
      time: new Date(deps.now()).toISOString(),
      requestId,
      frontDoor,
      ...(principal?.subject !== undefined && { caller: principal.subject }),
      action,
      outcome,
      ...(code !== undefined && { code }),
      ...(media && { media: `${media.kind}/${media.format}` }),
      account: principal?.account,
      ...details,
      key: await hash(key),
      subject: await hash(subject),
      durationMs: deps.now() - startedAt,
      policyVersion: deps.policyVersion,
    });
    deps.metrics.count('residency_decisions_total', 'Gateway decisions by action, outcome and code.', {
      action,
      outcome,
      code: code ?? '',
    });
  };
}

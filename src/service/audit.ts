import type { ErrorCode } from '../policy/refusal.ts';

/** One decision of the gateway. Keys and subject ids are hashed unless the policy says otherwise. */
export interface AuditEvent {
  time: string;
  requestId: string;
  action: string;
  outcome: 'allowed' | 'refused' | 'failed';
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
  /** What was refused as media, e.g. `image/PNG`. */
  media?: string;
  durationMs: number;
  policyVersion: string;
}

export type AuditSink = (event: AuditEvent) => void;

/** Audit events as JSON lines, one per decision. */
export function jsonLinesAudit(write: (line: string) => void): AuditSink {
  return (event) => write(`${JSON.stringify({ type: 'audit', ...event })}\n`);
}

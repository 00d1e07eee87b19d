/** What the primary and its workers say to each other over the cluster's IPC channel. */

/** The environment variable through which the primary tells a worker its slot (1..N, kept by a replacement). */
export const WORKER_SLOT_VARIABLE = 'RESIDENCY_WORKER_SLOT';

/** A worker listens and has rendered the start-up banner (printed once, by the primary). */
export interface ReadyMessage {
  residency: 'ready';
  banner: string;
}

/** Audit lines, whole, for the primary to write: one writer, so lines never interleave. */
export interface AuditMessage {
  residency: 'audit';
  lines: string;
}

/** A worker was scraped and asks for the pod's view; `id` is the worker's own. */
export interface ScrapeMessage {
  residency: 'scrape';
  id: number;
}

/** A worker's own metrics, for the round `id` of the primary. */
export interface ReportMessage {
  residency: 'report';
  id: number;
  text: string;
}

export type WorkerMessage = ReadyMessage | AuditMessage | ScrapeMessage | ReportMessage;

export interface CollectMessage {
  residency: 'collect';
  id: number;
}

/** The pod's metrics, in answer to the worker's scrape `id`. */
export interface ViewMessage {
  residency: 'view';
  id: number;
  text: string;
}

export interface StopMessage {
  residency: 'stop';
}

export type PrimaryMessage = CollectMessage | ViewMessage | StopMessage;

/** Tells the gateway's own messages from anything else on the channel. */
export function isClusterMessage<T extends { residency: string }>(message: unknown): message is T {
  return typeof message === 'object' && message !== null && typeof (message as { residency?: unknown }).residency === 'string';
}

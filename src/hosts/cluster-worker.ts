import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { jsonLinesAudit, type AuditSink } from '../service/audit.ts';
import { WORKER_SLOT_VARIABLE, isClusterMessage, type AuditMessage, type PrimaryMessage, type WorkerMessage } from './cluster-messages.ts';
import type { RunningGateway } from './node-server.ts';

export interface WorkerOptions {
  /** Starts this process's gateway with the given audit sink (or ends the process if it cannot). */
  start(audit: AuditSink): Promise<RunningGateway>;
  banner(gateway: RunningGateway): string;
  shutdownGraceMs: number;
}

/**
 * One worker of the cluster: serves the gateway on the shared port, sends its
 * audit lines to the primary, answers /metrics with the pod's view, and stops
 * gracefully when the primary says so, on a signal, or when the primary is gone.
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const slot = process.env[WORKER_SLOT_VARIABLE] ?? String(process.pid);
  const audit = auditThroughPrimary();
  let gateway: RunningGateway | undefined;
  let ownMetrics = () => '';
  const views = new Map<number, (text: string) => void>();

  // Listening for the primary before the gateway starts: a stop that comes meanwhile ends the process at once.
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    let code = 0;
    try {
      await gateway?.stop(options.shutdownGraceMs);
    } catch (error) {
      process.stderr.write(`residency-proxy: worker ${slot}: shutdown failed: ${String(error)}\n`);
      code = 1;
    }
    await audit.drain();
    process.exit(code);
  };
  process.on('message', (message: unknown) => {
    if (!isClusterMessage<PrimaryMessage>(message)) return;
    if (message.residency === 'stop') void stop();
    else if (message.residency === 'collect') send({ residency: 'report', id: message.id, text: ownMetrics() });
    else if (message.residency === 'view') {
      views.get(message.id)?.(message.text);
      views.delete(message.id);
    }
  });
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  // A primary that died (SIGKILL, OOM) can no longer stop its workers: they stop by themselves.
  process.on('disconnect', () => void stop());

  const started = await options.start(jsonLinesAudit(audit.write));
  gateway = started;
  const connections = countConnections(started.server);
  ownMetrics = () =>
    started.deps.metrics.render() +
    '# HELP residency_worker_connections_total Connections accepted, by worker process.\n' +
    '# TYPE residency_worker_connections_total counter\n' +
    `residency_worker_connections_total{worker="${slot}"} ${connections()}\n`;
  let nextScrape = 0;
  serveMetricsFromPrimary(
    started.server,
    () =>
      new Promise<string>((resolve) => {
        if (!process.connected) return resolve(ownMetrics());
        const id = nextScrape++;
        views.set(id, resolve);
        send({ residency: 'scrape', id });
      }),
  );
  send({ residency: 'ready', banner: options.banner(started) });
}

function send(message: WorkerMessage): void {
  if (process.connected) process.send!(message);
}

/**
 * Audit lines go to the primary, the only process that writes them, so that
 * lines of several workers never interleave whatever their length and
 * whatever stdout is (pipe, file, terminal). Lines written in the same turn
 * of the event loop travel as one message.
 */
function auditThroughPrimary(): { write(line: string): void; drain(): Promise<void> } {
  let pending = '';
  const sending = new Set<Promise<void>>();
  const flush = () => {
    if (pending === '') return;
    const lines = pending;
    pending = '';
    if (!process.connected) {
      process.stdout.write(lines);
      return;
    }
    const sent = new Promise<void>((resolve) => {
      process.send!({ residency: 'audit', lines } satisfies AuditMessage, undefined, {}, (error: Error | null) => {
        if (error) process.stdout.write(lines);
        resolve();
      });
    });
    sending.add(sent);
    void sent.then(() => sending.delete(sent));
  };
  return {
    write(line) {
      if (pending === '') setImmediate(flush);
      pending += line;
    },
    async drain() {
      flush();
      await Promise.all(sending);
    },
  };
}

function countConnections(server: Server): () => number {
  let count = 0;
  server.on('connection', () => count++);
  return () => count;
}

/** GET /metrics is answered with the pod's view; every other request goes to the gateway app as before. */
function serveMetricsFromPrimary(server: Server, podMetrics: () => Promise<string>): void {
  const appListeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? '';
    if (request.method === 'GET' && (url === '/metrics' || url.startsWith('/metrics?'))) {
      void podMetrics().then((text) => {
        response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        response.end(text);
      });
      return;
    }
    for (const listener of appListeners) listener.call(server, request, response);
  });
}

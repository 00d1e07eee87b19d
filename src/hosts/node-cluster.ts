import cluster, { type Worker } from 'node:cluster';
import { createServer, type AddressInfo } from 'node:net';
import { copyExposition, mergeExpositions, renderExposition, retireExposition, type Exposition } from './cluster-metrics.ts';
import { WORKER_SLOT_VARIABLE, isClusterMessage, type PrimaryMessage, type WorkerMessage } from './cluster-messages.ts';

export interface PrimaryOptions {
  workers: number;
  shutdownGraceMs: number;
  host: string;
  /** 0: a free port, chosen once for every worker and replacement. */
  port: number;
}

/** How long a scrape waits for a worker's metrics before using the last ones it sent. */
const REPORT_TIMEOUT_MS = 2_000;
/** Past the grace period, workers still running are killed. */
const KILL_MARGIN_MS = 5_000;
/** A slot whose worker died this often within the window is not restarted again: the primary gives up. */
const RESTART_LIMIT = 5;
const RESTART_WINDOW_MS = 60_000;

interface Slot {
  number: number;
  worker: Worker;
  ready: boolean;
  lastReport?: string;
  restarts: number[];
}

/**
 * The primary of `RESIDENCY_WORKERS` gateway processes sharing the listening
 * ports (node:cluster hands connections to the workers in turn). It serves no
 * request itself: it prints the banner once, writes the workers' audit lines,
 * merges their metrics into one view, restarts a worker that dies, and on
 * SIGTERM or SIGINT stops them all gracefully, exiting 0 only if each did.
 */
export async function runPrimary(options: PrimaryOptions): Promise<void> {
  // The workers' sockets are shared by address and port as they ask for them. Were each to ask
  // for port 0, a replacement started after all workers died would get another port.
  const port = options.port === 0 ? await freePort(options.host) : options.port;
  const slots: Slot[] = [];
  const retired: Exposition = new Map();
  const rounds = new Map<number, { reports: Map<number, string>; expected: number; complete(): void }>();
  let nextRound = 0;
  let bannerPrinted = false;
  let stopping = false;
  let failed = false;
  let restartsTotal = 0;

  const live = () => slots.filter((slot) => !slot.worker.isDead());

  const fork = (number: number, restarts: number[] = []) => {
    const worker = cluster.fork({ [WORKER_SLOT_VARIABLE]: String(number), PORT: String(port) });
    const slot: Slot = { number, worker, ready: false, restarts };
    slots[number - 1] = slot;
    worker.on('message', (message: unknown) => {
      if (isClusterMessage<WorkerMessage>(message)) onMessage(slot, message);
    });
    worker.on('exit', (code, signal) => onExit(slot, code, signal));
    worker.on('disconnect', () => {
      if (stopping) exitOnceAllGone();
    });
  };

  // A worker's last messages (its audit lines) may still be arriving after its
  // exit: the primary ends only once every channel has closed as well.
  const exitOnceAllGone = () => {
    if (slots.every((slot) => slot.worker.isDead() && !slot.worker.isConnected())) process.exit(failed ? 1 : 0);
  };

  const onMessage = (slot: Slot, message: WorkerMessage) => {
    switch (message.residency) {
      case 'ready':
        slot.ready = true;
        if (!bannerPrinted && slots.every((each) => each.ready)) {
          bannerPrinted = true;
          process.stderr.write(`${message.banner}residency-proxy: ${options.workers} worker processes (RESIDENCY_WORKERS), primary pid ${process.pid}\n`);
        }
        break;
      case 'audit':
        process.stdout.write(message.lines);
        break;
      case 'scrape':
        void podMetrics().then((text) => tell(slot.worker, { residency: 'view', id: message.id, text }));
        break;
      case 'report': {
        slot.lastReport = message.text;
        const round = rounds.get(message.id);
        round?.reports.set(slot.number, message.text);
        if (round && round.reports.size >= round.expected) round.complete();
        break;
      }
    }
  };

  const podMetrics = async (): Promise<string> => {
    const id = nextRound++;
    const reports = new Map<number, string>();
    const asked = live().filter((slot) => slot.ready);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, REPORT_TIMEOUT_MS);
      const complete = () => {
        clearTimeout(timer);
        resolve();
      };
      if (asked.length === 0) return complete();
      rounds.set(id, { reports, expected: asked.length, complete });
      for (const slot of asked) tell(slot.worker, { residency: 'collect', id });
    });
    rounds.delete(id);
    const merged = mergeExpositions(
      asked.flatMap((slot) => {
        // A worker that died meanwhile is in `retired` already.
        if (slot.worker.isDead()) return [];
        const text = reports.get(slot.number) ?? slot.lastReport;
        return text === undefined ? [] : [{ worker: String(slot.number), text }];
      }),
      copyExposition(retired),
    );
    return (
      renderExposition(merged) +
      '# HELP residency_workers Worker processes serving requests.\n# TYPE residency_workers gauge\n' +
      `residency_workers ${live().filter((slot) => slot.ready).length}\n` +
      '# HELP residency_worker_restarts_total Workers that died unexpectedly and were replaced.\n# TYPE residency_worker_restarts_total counter\n' +
      `residency_worker_restarts_total ${restartsTotal}\n`
    );
  };

  const onExit = (slot: Slot, code: number | null, signal: string | null) => {
    if (stopping) {
      // A worker that never served had nothing to finish: it is stopped with a signal.
      if (code !== 0 && slot.ready) failed = true;
      return exitOnceAllGone();
    }
    // What the dead worker counted stays counted: the pod's counters never go backwards.
    if (slot.lastReport !== undefined) retireExposition(retired, slot.lastReport);
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (!slot.ready) {
      process.stderr.write(`residency-proxy: worker ${slot.number} ended (${how}) before it could serve; stopping\n`);
      return stop();
    }
    const now = Date.now();
    const recent = [...slot.restarts.filter((time) => now - time < RESTART_WINDOW_MS), now];
    if (recent.length > RESTART_LIMIT) {
      process.stderr.write(`residency-proxy: worker ${slot.number} died ${recent.length} times within ${RESTART_WINDOW_MS / 1000} s; stopping\n`);
      return stop();
    }
    restartsTotal++;
    process.stderr.write(`residency-proxy: worker ${slot.number} died (${how}); starting a replacement\n`);
    fork(slot.number, recent);
  };

  const stop = (signal?: string) => {
    if (stopping) return;
    stopping = true;
    if (signal) process.stderr.write(`residency-proxy: ${signal}: every worker finishes its in-flight requests (up to ${options.shutdownGraceMs} ms)\n`);
    else failed = true;
    const running = live();
    if (running.length === 0) return exitOnceAllGone();
    // A worker still starting may not listen to messages yet.
    for (const slot of running) {
      if (slot.ready && slot.worker.isConnected()) tell(slot.worker, { residency: 'stop' });
      else slot.worker.process.kill('SIGTERM');
    }
    setTimeout(() => {
      failed = true;
      for (const slot of live()) slot.worker.process.kill('SIGKILL');
    }, options.shutdownGraceMs + KILL_MARGIN_MS).unref();
  };

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  for (let number = 1; number <= options.workers; number++) fork(number);
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function tell(worker: Worker, message: PrimaryMessage): void {
  if (worker.isConnected()) worker.send(message);
}

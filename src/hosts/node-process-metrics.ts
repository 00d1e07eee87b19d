import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import type { CollectedFamily, MetricsCollector } from '../service/metrics.ts';

export interface NodeProcessMetrics {
  collector: MetricsCollector;
  stop(): void;
}

/**
 * The process and runtime metrics Prometheus' Node client exports under the
 * same names: CPU, resident memory, heap, event-loop lag, GC. The event-loop
 * delay histogram is reset at each scrape, so lag is "since the last scrape".
 */
export function startNodeProcessMetrics(): NodeProcessMetrics {
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const gc = new Map<string, { runs: number; seconds: number }>();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = gcKind(entry);
      const totals = gc.get(kind) ?? { runs: 0, seconds: 0 };
      gc.set(kind, { runs: totals.runs + 1, seconds: totals.seconds + entry.duration / 1000 });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const startTime = Math.floor((Date.now() - process.uptime() * 1000) / 1000);

  const collector: MetricsCollector = () => {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const gauge = (name: string, help: string, value: number): CollectedFamily => ({ name, help, type: 'gauge', samples: [{ value }] });
    const counter = (name: string, help: string, value: number): CollectedFamily => ({ name, help, type: 'counter', samples: [{ value }] });
    // The histogram holds nanoseconds; with no sample yet its mean is NaN.
    const lag = (nanoseconds: number) => (Number.isFinite(nanoseconds) ? nanoseconds / 1e9 : 0);
    const families: CollectedFamily[] = [
      counter('process_cpu_user_seconds_total', 'User CPU time spent in seconds.', cpu.user / 1e6),
      counter('process_cpu_system_seconds_total', 'System CPU time spent in seconds.', cpu.system / 1e6),
      counter('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', (cpu.user + cpu.system) / 1e6),
      gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', startTime),
      gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', memory.rss),
      gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', memory.heapTotal),
      gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', memory.heapUsed),
      gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', memory.external),
      gauge('nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays since the last scrape.', lag(loopDelay.mean)),
      gauge('nodejs_eventloop_lag_p99_seconds', 'The 99th percentile of the recorded event loop delays since the last scrape.', lag(loopDelay.percentile(99))),
      gauge('nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay since the last scrape.', lag(loopDelay.max)),
      { name: 'nodejs_version_info', help: 'Node.js version info.', type: 'gauge', samples: [{ labels: { version: process.version }, value: 1 }] },
      {
        name: 'nodejs_gc_runs_total',
        help: 'Garbage collections, by kind.',
        type: 'counter',
        samples: [...gc].map(([kind, { runs }]) => ({ labels: { kind }, value: runs })),
      },
      {
        name: 'nodejs_gc_duration_seconds_total',
        help: 'Time spent in garbage collection, by kind.',
        type: 'counter',
        samples: [...gc].map(([kind, { seconds }]) => ({ labels: { kind }, value: seconds })),
      },
    ];
    loopDelay.reset();
    return families;
  };

  return {
    collector,
    stop() {
      loopDelay.disable();
      observer.disconnect();
    },
  };
}

const GC_KINDS: Readonly<Record<number, string>> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };

function gcKind(entry: PerformanceEntry): string {
  const { kind } = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail ?? {};
  return (kind !== undefined && GC_KINDS[kind]) || 'other';
}

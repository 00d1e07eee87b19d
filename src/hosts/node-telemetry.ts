import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from '@opentelemetry/api';
import { configureLogging, log, logLevelFrom } from '../service/log.ts';
import type { MetricsCollector } from '../service/metrics.ts';
import { startTracing } from '../service/tracing-setup.ts';
import { startNodeProcessMetrics } from './node-process-metrics.ts';

export interface NodeTelemetry {
  /** For `assembleGateway`'s `metricsCollectors`. */
  metricsCollectors: MetricsCollector[];
  /** Exports the spans still buffered and stops measuring. */
  stop(): Promise<void>;
}

/**
 * Logs at `LOG_LEVEL` (default info), process metrics, and tracing when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`) is set. Throws on a
 * tracing configuration that cannot work, naming the variable.
 */
export function startNodeTelemetry(env: NodeJS.ProcessEnv): NodeTelemetry {
  const level = logLevelFrom(env.LOG_LEVEL);
  configureLogging(level);
  if (env.LOG_LEVEL && !level) log.warn('LOG_LEVEL {value} is not a level; logging at info', { value: env.LOG_LEVEL });
  const processMetrics = startNodeProcessMetrics();
  const tracing = startTracing({ env, contextStorage: new AsyncLocalStorage<Context>() });
  return {
    metricsCollectors: [processMetrics.collector],
    async stop() {
      processMetrics.stop();
      await tracing?.shutdown();
    },
  };
}

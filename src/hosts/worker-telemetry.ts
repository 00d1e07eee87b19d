import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from '@opentelemetry/api';
import { configureLogging, logLevelFrom } from '../service/log.ts';
import { startTracing, type Tracing } from '../service/tracing-setup.ts';

/**
 * Logs at `LOG_LEVEL` and tracing when an `OTEL_EXPORTER_OTLP_*ENDPOINT` var
 * is set, for a Worker isolate. Workers run no timers between requests, so
 * the caller flushes the spans in `waitUntil` after each request.
 * (nodejs_compat provides AsyncLocalStorage.)
 */
export function startWorkerTelemetry(env: Readonly<Record<string, unknown>>, fetchImpl?: typeof fetch): Tracing | undefined {
  configureLogging(logLevelFrom(env.LOG_LEVEL));
  return startTracing({ env, contextStorage: new AsyncLocalStorage<Context>(), ...(fetchImpl && { fetch: fetchImpl }) });
}

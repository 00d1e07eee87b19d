import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { tracingConfigFrom } from './tracing-config.ts';
import { StorageContextManager, type AsyncContextStorage } from './tracing-context.ts';
import { OtlpHttpSpanExporter } from './tracing-otlp-exporter.ts';
import { setTracingEnabled } from './tracing-state.ts';

export interface TracingSettings {
  /** The environment holding the `OTEL_*` variables (process.env, the Worker's env). */
  env: Readonly<Record<string, unknown>>;
  contextStorage: AsyncContextStorage;
  fetch?: typeof fetch;
}

export interface Tracing {
  /** Exports the spans ended so far (on Workers, in `waitUntil` at the end of a request). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Registers the process-wide tracer provider, W3C `traceparent` propagation
 * and the async context when an OTLP endpoint is configured; otherwise does
 * nothing and returns `undefined`. Throws on a configuration that cannot work.
 */
export function startTracing(settings: TracingSettings): Tracing | undefined {
  const config = tracingConfigFrom(settings.env);
  if (!config) return undefined;
  const exporter = new OtlpHttpSpanExporter({
    url: config.url,
    protocol: config.protocol,
    headers: config.headers,
    timeoutMs: config.timeoutMs,
    fetch: settings.fetch ?? ((input, init) => fetch(input, init)),
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  context.setGlobalContextManager(new StorageContextManager(settings.contextStorage));
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  setTracingEnabled(true);
  return {
    flush: () => provider.forceFlush(),
    async shutdown() {
      setTracingEnabled(false);
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

import { SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

/**
 * The gateway's spans. Without a registered tracer provider (tracing off) the
 * OpenTelemetry API hands out non-recording spans: a few allocations a call.
 */
const tracer = () => trace.getTracer('residency-proxy');

/** Runs `work` in a span that is the active parent of spans started inside it, and ends it with the work's outcome. */
export async function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export function markFailed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
  if (error instanceof Error) span.recordException({ name: error.name, message: error.message });
}

import { INVALID_SPAN_CONTEXT, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { isStoreError } from '../adapters/errors.ts';
import { isRefusal } from '../policy/refusal.ts';
import { tracingEnabled } from './tracing-state.ts';

/**
 * The gateway's spans. Without a registered tracer provider (tracing off) the
 * OpenTelemetry API hands out non-recording spans: a few allocations a call.
 */
const tracer = () => trace.getTracer('residency-proxy');

/** Handed to work when tracing is off: records nothing. */
const UNRECORDED: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Runs `work` in a span that is the active parent of spans started inside it, and ends it with the work's outcome. */
export async function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  if (!tracingEnabled()) return work(UNRECORDED);
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

/** `inSpan` for synchronous work (a policy decision). */
export function inSpanSync<T>(name: string, attributes: Attributes, work: (span: Span) => T): T {
  if (!tracingEnabled()) return work(UNRECORDED);
  return tracer().startActiveSpan(name, { attributes }, (span) => {
    try {
      return work(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * A stream stage whose span lasts from now until its output ends, errors or
 * is cancelled: the inspection of a body as it streams to the store. With
 * tracing off the stage is returned as it is.
 */
export function tracedTransform<I, O>(name: string, attributes: Attributes, transform: TransformStream<I, O>): TransformStream<I, O> {
  if (!tracingEnabled()) return transform;
  const span = tracer().startSpan(name, { attributes });
  const reader = transform.readable.getReader();
  const readable = new ReadableStream<O>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (!done) return controller.enqueue(value);
        span.end();
        controller.close();
      } catch (error) {
        markFailed(span, error);
        span.end();
        controller.error(error);
      }
    },
    cancel(reason) {
      span.end();
      return reader.cancel(reason);
    },
  });
  return { writable: transform.writable, readable };
}

/**
 * Marks a span as failed. Only messages written to be shown (a store's
 * failure, a refusal's detail) are recorded: others may hold keys or data.
 */
export function markFailed(span: Span, error: unknown): void {
  const name = error instanceof Error ? error.name : 'error';
  span.setStatus({ code: SpanStatusCode.ERROR, message: name });
  span.recordException(isStoreError(error) || isRefusal(error) ? { name, message: error.message } : { name });
}

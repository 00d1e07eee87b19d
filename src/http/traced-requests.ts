import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type TextMapGetter } from '@opentelemetry/api';
import type { Context, MiddlewareHandler } from 'hono';
import type { GatewayEnv } from './context.ts';
import { tracingEnabled } from '../service/tracing-state.ts';

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/**
 * The server span of each request, child of the caller's W3C `traceparent`
 * when it sent one; every span the request starts (auth, decision, store
 * calls) is inside it. Passes straight through when tracing is off.
 */
export function tracedRequests(routeOf: (c: Context<GatewayEnv>) => string): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    if (!tracingEnabled()) return next();
    const parent = propagation.extract(ROOT_CONTEXT, c.req.raw.headers, headerGetter);
    const method = c.req.method;
    const span = trace.getTracer('residency-proxy').startSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } }, parent);
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      const route = routeOf(c);
      const status = c.res.status;
      span.updateName(`${method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}

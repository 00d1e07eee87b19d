import type { MiddlewareHandler } from 'hono';
import type { GatewayDeps, GatewayEnv } from './context.ts';
import { requestIdFrom } from './request-id.ts';

/**
 * What every front door does around a request: names it (`X-Request-Id`, the
 * caller's when it sent a usable one) and times it; after the answer, strips
 * the body of a HEAD answer (releasing the stream a handler opened for it),
 * and closes the connection after a refused upload, whose body may not have
 * been read to its end. `finish` adds a front door's own bookkeeping.
 */
export function requestFrame(deps: Pick<GatewayDeps, 'now'>, finish: (c: Parameters<MiddlewareHandler<GatewayEnv>>[0]) => void): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    c.set('requestId', requestIdFrom(c.req.header('x-request-id')));
    c.set('startedAt', deps.now());
    await next();
    // A HEAD answer (errors included) carries headers only, or the connection's next response is corrupted.
    if (c.req.method === 'HEAD' && c.res.body) {
      void c.res.body.cancel().catch(() => {});
      c.res = new Response(null, c.res);
    }
    // Set in place: c.header() would copy the finished Response into a new one, a large share of a small request's cost.
    const headers = c.res.headers;
    if (c.res.status >= 400 && hasBody(c.req.raw.headers)) headers.set('connection', 'close');
    headers.set('x-request-id', c.get('requestId'));
    finish(c);
  };
}

function hasBody(headers: Headers): boolean {
  const length = headers.get('content-length');
  return headers.has('transfer-encoding') || (length !== null && length !== '0');
}

import { Hono } from 'hono';
import { Refusal } from '../policy/refusal.ts';
import { auditedRequest } from './audited-request.ts';
import type { GatewayDeps, GatewayEnv } from './context.ts';
import { toRefusal } from '../service/to-refusal.ts';
import { problemResponse } from './problem.ts';
import { requestIdFrom } from './request-id.ts';
import { adminRoutes } from './routes/admin.ts';
import { explainRoutes } from './routes/explain.ts';
import { healthRoutes } from './routes/health.ts';
import { objectRoutes } from './routes/objects.ts';

/** The gateway as a hono app: the same on Node and on Workers; runtime differences come in through `deps.runtime`. */
export function createApp(deps: GatewayDeps): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();

  app.use(async (c, next) => {
    c.set('requestId', requestIdFrom(c.req.header('x-request-id')));
    c.set('startedAt', deps.now());
    await next();
    // A HEAD answer (errors included) carries headers only, or the connection's next response is corrupted.
    if (c.req.method === 'HEAD' && c.res.body) c.res = new Response(null, c.res);
    // Set in place: c.header() would copy the finished Response into a new one, a large share of a small request's cost.
    const headers = c.res.headers;
    // A refused upload may not have been read to its end; the connection cannot carry another request.
    if (c.res.status >= 400 && hasBody(c.req.raw.headers)) headers.set('connection', 'close');
    headers.set('x-request-id', c.get('requestId'));
    const route = c.req.routePath === '/*' ? 'unmatched' : c.req.routePath;
    deps.metrics.count('residency_http_requests_total', 'HTTP requests by route and status.', {
      method: c.req.method,
      route,
      status: String(c.res.status),
    });
    deps.metrics.observeRequest({ method: c.req.method, route }, (deps.now() - c.get('startedAt')) / 1000);
  });

  app.use('/v1/*', auditedRequest(deps, 'v1'));

  healthRoutes(app, deps);
  objectRoutes(app, deps);
  explainRoutes(app, deps);
  adminRoutes(app, deps);

  app.notFound((c) => problemResponse(new Refusal('not_found', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`), c.get('requestId')));
  app.onError((error, c) => {
    const refusal = toRefusal(error);
    if (refusal.code === 'internal_error') console.error(JSON.stringify({ type: 'error', requestId: c.get('requestId'), error: String(error), stack: error instanceof Error ? error.stack : undefined }));
    return problemResponse(refusal, c.get('requestId'));
  });
  return app;
}

function hasBody(headers: Headers): boolean {
  const length = headers.get('content-length');
  return headers.has('transfer-encoding') || (length !== null && length !== '0');
}

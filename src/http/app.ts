import { Hono, type Context } from 'hono';
import { Refusal } from '../policy/refusal.ts';
import { configureLogging, log } from '../service/log.ts';
import { toRefusal } from '../service/to-refusal.ts';
import { tracedRequests } from './traced-requests.ts';
import { auditedRequest } from './audited-request.ts';
import { bearerChallenge } from './bearer-challenge.ts';
import type { GatewayDeps, GatewayEnv } from './context.ts';
import { refuseDotSegments } from './dot-segments.ts';
import { openApiRoutes } from './openapi.ts';
import { problemResponse } from './problem.ts';
import { requestFrame } from './request-frame.ts';
import { RouteTable } from './route-table.ts';
import { adminRoutes } from './routes/admin.ts';
import { explainRoutes } from './routes/explain.ts';
import { healthRoutes } from './routes/health.ts';
import { objectRoutes } from './routes/objects.ts';

/** The gateway as a hono app: the same on Node and on Workers; runtime differences come in through `deps.runtime`. */
export function createApp(deps: GatewayDeps): Hono<GatewayEnv> {
  configureLogging();
  const app = new Hono<GatewayEnv>();
  // Filled once every route is registered, before the first request.
  let routes = new RouteTable([]);
  const routeOf = (c: Context<GatewayEnv>) => routes.match(c.req.path)?.template ?? 'unmatched';

  app.use(
    requestFrame(deps, (c) => {
      const labels = { method: c.req.method, route: routeOf(c) };
      if (c.req.raw.signal.aborted) {
        deps.metrics.count('residency_http_client_disconnects_total', 'Requests whose client went away before the answer.', labels);
      } else {
        deps.metrics.count('residency_http_requests_total', 'HTTP requests by route and status.', { ...labels, status: String(c.res.status) });
      }
      deps.metrics.observe(
        'residency_http_request_duration_seconds',
        'Time from request to response headers.',
        labels,
        (deps.now() - c.get('startedAt')) / 1000,
      );
    }),
  );

  app.use(tracedRequests(routeOf));
  app.use(refuseDotSegments(deps));
  // Before the /v1 authentication: the document needs no token.
  openApiRoutes(app);
  app.use('/v1/*', auditedRequest(deps, 'v1'));

  healthRoutes(app, deps);
  objectRoutes(app, deps);
  explainRoutes(app, deps);
  adminRoutes(app, deps);
  routes = new RouteTable(app.routes);

  app.notFound((c) => {
    const route = routes.match(c.req.path);
    if (!route) return problemResponse(new Refusal('not_found', `no route for ${c.req.method} ${c.req.path}`), c.get('requestId'));
    const allow = route.methods.join(', ');
    return problemResponse(new Refusal('method_not_allowed', `${route.template} answers ${allow}, not ${c.req.method}`), c.get('requestId'), { allow });
  });

  app.onError((error, c) => {
    const refusal = toRefusal(error);
    const requestId = c.get('requestId');
    if (c.req.raw.signal.aborted || refusal.code === 'client_closed') {
      log.info('client went away before the answer', { requestId, method: c.req.method, route: routeOf(c), error });
    } else if (refusal.code === 'internal_error') {
      log.error('request failed', { requestId, method: c.req.method, route: routeOf(c), error });
    } else if (refusal.status >= 500) {
      log.warn('store failed', { requestId, method: c.req.method, route: routeOf(c), code: refusal.code, error });
    }
    return problemResponse(refusal, requestId, bearerChallenge(refusal));
  });
  return app;
}

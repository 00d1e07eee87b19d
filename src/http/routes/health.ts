import type { Hono } from 'hono';
import type { GatewayDeps, GatewayEnv } from '../context.ts';

/** Liveness, readiness (policy loaded, keys available, every store reachable and where it should be) and metrics. */
export function healthRoutes(app: Hono<GatewayEnv>, deps: GatewayDeps): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    const [stores, keys] = await Promise.all([deps.stores.verify(), deps.authenticator.ready()]);
    const ready = keys && stores.every((store) => store.state === 'ready');
    return c.json({ status: ready ? 'ready' : 'not ready', policyVersion: deps.policyVersion, keys: keys ? 'available' : 'unavailable', stores }, ready ? 200 : 503);
  });

  app.get('/metrics', (c) => c.text(deps.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }));
}

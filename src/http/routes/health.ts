import type { Hono } from 'hono';
import type { GatewayDeps, GatewayEnv } from '../context.ts';

/**
 * Liveness, readiness and metrics. Ready means the gateway can serve someone:
 * the policy is loaded (it is, or the gateway would not have started), keys
 * to verify tokens are usable (fresh, or last-known-good within maxStale),
 * and at least one zone's store takes requests. A zone whose store is down
 * does not take the pod out of service for the other zones: its own requests
 * are answered 503 and the body says which zone is down.
 */
export function healthRoutes(app: Hono<GatewayEnv>, deps: GatewayDeps): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    const [stores, keys] = await Promise.all([deps.stores.verify(), deps.authenticator.ready()]);
    const zones = deps.stores.zoneStatuses();
    const ready = keys && zones.some((zone) => zone.serving);
    return c.json(
      { status: ready ? 'ready' : 'not ready', policyVersion: deps.policyVersion, keys: keys ? 'available' : 'unavailable', zones, stores },
      ready ? 200 : 503,
      { 'cache-control': 'no-store' },
    );
  });

  app.get('/metrics', (c) => c.text(deps.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }));
}

import type { MiddlewareHandler } from 'hono';
import { Refusal } from '../policy/refusal.ts';
import type { GatewayDeps, GatewayEnv } from './context.ts';

/** A path segment that URL parsing would resolve away: `.`, `..`, and their percent-encoded spellings. */
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?=\/|$)/i;

/**
 * Refuses a request path with a dot segment before routing. URL parsing
 * resolves `a/../b` to `b`, so such a request would otherwise reach another
 * route (or none) instead of the key rules. Workers resolve dot segments
 * before the gateway sees the path (docs/edge.md); on Node the raw path shows them.
 */
export function refuseDotSegments(deps: GatewayDeps): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    if (DOT_SEGMENT.test(deps.runtime.rawPath(c))) throw new Refusal('key_invalid', 'the path has a "." or ".." segment');
    await next();
  };
}

import type { MiddlewareHandler } from 'hono';
import type { FrontDoor } from '../service/audit.ts';
import { toRefusal } from '../service/to-refusal.ts';
import type { GatewayDeps, GatewayEnv } from './context.ts';

/**
 * Authenticates a front door's request and records its one audit event when
 * it has ended, refused or not. Routes only name what they did in
 * `c.get('trail')`; a request that names no action and was not refused (an
 * unknown route) leaves no audit event.
 */
export function auditedRequest(deps: GatewayDeps, frontDoor: FrontDoor): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const trail = { action: '' };
    c.set('trail', trail);
    let failure: unknown;
    try {
      // Only the Authorization header is read: tokens in the query string or cookies are ignored.
      c.set('principal', await deps.authenticator.authenticate(deps.runtime.headerValues(c, 'authorization')));
      await next();
      failure = c.error;
    } catch (error) {
      trail.action ||= 'authenticate';
      failure = error;
      throw error;
    } finally {
      if (trail.action !== '' || failure !== undefined) {
        await deps.record({
          requestId: c.get('requestId'),
          frontDoor,
          startedAt: c.get('startedAt'),
          principal: c.get('principal'),
          trail,
          ...(failure !== undefined && { refusal: toRefusal(failure) }),
        });
      }
    }
  };
}

import type { Authenticator } from '../auth/authenticate.ts';
import { inSpan } from './tracing-spans.ts';

/** Token verification as its own span: cache hits, JWKS fetches and refusals show in the request's trace. */
export function tracedAuthenticator(authenticator: Authenticator): Authenticator {
  return {
    authenticate: (authorization) =>
      inSpan('auth.authenticate', {}, async (span) => {
        const principal = await authenticator.authenticate(authorization);
        span.setAttribute('residency.account', principal.account);
        return principal;
      }),
    ready: () => authenticator.ready(),
  };
}

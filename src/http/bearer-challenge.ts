import type { Refusal } from '../policy/refusal.ts';

const REALM = 'residency-proxy';

/**
 * The `WWW-Authenticate` challenge of RFC 6750 for a refusal of the token: no
 * error code when the request had no token (section 3.1), `invalid_token`
 * when it was bad or expired, `insufficient_scope` (on the 403) when it lacks
 * the admin scope. Other refusals carry no challenge.
 */
export function bearerChallenge(refusal: Refusal): Record<string, string> {
  switch (refusal.code) {
    case 'token_missing':
      return { 'www-authenticate': `Bearer realm="${REALM}"` };
    case 'token_invalid':
    case 'token_expired':
      return { 'www-authenticate': `Bearer realm="${REALM}", error="invalid_token", error_description="${quotable(refusal.detail)}"` };
    case 'scope_required':
      return { 'www-authenticate': `Bearer realm="${REALM}", error="insufficient_scope", error_description="${quotable(refusal.detail)}"` };
    default:
      return {};
  }
}

/** RFC 6750 allows no `"`, `\` or non-ASCII in error_description. */
function quotable(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, ' ');
}

import type { JWTPayload } from 'jose';
import type { Principal } from '../policy/principal.ts';
import { Refusal } from '../policy/refusal.ts';
import type { AuthConfig } from '../policy/schema.ts';

/**
 * Maps a verified token's claims to a Principal. Nothing here is trimmed,
 * lower-cased or otherwise normalised: a value is used as sent or refused.
 */

export const MAX_ACCOUNT_LENGTH = 256;
export const MAX_REGION_LENGTH = 64;
const MAX_SUBJECT_LENGTH = 256;

// Control characters (C0, DEL, C1) and lone UTF-16 surrogates, which have no
// UTF-8 form and would make two different ids encode to the same bytes.
const CONTROL_OR_LONE_SURROGATE = /[\p{Cc}\p{Cs}]/u;
// Printable ASCII, space included: " GB" is a region no zone lists, not a missing one.
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

export function principalFromClaims(claims: JWTPayload & { exp: number }, config: Pick<AuthConfig, 'claims'>): Principal {
  const names = config.claims;
  const account = ownClaim(claims, names.account);
  if (!isIdentifier(account, MAX_ACCOUNT_LENGTH)) {
    throw new Refusal(
      'account_missing',
      `the "${names.account}" claim must be a non-empty string of at most ${MAX_ACCOUNT_LENGTH} characters without control characters`,
    );
  }
  const region = ownClaim(claims, names.region);
  if (typeof region !== 'string' || region.length > MAX_REGION_LENGTH || !PRINTABLE_ASCII.test(region)) {
    throw new Refusal('region_missing', `the "${names.region}" claim must be one string of 1-${MAX_REGION_LENGTH} printable ASCII characters`);
  }
  const subject = ownClaim(claims, names.subject);
  if (subject !== undefined && !isIdentifier(subject, MAX_SUBJECT_LENGTH)) {
    throw new Refusal('token_invalid', `the "${names.subject}" claim must be a string without control characters`);
  }
  const scopes = new Set([...scopeList(claims, 'scope'), ...scopeList(claims, 'scp')]);
  return { account, region, ...(subject === undefined ? {} : { subject }), scopes, expiresAt: claims.exp };
}

/** Refuses with `scope_required` unless the principal holds `scope` (the policy's `adminScope` for admin routes). */
export function requireScope(principal: Principal, scope: string): void {
  if (!principal.scopes.has(scope)) throw new Refusal('scope_required', `this route needs the "${scope}" scope`);
}

// Claim names come from the policy; only the token's own members count, never
// inherited ones such as "constructor".
function ownClaim(claims: JWTPayload, name: string): unknown {
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}

function isIdentifier(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxLength && !CONTROL_OR_LONE_SURROGATE.test(value);
}

/** `scope` and `scp` come as a space-separated string (RFC 8693, Azure AD) or an array of strings (Okta). */
function scopeList(claims: JWTPayload, name: 'scope' | 'scp'): string[] {
  const value = ownClaim(claims, name);
  if (value === undefined) return [];
  if (typeof value === 'string') return value.split(' ').filter((scope) => scope !== '');
  if (Array.isArray(value) && value.every((scope) => typeof scope === 'string')) return value;
  throw new Refusal('token_invalid', `the "${name}" claim must be a space-separated string or an array of strings`);
}

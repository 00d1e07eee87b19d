import { Refusal } from '../policy/refusal.ts';
import type { AuthConfig } from '../policy/schema.ts';

/** A verified token's time claims, in seconds since the epoch. */
export interface TokenTimes {
  exp: number;
  nbf?: number | undefined;
  iat?: number | undefined;
}

export type TimeLimits = Pick<AuthConfig, 'clockToleranceSeconds' | 'maxTokenLifetimeSeconds'>;

/**
 * The time checks jose leaves out (a lifetime cap, `iat` in the future) plus
 * the ones it makes (`exp`, `nbf`), with jose's boundaries, so that a cached
 * verification can be re-checked at every use.
 */
export function checkTokenTimes(times: TokenTimes, nowSeconds: number, limits: TimeLimits): void {
  const tolerance = limits.clockToleranceSeconds;
  if (times.exp <= nowSeconds - tolerance) throw new Refusal('token_expired', 'the token has expired');
  if (times.nbf !== undefined && times.nbf > nowSeconds + tolerance) {
    throw new Refusal('token_invalid', 'the token is not valid yet ("nbf" lies in the future)');
  }
  if (times.iat !== undefined && times.iat > nowSeconds + tolerance) {
    throw new Refusal('token_invalid', 'the token was issued in the future ("iat")');
  }
  if (times.exp - nowSeconds > limits.maxTokenLifetimeSeconds + tolerance) {
    throw new Refusal('token_invalid', `the token expires too far ahead: at most ${limits.maxTokenLifetimeSeconds} seconds are accepted`);
  }
}

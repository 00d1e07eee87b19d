import { errors } from 'jose';
import { isRefusal, Refusal } from '../policy/refusal.ts';

const CLAIM_DETAILS: Record<string, string> = {
  iss: 'the token issuer is not accepted',
  aud: 'the token audience is not accepted',
  nbf: 'the token is not valid yet ("nbf" lies in the future)',
};

/**
 * Maps whatever verification threw (jose's error classes, the plain
 * TypeErrors some of its failures are, or anything else) to a Refusal, so a
 * bad token never surfaces as a 500. Details are written here, never copied
 * from the error, so they cannot echo the token.
 */
export function refusalForVerificationError(error: unknown): Refusal {
  if (isRefusal(error)) return error;
  if (error instanceof errors.JWTExpired) return new Refusal('token_expired', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const detail =
      error.reason === 'missing'
        ? `the token has no "${error.claim}" claim`
        : (CLAIM_DETAILS[error.claim] ?? `the token "${error.claim}" claim is not acceptable`);
    return new Refusal('token_invalid', detail);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new Refusal('token_invalid', 'the token signature does not verify');
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new Refusal('token_invalid', 'no known signing key matches the token "kid" and "alg"');
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new Refusal('token_invalid', 'the token algorithm is not accepted');
  return new Refusal('token_invalid', 'the token could not be verified');
}

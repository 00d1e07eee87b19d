import type { SessionAuthority } from '../../auth/session/credentials.ts';
import { verifyRequest, type VerifiedRequest } from '../../auth/sigv4/verify.ts';
import type { Principal } from '../../policy/principal.ts';
import { toRefusal } from '../../service/to-refusal.ts';
import type { GatewayDeps } from '../context.ts';
import { signableRequest, type S3Context } from './request.ts';

const verifiedRequests = new WeakMap<Request, VerifiedRequest<Principal>>();

/** The signature check of an authenticated request: how its body is to be verified. */
export function verifiedOf(c: S3Context): VerifiedRequest<Principal> {
  const verified = verifiedRequests.get(c.req.raw);
  if (!verified) throw new Error('the request was not authenticated');
  return verified;
}

const lateOutcomes = new WeakMap<Response, Promise<unknown>>();

/**
 * Marks a response sent before its operation has finished (a kept-alive
 * CompleteMultipartUpload): the request's audit event waits for `outcome`.
 */
export function withLateOutcome(response: Response, outcome: Promise<unknown>): Response {
  lateOutcomes.set(response, outcome);
  return response;
}

/**
 * Verifies an S3 request's SigV4 signature made with session credentials,
 * sets the sealed principal, runs the operation, and records the request's
 * one audit event (front door `s3`), refused or not.
 */
export async function authenticatedS3(c: S3Context, deps: GatewayDeps, sessions: SessionAuthority, operation: () => Promise<Response>): Promise<Response> {
  const trail = { action: '' };
  c.set('trail', trail);
  const record = async (failure: unknown) => {
    if (trail.action === '' && failure === undefined) return;
    await deps.record({
      requestId: c.get('requestId'),
      frontDoor: 's3',
      startedAt: c.get('startedAt'),
      principal: c.get('principal'),
      trail,
      ...(failure !== undefined && { refusal: toRefusal(failure) }),
    });
  };
  let response: Response;
  try {
    const verified = await verifyRequest(signableRequest(c, deps), { now: deps.now(), resolve: sessions.resolve });
    c.set('principal', verified.identity);
    verifiedRequests.set(c.req.raw, verified);
    response = await operation();
  } catch (error) {
    trail.action ||= 'authenticate';
    await record(error);
    throw error;
  }
  const late = lateOutcomes.get(response);
  if (late)
    void late.then(
      () => record(undefined),
      (error: unknown) => record(error),
    );
  else await record(undefined);
  return response;
}

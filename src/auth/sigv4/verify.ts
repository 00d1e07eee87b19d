import { readSignatureClaim, type SignatureClaim } from './authorization.ts';
import { canonicalQuery, canonicalRequest, scopeString, signature, signingKey, stringToSign, type CredentialScope, type SignableRequest } from './canonical.ts';
import { SignatureFailure } from './failure.ts';
import { constantTimeEqual } from './hashing.ts';
import { LruMap } from '../lru.ts';

/** How far a request's time may be from the gateway's, either way. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

/** What `x-amz-content-sha256` says about the body. */
export type PayloadSigning =
  | { kind: 'unsigned' }
  | { kind: 'sha256'; hex: string }
  /** aws-chunked with a signature on every chunk (and on the trailer when `trailer`). */
  | { kind: 'signed-chunks'; trailer: boolean }
  /** aws-chunked without chunk signatures, checksums in a trailer. */
  | { kind: 'unsigned-chunks' };

/** What the chunk signatures of a streaming body chain from. */
export interface SigningChain {
  key: Uint8Array;
  timestamp: string;
  scope: string;
  seedSignature: string;
}

export interface VerifiedRequest<Identity> {
  identity: Identity;
  payload: PayloadSigning;
  chain: SigningChain;
}

/** The secret behind an access key, and whoever it belongs to. */
export interface ResolvedCredentials<Identity> {
  secretAccessKey: string;
  identity: Identity;
}

export interface VerifyOptions<Identity> {
  /** Milliseconds since the epoch. */
  now: number;
  /** Finds the secret of an access key (with its session token); throws a SignatureFailure when there is none. */
  resolve(accessKeyId: string, securityToken: string | undefined): Promise<ResolvedCredentials<Identity>>;
}

/**
 * Verifies a SigV4 request, in its `Authorization` header or presigned
 * query, and returns who signed it and how its body is to be checked. Every
 * failure is a SignatureFailure; the signature is compared in constant time.
 */
export async function verifyRequest<Identity>(request: SignableRequest, options: VerifyOptions<Identity>): Promise<VerifiedRequest<Identity>> {
  const claim = readSignatureClaim(request);
  if (!claim) throw new SignatureFailure('AccessDenied', 'the request is not signed: anonymous access is not allowed');
  checkTime(claim, options.now);
  checkAmzHeadersSigned(request, claim);
  const payload = payloadSigning(request, claim);
  const payloadHash =
    claim.form === 'presigned' ? (request.headerValues('x-amz-content-sha256')[0] ?? 'UNSIGNED-PAYLOAD') : request.headerValues('x-amz-content-sha256')[0]!;
  const credentials = await options.resolve(claim.accessKeyId, claim.securityToken);
  const canonical = canonicalRequest(request, {
    signedHeaders: claim.signedHeaders,
    query: canonicalQuery(claim.query, claim.form === 'presigned' ? 'X-Amz-Signature' : undefined),
    payloadHash,
  });
  const key = cachedSigningKey(credentials.secretAccessKey, claim.scope);
  const expected = signature(key, stringToSign(claim.timestamp, claim.scope, canonical));
  if (!constantTimeEqual(expected, claim.signature.toLowerCase())) {
    throw new SignatureFailure('SignatureDoesNotMatch', 'the request signature does not match the one calculated from your secret key and the request');
  }
  return { identity: credentials.identity, payload, chain: { key, timestamp: claim.timestamp, scope: scopeString(claim.scope), seedSignature: expected } };
}

/** Signing keys derived per secret and scope; a client that keeps its credentials saves four HMACs a request. */
const signingKeys = new LruMap<string, Uint8Array>(4096);

/** Keyed by the whole secret and scope: another secret, day, region or service never finds another's key. */
function cachedSigningKey(secretAccessKey: string, scope: CredentialScope): Uint8Array {
  const cacheKey = `${secretAccessKey}\n${scopeString(scope)}`;
  const cached = signingKeys.get(cacheKey);
  if (cached) return cached;
  const key = signingKey(secretAccessKey, scope);
  signingKeys.set(cacheKey, key);
  return key;
}

function timestampMs(timestamp: string, scope: CredentialScope): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(timestamp);
  if (!match) throw new SignatureFailure('AccessDenied', 'the request time is not YYYYMMDDTHHMMSSZ');
  if (timestamp.slice(0, 8) !== scope.date) throw new SignatureFailure('SignatureDoesNotMatch', 'the credential date is not the date of the request time');
  const [, year, month, day, hour, minute, second] = match.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

function checkTime(claim: SignatureClaim, now: number): void {
  const time = timestampMs(claim.timestamp, claim.scope);
  if (claim.form === 'header') {
    if (Math.abs(now - time) > MAX_SKEW_MS)
      throw new SignatureFailure('RequestTimeTooSkewed', 'the difference between the request time and the current time is too large');
    return;
  }
  if (time - now > MAX_SKEW_MS) throw new SignatureFailure('RequestTimeTooSkewed', 'the presigned URL is dated in the future');
  if (now > time + claim.expiresSeconds! * 1000) throw new SignatureFailure('AccessDenied', 'the presigned URL has expired');
}

/**
 * An unsigned x-amz-* header (a subject id, user metadata, a checksum) could
 * be changed on the way; such a request is refused. Whoever holds a presigned
 * URL may add headers, so user metadata (the subject id with it) sent
 * beside one must be signed too.
 */
function checkAmzHeadersSigned(request: SignableRequest, claim: SignatureClaim): void {
  const mustBeSigned = (name: string) => (claim.form === 'header' ? name.startsWith('x-amz-') || name === 'content-md5' : name.startsWith('x-amz-meta-'));
  for (const name of request.headerNames()) {
    if (mustBeSigned(name) && !claim.signedHeaders.includes(name)) throw new SignatureFailure('AccessDenied', `the ${name} header must be signed`);
  }
}

const STREAMING: Record<string, PayloadSigning> = {
  'UNSIGNED-PAYLOAD': { kind: 'unsigned' },
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER': { kind: 'unsigned-chunks' },
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD': { kind: 'signed-chunks', trailer: false },
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER': { kind: 'signed-chunks', trailer: true },
};

function payloadSigning(request: SignableRequest, claim: SignatureClaim): PayloadSigning {
  const values = request.headerValues('x-amz-content-sha256');
  if (values.length > 1) throw new SignatureFailure('InvalidArgument', 'the x-amz-content-sha256 header appears more than once');
  const value = values[0];
  if (value === undefined) {
    if (claim.form === 'presigned') return { kind: 'unsigned' };
    throw new SignatureFailure('InvalidRequest', 'a request signed in its header must send x-amz-content-sha256');
  }
  const streaming = STREAMING[value];
  if (streaming) {
    if (streaming.kind !== 'unsigned' && claim.form === 'presigned')
      throw new SignatureFailure('InvalidRequest', 'a presigned URL cannot carry a chunked payload');
    return streaming;
  }
  if (!/^[0-9a-f]{64}$/.test(value))
    throw new SignatureFailure('InvalidArgument', 'x-amz-content-sha256 must be a lower-case hex SHA-256 or one of the SigV4 payload forms');
  return { kind: 'sha256', hex: value };
}

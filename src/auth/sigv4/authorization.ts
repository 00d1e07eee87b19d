import { ALGORITHM, queryParameters, type CredentialScope, type SignableRequest } from './canonical.ts';
import { SignatureFailure } from './failure.ts';

/** What a request claims about its signature, before anything is verified. */
export interface SignatureClaim {
  form: 'header' | 'presigned';
  accessKeyId: string;
  scope: CredentialScope;
  signedHeaders: string[];
  signature: string;
  /** `YYYYMMDDTHHMMSSZ`. */
  timestamp: string;
  /** Presigned only: seconds the URL stays valid after `timestamp`. */
  expiresSeconds?: number;
  securityToken?: string;
  /** The decoded query parameters, signature included. */
  query: Array<[string, string]>;
}

const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;

function parseCredential(credential: string, reason: 'header' | 'presigned'): { accessKeyId: string; scope: CredentialScope } {
  const parts = credential.split('/');
  const failure = reason === 'header' ? 'AccessDenied' : 'AuthorizationQueryParametersError';
  if (parts.length !== 5 || parts.some((part) => part === ''))
    throw new SignatureFailure(failure, 'the credential is not AccessKeyId/date/region/service/aws4_request');
  const [accessKeyId, date, region, service, terminal] = parts as [string, string, string, string, string];
  if (!/^\d{8}$/.test(date)) throw new SignatureFailure(failure, 'the credential date is not YYYYMMDD');
  if (terminal !== 'aws4_request') throw new SignatureFailure(failure, 'the credential does not end in aws4_request');
  if (service !== 's3') throw new SignatureFailure(failure, `the credential is for service "${service}", not s3`);
  return { accessKeyId, scope: { date, region, service } };
}

function parseSignedHeaders(text: string): string[] {
  const names = text.split(';');
  if (names.some((name) => !/^[a-z0-9!#$%&'*+\-.^_`|~]+$/.test(name)))
    throw new SignatureFailure('AccessDenied', 'SignedHeaders is not a list of lower-case header names');
  if (!names.includes('host')) throw new SignatureFailure('AccessDenied', 'the host header must be signed');
  return names;
}

function single(request: SignableRequest, name: string): string | undefined {
  const values = request.headerValues(name);
  if (values.length > 1) throw new SignatureFailure('InvalidArgument', `the ${name} header appears ${values.length} times`);
  return values[0];
}

/** `YYYYMMDDTHHMMSSZ` from x-amz-date, or from an HTTP Date header. */
function headerTimestamp(request: SignableRequest): string {
  const amzDate = single(request, 'x-amz-date');
  if (amzDate !== undefined) return amzDate;
  const date = single(request, 'date');
  const parsed = date === undefined ? Number.NaN : Date.parse(date);
  if (Number.isNaN(parsed)) throw new SignatureFailure('AccessDenied', 'the request has no valid x-amz-date or Date header');
  return new Date(parsed)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * Reads the signature claim of a request: the `Authorization` header or the
 * `X-Amz-*` query parameters of a presigned URL, never both. Returns `null`
 * when the request carries neither (an anonymous request).
 */
export function readSignatureClaim(request: SignableRequest): SignatureClaim | null {
  const query = queryParameters(request.rawQuery);
  const presigned = query.some(([name]) => name === 'X-Amz-Signature' || name === 'X-Amz-Algorithm');
  const authorization = request.headerValues('authorization');
  if (authorization.length > 1) throw new SignatureFailure('InvalidArgument', 'the Authorization header appears more than once');
  if (presigned && authorization.length > 0) throw new SignatureFailure('InvalidArgument', 'a request is signed in its header or its query, not both');
  if (authorization.length === 1) return headerClaim(request, authorization[0]!, query);
  if (presigned) return presignedClaim(query);
  return null;
}

function headerClaim(request: SignableRequest, authorization: string, query: Array<[string, string]>): SignatureClaim {
  const space = authorization.indexOf(' ');
  const algorithm = space === -1 ? authorization : authorization.slice(0, space);
  if (algorithm !== ALGORITHM) throw new SignatureFailure('InvalidArgument', `only ${ALGORITHM} signatures are accepted`);
  const fields = new Map<string, string>();
  for (const field of authorization.slice(space + 1).split(',')) {
    const trimmed = field.trim();
    const equals = trimmed.indexOf('=');
    const name = trimmed.slice(0, equals);
    if (equals <= 0 || fields.has(name)) throw new SignatureFailure('AccessDenied', 'the Authorization header is malformed');
    fields.set(name, trimmed.slice(equals + 1));
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signatureHex = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signatureHex === undefined || fields.size !== 3) {
    throw new SignatureFailure('AccessDenied', 'the Authorization header needs exactly Credential, SignedHeaders and Signature');
  }
  const securityToken = single(request, 'x-amz-security-token');
  return {
    form: 'header',
    ...parseCredential(credential, 'header'),
    signedHeaders: parseSignedHeaders(signedHeaders),
    signature: signatureHex,
    timestamp: headerTimestamp(request),
    ...(securityToken !== undefined && { securityToken }),
    query,
  };
}

function presignedClaim(query: Array<[string, string]>): SignatureClaim {
  const values = new Map<string, string>();
  for (const [name, value] of query) {
    if (!name.startsWith('X-Amz-')) continue;
    if (values.has(name)) throw new SignatureFailure('AuthorizationQueryParametersError', `${name} appears more than once`);
    values.set(name, value);
  }
  const required = (name: string): string => {
    const value = values.get(name);
    if (value === undefined) throw new SignatureFailure('AuthorizationQueryParametersError', `a presigned URL needs ${name}`);
    return value;
  };
  if (required('X-Amz-Algorithm') !== ALGORITHM) throw new SignatureFailure('AuthorizationQueryParametersError', `only ${ALGORITHM} signatures are accepted`);
  const expires = required('X-Amz-Expires');
  if (!/^\d{1,6}$/.test(expires) || Number(expires) < 1 || Number(expires) > MAX_PRESIGNED_SECONDS) {
    throw new SignatureFailure('AuthorizationQueryParametersError', `X-Amz-Expires must be 1 to ${MAX_PRESIGNED_SECONDS} seconds`);
  }
  const securityToken = values.get('X-Amz-Security-Token');
  return {
    form: 'presigned',
    ...parseCredential(required('X-Amz-Credential'), 'presigned'),
    signedHeaders: parseSignedHeaders(required('X-Amz-SignedHeaders')),
    signature: required('X-Amz-Signature'),
    timestamp: required('X-Amz-Date'),
    expiresSeconds: Number(expires),
    ...(securityToken !== undefined && { securityToken }),
    query,
  };
}

import { hmacSha256, sha256Hex, toHex, utf8 } from './hashing.ts';
import { SignatureFailure } from './failure.ts';
import { uriEncode } from './uri-encoding.ts';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** A request as SigV4 sees it: everything as it arrived, nothing normalised by a framework. */
export interface SignableRequest {
  method: string;
  /** The path as sent, still percent-encoded. */
  rawPath: string;
  /** The query as sent (without `?`), still percent-encoded. */
  rawQuery: string;
  /** Every value of a header, one entry per occurrence; `name` is lower case. */
  headerValues(name: string): string[];
  /** The lower-case names of the headers the request carries. */
  headerNames(): string[];
}

/** `date/region/service/aws4_request`: what a signing key is derived for. */
export interface CredentialScope {
  date: string;
  region: string;
  service: string;
}

export function scopeString(scope: CredentialScope): string {
  return `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new SignatureFailure('InvalidArgument', 'the request URI is not valid percent-encoded UTF-8');
  }
}

/** The path of S3 as signed: each segment decoded once and encoded again the SigV4 way (never twice, as S3 does not). */
export function canonicalUri(rawPath: string): string {
  return rawPath
    .split('/')
    .map((segment) => uriEncode(decodeComponent(segment), false))
    .join('/');
}

/** The query parameters as sent, decoded, in order. */
export function queryParameters(rawQuery: string): Array<[string, string]> {
  const parameters: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = equals === -1 ? part : part.slice(0, equals);
    const value = equals === -1 ? '' : part.slice(equals + 1);
    parameters.push([decodeComponent(name), decodeComponent(value)]);
  }
  return parameters;
}

export function canonicalQuery(parameters: ReadonlyArray<readonly [string, string]>, excluded?: string): string {
  return parameters
    .filter(([name]) => name !== excluded)
    .map(([name, value]) => [uriEncode(name, false), uriEncode(value, false)] as const)
    .sort(([nameA, valueA], [nameB, valueB]) => (nameA < nameB ? -1 : nameA > nameB ? 1 : valueA < valueB ? -1 : valueA > valueB ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

export function canonicalHeaders(request: SignableRequest, signedHeaders: readonly string[]): string {
  let lines = '';
  for (const name of signedHeaders) {
    const values = request.headerValues(name);
    if (values.length === 0) throw new SignatureFailure('SignatureDoesNotMatch', `the signed header ${name} is not in the request`);
    lines += `${name}:${values.map((value) => signedText(value).trim().replace(/\s+/g, ' ')).join(',')}\n`;
  }
  return lines;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A header value as the client signed it. HTTP hands header values over as
 * bytes, one character per byte; a client signs the text those bytes are the
 * UTF-8 of (the SDKs send a non-ASCII `x-amz-meta-*` value so), and the
 * canonical request is hashed as UTF-8: decoding first gives the client's
 * bytes back. Bytes that are not UTF-8 stay as they are.
 */
function signedText(value: string): string {
  if (!/[\x80-\xff]/.test(value) || /[^\x00-\xff]/.test(value)) return value;
  try {
    return strictUtf8.decode(Uint8Array.from(value, (char) => char.charCodeAt(0)));
  } catch {
    return value;
  }
}

export interface CanonicalParts {
  signedHeaders: readonly string[];
  /** The query parameters to sign (for a presigned URL, all but the signature). */
  query: string;
  payloadHash: string;
}

export function canonicalRequest(request: SignableRequest, parts: CanonicalParts): string {
  return [
    request.method,
    canonicalUri(request.rawPath),
    parts.query,
    canonicalHeaders(request, parts.signedHeaders),
    parts.signedHeaders.join(';'),
    parts.payloadHash,
  ].join('\n');
}

export function stringToSign(timestamp: string, scope: CredentialScope, canonical: string): string {
  return `${ALGORITHM}\n${timestamp}\n${scopeString(scope)}\n${sha256Hex(canonical)}`;
}

export function signingKey(secretAccessKey: string, scope: CredentialScope): Uint8Array {
  const dateKey = hmacSha256(utf8(`AWS4${secretAccessKey}`), scope.date);
  const regionKey = hmacSha256(dateKey, scope.region);
  const serviceKey = hmacSha256(regionKey, scope.service);
  return hmacSha256(serviceKey, 'aws4_request');
}

export function signature(key: Uint8Array, toSign: string): string {
  return toHex(hmacSha256(key, toSign));
}

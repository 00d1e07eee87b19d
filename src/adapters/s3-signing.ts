import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface RequestToSign {
  method: string;
  /** The host header's value. */
  host: string;
  /** The path as sent: each segment already percent-encoded (RFC 3986). */
  path: string;
  /** Query parameters, unencoded. */
  query: Record<string, string>;
  /** Headers besides host and the x-amz- ones added here; all of them are signed. */
  headers: Record<string, string>;
  /** Hex SHA-256 of the body. */
  payloadHash: string;
  region: string;
  credentials: SigningCredentials;
  now: Date;
}

const encoder = new TextEncoder();
/** Bodies up to this size are hashed here; longer ones by Web Crypto, whose native speed outweighs its asynchronous hop. */
const SYNC_HASH_MAX_BYTES = 64 * 1024;

const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
const hmacOf = (key: Uint8Array, text: string) => hmac(sha256, key, encoder.encode(text));

export const EMPTY_PAYLOAD_SHA256 = hex(sha256(new Uint8Array(0)));

/** Hex SHA-256 of a body, for `x-amz-content-sha256`. */
export async function payloadSha256(bytes: Uint8Array): Promise<string> {
  if (bytes.byteLength <= SYNC_HASH_MAX_BYTES) return hex(sha256(bytes));
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

/** A key segment as S3 signs and routes it: every byte but A-Z a-z 0-9 - _ . ~ percent-encoded. */
export function encodeKeySegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * SigV4 for S3 in the Authorization header: the request's headers with
 * `x-amz-date`, `x-amz-content-sha256`, the session token and the signature
 * added. Synchronous HMACs (@noble/hashes) over short strings, and the
 * derived signing key kept per day and region, cost far less than a round
 * of Web Crypto calls per request.
 */
export function createS3Signer(): (request: RequestToSign) => Record<string, string> {
  const signingKeys = new Map<string, Uint8Array>();
  const signingKey = (secret: string, day: string, region: string) => {
    const cacheKey = `${secret}\n${day}\n${region}`;
    let key = signingKeys.get(cacheKey);
    if (!key) {
      key = hmacOf(hmacOf(hmacOf(hmacOf(encoder.encode(`AWS4${secret}`), day), region), 's3'), 'aws4_request');
      // One entry per day (and rotated secret) is all that is ever needed.
      signingKeys.clear();
      signingKeys.set(cacheKey, key);
    }
    return key;
  };

  return (request) => {
    const amzDate = request.now
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const day = amzDate.slice(0, 8);
    const headers: Record<string, string> = {
      ...Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value.trim().replace(/\s+/g, ' ')])),
      host: request.host,
      'x-amz-content-sha256': request.payloadHash,
      'x-amz-date': amzDate,
      ...(request.credentials.sessionToken !== undefined && { 'x-amz-security-token': request.credentials.sessionToken }),
    };
    const names = Object.keys(headers).sort();
    const signedNames = names.join(';');
    const query = Object.entries(request.query)
      .map(([name, value]) => `${encodeKeySegment(name)}=${encodeKeySegment(value)}`)
      .sort()
      .join('&');
    const canonical = [request.method, request.path, query, ...names.map((name) => `${name}:${headers[name]}`), '', signedNames, request.payloadHash].join(
      '\n',
    );
    const scope = `${day}/${request.region}/s3/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(sha256(encoder.encode(canonical)))].join('\n');
    const signature = hex(hmacOf(signingKey(request.credentials.secretAccessKey, day, request.region), toSign));
    return {
      ...headers,
      authorization: `AWS4-HMAC-SHA256 Credential=${request.credentials.accessKeyId}/${scope}, SignedHeaders=${signedNames}, Signature=${signature}`,
    };
  };
}

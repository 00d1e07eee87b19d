import { createHash, createHmac } from 'node:crypto';

/**
 * A SigV4 signer for tests, written against the AWS documentation with
 * node:crypto, apart from the gateway's verifier, so the two check each other.
 * It signs exactly the headers it is given (lower-case names).
 */

export interface SignerCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignInput {
  method: string;
  /** Path as it goes on the wire (already percent-encoded the SigV4 way). */
  path: string;
  /** Query as it goes on the wire, without `?`. */
  query?: string;
  headers: Record<string, string>;
  /** `x-amz-content-sha256` value; default: the hex SHA-256 of `body`. */
  payloadHash?: string;
  body?: Uint8Array | string;
  /** `YYYYMMDDTHHMMSSZ`; default now. */
  timestamp?: string;
  region?: string;
}

export const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Uint8Array | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

export function amzTimestamp(ms: number = Date.now()): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

const encodeRfc3986 = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalQuery(query: string): string {
  return query
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const [name, value = ''] = part.split(/=(.*)/s) as [string, string?];
      return [encodeRfc3986(decodeURIComponent(name)), encodeRfc3986(decodeURIComponent(value))];
    })
    .sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : a[1]! < b[1]! ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

export function signingKey(secret: string, date: string, region: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
}

export interface Signed {
  headers: Record<string, string>;
  signature: string;
  key: Buffer;
  scope: string;
  timestamp: string;
}

/** Signs a request in its Authorization header; returns the headers to send. */
export function signHeaders(input: SignInput, credentials: SignerCredentials): Signed {
  const timestamp = input.timestamp ?? amzTimestamp();
  const region = input.region ?? 'us-east-1';
  const payloadHash = input.payloadHash ?? sha256Hex(input.body ?? '');
  const headers: Record<string, string> = { ...input.headers, 'x-amz-date': timestamp, 'x-amz-content-sha256': payloadHash };
  if (credentials.sessionToken !== undefined) headers['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(headers)
    .map((name) => name.toLowerCase())
    .sort();
  const canonical = [
    input.method,
    input.path,
    canonicalQuery(input.query ?? ''),
    names.map((name) => `${name}:${headers[name]!.trim()}\n`).join(''),
    names.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${timestamp.slice(0, 8)}/${region}/s3/aws4_request`;
  const key = signingKey(credentials.secretAccessKey, timestamp.slice(0, 8), region);
  const signature = hmac(key, `AWS4-HMAC-SHA256\n${timestamp}\n${scope}\n${sha256Hex(canonical)}`).toString('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return { headers, signature, key, scope, timestamp };
}

/** A presigned URL's query (path and host signed, payload unsigned). */
export function presignQuery(input: Omit<SignInput, 'payloadHash' | 'body'> & { expiresSeconds: number }, credentials: SignerCredentials): string {
  const timestamp = input.timestamp ?? amzTimestamp();
  const region = input.region ?? 'us-east-1';
  const scope = `${timestamp.slice(0, 8)}/${region}/s3/aws4_request`;
  const names = Object.keys(input.headers).sort();
  const parameters = [
    input.query ?? '',
    'X-Amz-Algorithm=AWS4-HMAC-SHA256',
    `X-Amz-Credential=${encodeRfc3986(`${credentials.accessKeyId}/${scope}`)}`,
    `X-Amz-Date=${timestamp}`,
    `X-Amz-Expires=${input.expiresSeconds}`,
    ...(credentials.sessionToken === undefined ? [] : [`X-Amz-Security-Token=${encodeRfc3986(credentials.sessionToken)}`]),
    `X-Amz-SignedHeaders=${names.join(';')}`,
  ]
    .filter((part) => part !== '')
    .join('&');
  const canonical = [
    input.method,
    input.path,
    canonicalQuery(parameters),
    names.map((name) => `${name}:${input.headers[name]!.trim()}\n`).join(''),
    names.join(';'),
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const key = signingKey(credentials.secretAccessKey, timestamp.slice(0, 8), region);
  const signature = hmac(key, `AWS4-HMAC-SHA256\n${timestamp}\n${scope}\n${sha256Hex(canonical)}`).toString('hex');
  return `${parameters}&X-Amz-Signature=${signature}`;
}

/** The chunk signature of one chunk of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body. */
export function chunkSignature(signed: Pick<Signed, 'key' | 'scope' | 'timestamp'>, previous: string, data: Uint8Array): string {
  return hmac(signed.key, `AWS4-HMAC-SHA256-PAYLOAD\n${signed.timestamp}\n${signed.scope}\n${previous}\n${sha256Hex('')}\n${sha256Hex(data)}`).toString('hex');
}

export function trailerSignature(signed: Pick<Signed, 'key' | 'scope' | 'timestamp'>, previous: string, trailer: string): string {
  return hmac(signed.key, `AWS4-HMAC-SHA256-TRAILER\n${signed.timestamp}\n${signed.scope}\n${previous}\n${sha256Hex(trailer)}`).toString('hex');
}

/**
 * A signed aws-chunked body: each chunk carries the signature chained from
 * the seed; `trailer` lines (`name:value`) go after the final chunk, signed.
 */
export function signedChunkedBody(signed: Signed, chunks: Uint8Array[], trailer?: string): { body: Buffer; signatures: string[] } {
  const parts: Buffer[] = [];
  const signatures: string[] = [];
  let previous = signed.signature;
  for (const chunk of [...chunks, new Uint8Array(0)]) {
    previous = chunkSignature(signed, previous, chunk);
    signatures.push(previous);
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`));
    if (chunk.length > 0 || trailer === undefined) parts.push(Buffer.from(chunk), Buffer.from('\r\n'));
  }
  if (trailer !== undefined) {
    parts.push(Buffer.from(`${trailer}\r\n`), Buffer.from(`x-amz-trailer-signature:${trailerSignature(signed, previous, `${trailer}\n`)}\r\n\r\n`));
  }
  return { body: Buffer.concat(parts), signatures };
}

/** An unsigned aws-chunked body with a checksum trailer, as current SDKs send by default. */
export function unsignedChunkedBody(chunks: Uint8Array[], trailer: string): Buffer {
  const parts: Buffer[] = [];
  for (const chunk of chunks) parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), Buffer.from(chunk), Buffer.from('\r\n'));
  parts.push(Buffer.from(`0\r\n${trailer}\r\n\r\n`));
  return Buffer.concat(parts);
}

import { createHash, createHmac } from 'node:crypto';

/** Temporary credentials from the gateway's STS, as an S3 client holds them. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface RequestToSign {
  method: string;
  /** host[:port], as sent in the Host header. */
  host: string;
  /** Path only, already URI-encoded (the bench's keys need no encoding); no query. */
  path: string;
  /** Hex SHA-256 of the body, as the AWS SDKs send over plain HTTP. */
  payloadHash: string;
  contentType?: string;
  region: string;
  credentials: SessionCredentials;
  now: Date;
}

const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();
export const sha256Hex = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');

/**
 * The headers of a SigV4-signed S3 request (Authorization header form), for
 * the load generator: autocannon sends fixed requests, so each one is signed
 * here as an S3 SDK would sign it, with node:crypto.
 */
export function signedHeaders(request: RequestToSign): Record<string, string> {
  const amzDate = request.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...(request.contentType !== undefined && { 'content-type': request.contentType }),
    host: request.host,
    'x-amz-content-sha256': request.payloadHash,
    'x-amz-date': amzDate,
    'x-amz-security-token': request.credentials.sessionToken,
  };
  const names = Object.keys(headers).sort();
  const canonical = [request.method, request.path, '', ...names.map((name) => `${name}:${headers[name]}`), '', names.join(';'), request.payloadHash].join('\n');
  const scope = `${day}/${request.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  const key = ['s3', 'aws4_request'].reduce(hmac, hmac(hmac(`AWS4${request.credentials.secretAccessKey}`, day), request.region));
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${request.credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

import { createHash } from 'node:crypto';
import { createS3Signer } from '../../src/adapters/s3-signing.ts';

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

export const sha256Hex = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');

const sign = createS3Signer();

/**
 * The headers of a SigV4-signed S3 request (Authorization header form), for
 * the load generator: autocannon sends fixed requests, so each one is signed
 * here, by the signer the gateway's S3 adapter uses.
 */
export function signedHeaders(request: RequestToSign): Record<string, string> {
  const { contentType, ...rest } = request;
  return sign({ ...rest, query: {}, headers: contentType === undefined ? {} : { 'content-type': contentType } });
}

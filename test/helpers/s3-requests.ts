import { amzTimestamp, presignQuery, signHeaders, type SignerCredentials } from './s3-signer.ts';
import type { S3Credentials } from './s3-gateway.ts';

export interface SignedFetchOptions {
  query?: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** Overrides x-amz-content-sha256 (a streaming form, or a wrong hash). */
  payloadHash?: string;
  /** Milliseconds since the epoch the request claims to be signed at. */
  signedAt?: number;
  /** Headers changed after signing. */
  tamper?: Record<string, string>;
}

export function signerCredentials(credentials: S3Credentials): SignerCredentials {
  return { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken };
}

/** A request to the S3 front door signed in its Authorization header, as a client would sign it. */
export async function signedFetch(
  s3Url: string,
  credentials: SignerCredentials,
  method: string,
  path: string,
  options: SignedFetchOptions = {},
): Promise<Response> {
  const host = new URL(s3Url).host;
  const signed = signHeaders(
    {
      method,
      path,
      ...(options.query !== undefined && { query: options.query }),
      headers: { host, ...options.headers },
      ...(options.body !== undefined && { body: options.body }),
      ...(options.payloadHash !== undefined && { payloadHash: options.payloadHash }),
      timestamp: amzTimestamp(options.signedAt),
    },
    credentials,
  );
  const { host: _host, ...headers } = { ...signed.headers, ...options.tamper };
  return fetch(`${s3Url}${path}${options.query ? `?${options.query}` : ''}`, { method, headers, ...(options.body !== undefined && { body: options.body }) });
}

export function presignedUrl(s3Url: string, credentials: SignerCredentials, method: string, path: string, expiresSeconds: number, signedAt?: number): string {
  const query = presignQuery({ method, path, headers: { host: new URL(s3Url).host }, expiresSeconds, timestamp: amzTimestamp(signedAt) }, credentials);
  return `${s3Url}${path}?${query}`;
}

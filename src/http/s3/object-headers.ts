import type { ObjectInfo } from '../../adapters/types.ts';
import { Refusal } from '../../policy/refusal.ts';
import type { ZonePlacement } from '../../service/objects.ts';
import { S3Failure } from './errors.ts';
import { singleHeader, type S3Context } from './request.ts';
import type { GatewayDeps } from '../context.ts';

const MAX_USER_METADATA_BYTES = 2048;

export function placementHeaders(placement: ZonePlacement): Record<string, string> {
  return { 'x-residency-zone': placement.zone, 'x-residency-location': placement.location };
}

export function quotedEtag(etag: string): string {
  return `"${etag}"`;
}

/** The headers of GetObject and HeadObject. */
export function objectHeaders(info: ObjectInfo, placement: ZonePlacement): Record<string, string> {
  return {
    'content-type': info.metadata.contentType,
    'content-length': String(info.size),
    etag: quotedEtag(info.etag),
    'last-modified': new Date(info.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    'x-content-type-options': 'nosniff',
    ...(info.metadata.contentEncoding && { 'content-encoding': info.metadata.contentEncoding }),
    ...(info.metadata.expiresAt && { 'x-residency-expires-at': info.metadata.expiresAt }),
    ...placementHeaders(placement),
  };
}

/** The Content-Encoding to store: the request's, without the `aws-chunked` framing the gateway has removed. */
export function storedEncoding(header: string | undefined): string {
  return (header ?? '')
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '' && token.toLowerCase() !== 'aws-chunked')
    .join(', ');
}

/**
 * User metadata (`x-amz-meta-*`): at most 2 KiB, as S3 allows;
 * `x-amz-meta-subject-id` names the data subject, like `X-Subject-Id` on `/v1`.
 */
export function subjectFromMetadata(c: S3Context, deps: GatewayDeps): string | undefined {
  let bytes = 0;
  for (const [name, value] of c.req.raw.headers) {
    if (name.startsWith('x-amz-meta-')) bytes += name.length - 'x-amz-meta-'.length + new TextEncoder().encode(value).length;
  }
  if (bytes > MAX_USER_METADATA_BYTES)
    throw new S3Failure('MetadataTooLarge', 400, 'bad_request', `user metadata is ${bytes} bytes; at most ${MAX_USER_METADATA_BYTES}`);
  const subject = singleHeader(c, deps, 'x-amz-meta-subject-id');
  if (subject === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,256}$/.test(subject)) throw new Refusal('bad_request', 'x-amz-meta-subject-id must be 1-256 printable ASCII characters');
  return subject;
}

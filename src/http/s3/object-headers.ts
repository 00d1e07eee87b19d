import type { ObjectInfo } from '../../adapters/types.ts';
import { Refusal } from '../../policy/refusal.ts';
import type { ZonePlacement } from '../../service/objects.ts';
import { S3Failure } from './errors.ts';
import { queryOf, singleHeader, type S3Context } from './request.ts';
import type { GatewayDeps } from '../context.ts';

const MAX_USER_METADATA_BYTES = 2048;
const USER_METADATA_PREFIX = 'x-amz-meta-';
const SUBJECT_HEADER = 'x-amz-meta-subject-id';

export function placementHeaders(placement: ZonePlacement): Record<string, string> {
  return { 'x-residency-zone': placement.zone, 'x-residency-location': placement.location };
}

export function quotedEtag(etag: string): string {
  return `"${etag}"`;
}

/** The headers of GetObject and HeadObject. */
export function objectHeaders(info: ObjectInfo, placement: ZonePlacement): Record<string, string> {
  return {
    ...Object.fromEntries(Object.entries(info.metadata.userMetadata ?? {}).map(([name, value]) => [`${USER_METADATA_PREFIX}${name}`, value])),
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

export interface RequestMetadata {
  /** `x-amz-meta-subject-id`: the data subject, like `X-Subject-Id` on `/v1`; stored only as a keyed hash. */
  subject?: string;
  /** Every other `x-amz-meta-*`, by name without the prefix. */
  userMetadata: Record<string, string>;
}

/**
 * User metadata (`x-amz-meta-*`): at most 2 KiB, counted as S3 counts it
 * (names without the prefix, plus values, in bytes). Header values are byte
 * strings (one character per byte received), so a value sent as UTF-8 is
 * counted, stored and sent back byte for byte. A presigned URL carries them
 * as query parameters (the SDKs' presigners move `x-amz-*` headers there),
 * signed like the rest of the query; a name in both places is refused.
 */
export function requestMetadata(c: S3Context, deps: GatewayDeps): RequestMetadata {
  // Two subject headers would reach `headers` merged into one value; the raw request refuses them.
  singleHeader(c, deps, SUBJECT_HEADER);
  const fields = new Map<string, string>();
  const add = (name: string, text: string) => {
    if (!name.startsWith(USER_METADATA_PREFIX)) return;
    if (fields.has(name)) throw new Refusal('bad_request', `${name} is given more than once (as a header and in the query)`);
    fields.set(name, asBytes(text));
  };
  for (const [name, text] of c.req.raw.headers) add(name, text);
  for (const [name, text] of queryOf(c)) add(name.toLowerCase(), text);
  let bytes = 0;
  const userMetadata: Record<string, string> = {};
  for (const [name, value] of fields) {
    bytes += name.length - USER_METADATA_PREFIX.length + value.length;
    if (name !== SUBJECT_HEADER) userMetadata[name.slice(USER_METADATA_PREFIX.length)] = value;
  }
  if (bytes > MAX_USER_METADATA_BYTES)
    throw new S3Failure('MetadataTooLarge', 400, 'bad_request', `user metadata is ${bytes} bytes; at most ${MAX_USER_METADATA_BYTES}`);
  const subject = fields.get(SUBJECT_HEADER);
  if (subject !== undefined && !/^[\x21-\x7e]{1,256}$/.test(subject))
    throw new Refusal('bad_request', 'x-amz-meta-subject-id must be 1-256 printable ASCII characters');
  return { ...(subject !== undefined && { subject }), userMetadata };
}

/** A header value as bytes, one character per byte, where a runtime has handed it over decoded from UTF-8. */
function asBytes(value: string): string {
  return /[^\x00-\xff]/.test(value) ? String.fromCharCode(...new TextEncoder().encode(value)) : value;
}

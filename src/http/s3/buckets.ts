import { decide } from '../../policy/decide.ts';
import type { GatewayDeps } from '../context.ts';
import { S3Failure } from './errors.ts';
import { listObjects, type Listing } from './listing.ts';
import { quotedEtag } from './object-headers.ts';
import { callOf, queryOf, type S3Context } from './request.ts';
import { uriEncode } from '../../auth/sigv4/uri-encoding.ts';
import { element, elements, escapeXml, xmlResponse } from './xml.ts';

const MAX_KEYS = 1000;
// Buckets are the policy's data classes; S3 wants a creation date for each.
const BUCKET_CREATION_DATE = '2026-01-01T00:00:00.000Z';

/** The principal's zone for a data class, refusing what `/v1` refuses (unknown class, `persist: false`, region in no zone). */
function zoneFor(c: S3Context, deps: GatewayDeps, bucket: string) {
  const decision = decide(deps.policy, c.get('principal'), { action: 'list', dataClass: bucket, now: deps.now() });
  if (!decision.allowed) throw decision.refusal;
  return decision.zone;
}

export function listBuckets(c: S3Context, deps: GatewayDeps): Response {
  c.get('trail').action = 'list-buckets';
  const { account } = c.get('principal');
  const buckets = [...deps.policy.dataClasses].filter(([, config]) => config.persist).map(([name]) => name);
  return xmlResponse('ListAllMyBucketsResult', [
    elements('Owner', [element('ID', account), element('DisplayName', account)]),
    elements(
      'Buckets',
      buckets.map((name) => elements('Bucket', [element('Name', name), element('CreationDate', BUCKET_CREATION_DATE)])),
    ),
  ]);
}

export function headBucket(c: S3Context, deps: GatewayDeps, bucket: string): Response {
  c.get('trail').action = 'head-bucket';
  const zone = zoneFor(c, deps, bucket);
  return new Response(null, { status: 200, headers: { 'x-amz-bucket-region': zone.placement.location } });
}

export function bucketLocation(c: S3Context, deps: GatewayDeps, bucket: string): Response {
  c.get('trail').action = 'bucket-location';
  return xmlResponse('LocationConstraint', [escapeXml(zoneFor(c, deps, bucket).placement.location)]);
}

/** CreateBucket of a data class answers as S3 answers a bucket's owner; any other name is not the caller's to create. */
export function createBucket(c: S3Context, deps: GatewayDeps, bucket: string): Response {
  c.get('trail').action = 'create-bucket';
  if (!deps.policy.dataClasses.has(bucket)) {
    throw new S3Failure('AccessDenied', 403, 'data_class_unknown', `buckets are the policy's data classes; "${bucket}" is not one`);
  }
  zoneFor(c, deps, bucket);
  return new Response(null, { status: 200, headers: { location: `/${bucket}` } });
}

function maxKeysOf(text: string | null): number {
  if (text === null) return MAX_KEYS;
  if (!/^\d{1,7}$/.test(text)) throw new S3Failure('InvalidArgument', 400, 'bad_request', 'max-keys must be a non-negative integer');
  return Math.min(Number(text), MAX_KEYS);
}

function decodeToken(token: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(
      Uint8Array.from(atob(token.replaceAll('-', '+').replaceAll('_', '/')), (char) => char.charCodeAt(0)),
    );
  } catch {
    throw new S3Failure('InvalidArgument', 400, 'bad_request', 'the continuation token is not one this gateway issued');
  }
}

function encodeToken(last: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(last)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** ListObjectsV2 (`list-type=2`) and ListObjects v1 (`marker`), which rclone and s3cmd use. */
export async function listBucket(c: S3Context, deps: GatewayDeps, bucket: string): Promise<Response> {
  c.get('trail').action = 'list';
  const query = queryOf(c);
  const v2 = query.get('list-type') === '2';
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const encodingType = query.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') throw new S3Failure('InvalidArgument', 400, 'bad_request', 'encoding-type must be url');
  // Clients that ask for url encoding (the aws CLI, boto3) decode every key they are sent.
  const shown = (text: string) => (encodingType === 'url' ? uriEncode(text, true) : text);
  const maxKeys = maxKeysOf(query.get('max-keys'));
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after') ?? '';
  const marker = query.get('marker') ?? '';
  const after = v2 ? (token !== null ? decodeToken(token) : startAfter) : marker;
  const listing: Listing = await listObjects(deps.objects, callOf(c), bucket, { prefix, delimiter, after, maxKeys });

  const entries = [
    element('Name', bucket),
    element('Prefix', shown(prefix)),
    ...(delimiter !== '' ? [element('Delimiter', shown(delimiter))] : []),
    element('MaxKeys', maxKeys),
    ...(encodingType !== null ? [element('EncodingType', encodingType)] : []),
    element('IsTruncated', listing.truncated),
  ];
  if (v2) {
    entries.push(element('KeyCount', listing.contents.length + listing.commonPrefixes.length));
    if (token !== null) entries.push(element('ContinuationToken', token));
    if (startAfter !== '') entries.push(element('StartAfter', shown(startAfter)));
    if (listing.truncated && listing.last !== undefined) entries.push(element('NextContinuationToken', encodeToken(listing.last)));
  } else {
    entries.push(element('Marker', shown(marker)));
    if (listing.truncated && listing.last !== undefined) entries.push(element('NextMarker', shown(listing.last)));
  }
  const { account } = c.get('principal');
  for (const item of listing.contents) {
    entries.push(
      elements('Contents', [
        element('Key', shown(item.key)),
        element('LastModified', new Date(item.lastModified).toISOString()),
        element('ETag', quotedEtag(item.etag)),
        element('Size', item.size),
        ...(v2 ? [] : [elements('Owner', [element('ID', account), element('DisplayName', account)])]),
        element('StorageClass', 'STANDARD'),
      ]),
    );
  }
  for (const commonPrefix of listing.commonPrefixes) entries.push(elements('CommonPrefixes', [element('Prefix', shown(commonPrefix))]));
  return xmlResponse('ListBucketResult', entries);
}

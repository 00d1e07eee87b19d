import type { ObjectMetadata, PutOptions } from './types.ts';

/**
 * ObjectMetadata as user-defined metadata of a cloud object (`x-amz-meta-*`
 * on S3, `x-ms-meta-*` on Azure). Names are lowercase identifiers, valid on
 * both (Azure wants C# identifiers, S3 lowercases names). Values travel in
 * HTTP headers, so they are percent-encoded: an account id in any script
 * comes back exactly as it went in. The content type is not here: it is the
 * object's own Content-Type; nor is the client's user metadata (see
 * `userMetadataDisposition`).
 */
const FIELDS = {
  contentEncoding: 'contentencoding',
  account: 'account',
  dataClass: 'dataclass',
  subject: 'subject',
  expiresAt: 'expiresat',
  etag: 'etag',
} as const satisfies Record<Exclude<keyof ObjectMetadata, 'contentType' | 'userMetadata'>, string>;

/** The optional string members of ObjectMetadata; the rest are required, and `userMetadata` is a record. */
export const OPTIONAL_METADATA = ['contentEncoding', 'subject', 'expiresAt', 'etag'] as const satisfies readonly (keyof ObjectMetadata)[];

/** Exactly the ObjectMetadata members of a value, dropping anything else it carries. */
export function pickMetadata(source: ObjectMetadata): ObjectMetadata {
  const metadata: ObjectMetadata = { contentType: source.contentType, account: source.account, dataClass: source.dataClass };
  for (const property of OPTIONAL_METADATA) {
    if (source[property] !== undefined) metadata[property] = source[property];
  }
  if (source.userMetadata !== undefined) metadata.userMetadata = { ...source.userMetadata };
  return metadata;
}

/** The metadata a store keeps once the body has ended: with the ETag the caller computed over it, when it gave one. */
export function completedMetadata(metadata: ObjectMetadata, options: PutOptions): ObjectMetadata {
  return options.etag ? { ...metadata, etag: options.etag() } : metadata;
}

/** The ETag reads report: the one the gateway computed, else (objects stored before it did) the store's. */
export function reportedEtag(metadata: ObjectMetadata, storeEtag: string): string {
  return metadata.etag ?? storeEtag;
}

export function metadataFields(metadata: ObjectMetadata): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [property, field] of Object.entries(FIELDS)) {
    const value = metadata[property as keyof typeof FIELDS];
    if (value !== undefined) fields[field] = encodeURIComponent(value);
  }
  return fields;
}

export function metadataFromFields(contentType: string | undefined, fields: Record<string, string> | undefined, contentDisposition?: string): ObjectMetadata {
  const read = (field: string): string | undefined => {
    const value = fields?.[field];
    return value === undefined ? undefined : decodeURIComponent(value);
  };
  const metadata: ObjectMetadata = {
    contentType: contentType ?? 'application/octet-stream',
    account: read(FIELDS.account) ?? '',
    dataClass: read(FIELDS.dataClass) ?? '',
  };
  for (const property of OPTIONAL_METADATA) {
    const value = read(FIELDS[property]);
    if (value !== undefined) metadata[property] = value;
  }
  const userMetadata = userMetadataFromDisposition(contentDisposition);
  if (userMetadata !== undefined) metadata.userMetadata = userMetadata;
  return metadata;
}

const DISPOSITION_PREFIX = 'inline; x-residency-metadata=';

/**
 * The client's user metadata as the object's Content-Disposition on a cloud
 * store, a valid RFC 6266 value (`inline` with an extension parameter). Not
 * in the store's user metadata: S3 and R2 allow 2 KiB of it in all, which the
 * client's 2 KiB and the gateway's own fields together would pass. Each name
 * and value is followed by a NUL (which no header holds), the whole base64url
 * encoded: at most 2 KiB of names and values stays within a few KiB.
 */
export function userMetadataDisposition(metadata: ObjectMetadata): string | undefined {
  const entries = Object.entries(metadata.userMetadata ?? {});
  if (entries.length === 0) return undefined;
  const bytes = entries.map(([name, value]) => `${name}\0${value}\0`).join('');
  return DISPOSITION_PREFIX + btoa(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function userMetadataFromDisposition(disposition: string | undefined): Record<string, string> | undefined {
  if (!disposition?.startsWith(DISPOSITION_PREFIX)) return undefined;
  const parts = atob(disposition.slice(DISPOSITION_PREFIX.length).replace(/-/g, '+').replace(/_/g, '/')).split('\0');
  const userMetadata: Record<string, string> = {};
  for (let index = 0; index + 1 < parts.length; index += 2) userMetadata[parts[index]!] = parts[index + 1]!;
  return userMetadata;
}

/** ETags arrive quoted from S3 and Azure; the gateway reports them bare. */
export function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^(W\/)?"(.*)"$/, '$2');
}

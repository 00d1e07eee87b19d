import type { ObjectMetadata } from './types.ts';

/**
 * ObjectMetadata as user-defined metadata of a cloud object (`x-amz-meta-*`
 * on S3, `x-ms-meta-*` on Azure). Names are lowercase identifiers, valid on
 * both (Azure wants C# identifiers, S3 lowercases names). Values travel in
 * HTTP headers, so they are percent-encoded: an account id in any script
 * comes back exactly as it went in. The content type is not here: it is the
 * object's own Content-Type.
 */
const FIELDS = {
  contentEncoding: 'contentencoding',
  account: 'account',
  dataClass: 'dataclass',
  subject: 'subject',
  expiresAt: 'expiresat',
} as const satisfies Record<Exclude<keyof ObjectMetadata, 'contentType'>, string>;

/** The optional members of ObjectMetadata; the rest are required. */
export const OPTIONAL_METADATA = ['contentEncoding', 'subject', 'expiresAt'] as const satisfies readonly (keyof ObjectMetadata)[];

/** Exactly the ObjectMetadata members of a value, dropping anything else it carries. */
export function pickMetadata(source: ObjectMetadata): ObjectMetadata {
  const metadata: ObjectMetadata = { contentType: source.contentType, account: source.account, dataClass: source.dataClass };
  for (const property of OPTIONAL_METADATA) {
    if (source[property] !== undefined) metadata[property] = source[property];
  }
  return metadata;
}

export function metadataFields(metadata: ObjectMetadata): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [property, field] of Object.entries(FIELDS)) {
    const value = metadata[property as keyof typeof FIELDS];
    if (value !== undefined) fields[field] = encodeURIComponent(value);
  }
  return fields;
}

export function metadataFromFields(contentType: string | undefined, fields: Record<string, string> | undefined): ObjectMetadata {
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
  return metadata;
}

/** ETags arrive quoted from S3 and Azure; the gateway reports them bare. */
export function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^(W\/)?"(.*)"$/, '$2');
}

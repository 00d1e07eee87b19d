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
  account: 'account',
  dataClass: 'dataclass',
  subject: 'subject',
  expiresAt: 'expiresat',
} as const satisfies Record<Exclude<keyof ObjectMetadata, 'contentType'>, string>;

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
  const subject = read(FIELDS.subject);
  const expiresAt = read(FIELDS.expiresAt);
  if (subject !== undefined) metadata.subject = subject;
  if (expiresAt !== undefined) metadata.expiresAt = expiresAt;
  return metadata;
}

/** ETags arrive quoted from S3 and Azure; the gateway reports them bare. */
export function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^(W\/)?"(.*)"$/, '$2');
}

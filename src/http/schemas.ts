import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../policy/refusal.ts';

/**
 * The shapes of the `/v1` API: request bodies as the routes validate them,
 * answers as the routes build them. The OpenAPI document is generated from
 * these, and tests hold real answers to them.
 */

export const MAX_EXPLAIN_SAMPLE_CHARS = 1024 * 1024;

export const explainRequest = z
  .strictObject({
    dataClass: z.string().min(1).max(64),
    contentType: z.string().max(256).default(''),
    contentEncoding: z.string().max(64).default(''),
    /** Optional base64 sample of a body, inspected as the write would be. */
    sample: z.base64().max(MAX_EXPLAIN_SAMPLE_CHARS).optional(),
  })
  .meta({ id: 'ExplainRequest' });

export const holdRequest = z.strictObject({ reason: z.string().min(1).max(1000) }).meta({ id: 'HoldRequest' });

const instant = z.iso.datetime();
const errorCodes = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export const problem = z
  .strictObject({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z.enum(errorCodes),
    requestId: z.string(),
  })
  .meta({ id: 'Problem' });

export const placement = z
  .strictObject({
    account: z.string(),
    dataClass: z.string(),
    key: z.string(),
    zone: z.string(),
    store: z.string(),
    location: z.string(),
    jurisdiction: z.string(),
    size: z.int().nonnegative(),
    etag: z.string(),
    expiresAt: instant.nullable(),
    /** Embedded media replaced by a marker, for data classes with `embeddedMedia: redact`. */
    redactions: z.int().nonnegative().optional(),
    /** Values masked, by mask, for data classes that mask. */
    masks: z.record(z.string(), z.int().nonnegative()).optional(),
  })
  .meta({ id: 'Placement' });

export const listPage = z
  .strictObject({
    items: z.array(
      z.strictObject({
        key: z.string(),
        size: z.int().nonnegative(),
        etag: z.string(),
        lastModified: instant,
        contentType: z.string(),
        expiresAt: instant.nullable(),
      }),
    ),
    /** Pass back as `cursor` for the next page; null on the last. */
    cursor: z.string().nullable(),
  })
  .meta({ id: 'ListPage' });

const mediaFinding = z.strictObject({ kind: z.enum(['image', 'audio', 'video']), format: z.string(), where: z.string() });

export const explainAnswer = z
  .strictObject({
    allowed: z.boolean(),
    code: z.enum(errorCodes).optional(),
    status: z.int().optional(),
    detail: z.string().optional(),
    /** Whether the gateway's own table counts the token's region as a UK or EU account. */
    ukEuAccount: z.boolean().optional(),
    placement: z
      .strictObject({ zone: z.string(), store: z.string(), location: z.string(), jurisdiction: z.string(), evidence: z.enum(['proven', 'declared']) })
      .optional(),
    expiresAt: instant.nullable().optional(),
    embeddedMedia: z.enum(['refuse', 'redact']).optional(),
    /** The masks the data class applies. */
    masks: z.array(z.string()).optional(),
    /** Present when a sample was sent: what the inspector found in it. */
    media: mediaFinding.nullable().optional(),
  })
  .meta({ id: 'ExplainAnswer' });

export const subjectObjects = z
  .strictObject({
    subjectHash: z.string(),
    items: z.array(
      z.strictObject({ dataClass: z.string(), key: z.string(), size: z.int().nonnegative(), lastModified: instant, expiresAt: instant.nullable() }),
    ),
    cursor: z.string().nullable(),
  })
  .meta({ id: 'SubjectObjects' });

export const erasureReceipt = z
  .strictObject({
    account: z.string(),
    zone: z.string(),
    store: z.string(),
    scope: z.enum(['subject', 'account']),
    subjectHash: z.string().optional(),
    objectsDeleted: z.int().nonnegative(),
    bytesDeleted: z.int().nonnegative(),
    /** In a zone with encryption: the data keys destroyed, and whether copies kept elsewhere are now unreadable. */
    keys: z.strictObject({ keysDestroyed: z.int().nonnegative(), copiesUnreadable: z.boolean(), detail: z.string() }).optional(),
    startedAt: instant,
    finishedAt: instant,
    policyVersion: z.string(),
  })
  .meta({ id: 'ErasureReceipt' });

export const hold = z
  .strictObject({
    scope: z.enum(['account', 'subject']),
    /** Keyed hash of the subject, for subject holds. */
    subject: z.string().optional(),
    reason: z.string(),
    placedAt: instant,
    placedBy: z.string().optional(),
  })
  .meta({ id: 'Hold' });

export const holdList = z.strictObject({ holds: z.array(hold) }).meta({ id: 'HoldList' });

import { z } from 'zod';
import { JURISDICTIONS } from './locations.ts';
import { atRetentionSchema, encryptionSchema, maskListSchema, zoneEncryptionSchema } from './protection-schema.ts';

/**
 * The policy file of DESIGN.md as a schema. Every object is strict: an unknown
 * key is an error, so a typo can never silently weaken the policy.
 */

const name = (what: string) => z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, `${what} must be 1-63 of a-z, 0-9, '.', '_', '-'`);

const jurisdiction = z.enum(JURISDICTIONS);
const timeoutMs = z.number().int().min(100).max(600_000).optional();

const s3Store = z.strictObject({
  type: z.literal('s3'),
  bucket: z.string().min(3).max(63),
  region: z.string().min(1),
  endpoint: z.url().optional(),
  forcePathStyle: z.boolean().optional(),
  verifyLocation: z.boolean().default(true),
  sse: z.enum(['aws:kms', 'AES256']).optional(),
  kmsKeyId: z.string().min(1).optional(),
  timeoutMs,
});

const azureStore = z.strictObject({
  type: z.literal('azure-blob'),
  container: z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'an Azure container name'),
  location: z.string().min(1),
  connectionStringEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'the name of an environment variable'),
  encryptionScope: z.string().min(1).optional(),
  timeoutMs,
});

const r2Store = z.strictObject({
  type: z.literal('r2'),
  binding: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a Workers binding name'),
  jurisdiction: z.string().min(1).optional(),
  timeoutMs,
});

const fsStore = z.strictObject({
  type: z.literal('fs'),
  path: z.string().min(1),
  jurisdiction,
  timeoutMs,
});

const memoryStore = z.strictObject({
  type: z.literal('memory'),
  jurisdiction,
  timeoutMs,
});

export const storeSchema = z.discriminatedUnion('type', [s3Store, azureStore, r2Store, fsStore, memoryStore]);

const jwksSchema = z.union([
  z.strictObject({
    url: z.url({ protocol: /^https?$/ }),
    maxStaleSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(86_400),
    cooldownSeconds: z.number().int().min(1).max(3_600).default(30),
    cacheMaxAgeSeconds: z.number().int().min(1).max(86_400).default(600),
    timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
  }),
  z.strictObject({ file: z.string().min(1) }),
  z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }),
]);

export const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

const authSchema = z.strictObject({
  issuer: z.string().min(1),
  audience: z.string().min(1),
  algorithms: z.array(z.enum(ALGORITHMS)).min(1),
  jwks: jwksSchema,
  clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
  maxTokenLifetimeSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(86_400),
  claims: z
    .strictObject({
      account: z.string().min(1).default('account_id'),
      region: z.string().min(1).default('account_region'),
      subject: z.string().min(1).default('sub'),
    })
    .default({ account: 'account_id', region: 'account_region', subject: 'sub' }),
  adminScope: z.string().regex(/^\S+$/).default('residency:admin'),
});

const zoneSchema = z.strictObject({
  jurisdictions: z.array(jurisdiction).min(1),
  regions: z.array(z.string().regex(/^[\x21-\x7e]{1,64}$/, 'a region claim value is printable ASCII without spaces')).min(1),
  store: name('a store name'),
  encryption: zoneEncryptionSchema.optional(),
});

const dataClassSchema = z.strictObject({
  retentionDays: z.number().int().min(1).max(36_500).optional(),
  persist: z.boolean().default(true),
  embeddedMedia: z.enum(['refuse', 'redact']).default('refuse'),
  mask: maskListSchema.optional(),
  atRetention: atRetentionSchema.optional(),
});

const MiB = 1024 * 1024;

export const policySchema = z.strictObject({
  version: z.literal(1),
  auth: authSchema,
  zones: z.record(name('a zone name'), zoneSchema),
  stores: z.record(name('a store name'), storeSchema),
  dataClasses: z.record(name('a data class name'), dataClassSchema),
  encryption: encryptionSchema.optional(),
  limits: z
    .strictObject({
      maxObjectBytes: z
        .number()
        .int()
        .min(1)
        .max(5 * 1024 * 1024 * MiB)
        .default(100 * MiB),
      requestTimeoutMs: z.number().int().min(1_000).max(3_600_000).default(300_000),
      // Media inspection bounds; absent means the inspector's defaults (docs/media-inspection.md: 8 layers, 200:1, 1 GiB).
      maxInspectionDepth: z.number().int().min(1).max(32).optional(),
      maxExpansionRatio: z.number().min(2).max(100_000).optional(),
      maxExpandedBytes: z
        .number()
        .int()
        .min(MiB)
        .max(64 * 1024 * MiB)
        .optional(),
    })
    .default({ maxObjectBytes: 100 * MiB, requestTimeoutMs: 300_000 }),
  audit: z.strictObject({ hashIdentifiers: z.boolean().default(true) }).default({ hashIdentifiers: true }),
});

export type PolicyDocument = z.infer<typeof policySchema>;
export type StoreConfig = z.infer<typeof storeSchema>;
export type AuthConfig = PolicyDocument['auth'];
export type JwksConfig = AuthConfig['jwks'];
export type ZoneConfig = z.infer<typeof zoneSchema>;
export type DataClassConfig = z.infer<typeof dataClassSchema>;

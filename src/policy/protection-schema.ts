import { z } from 'zod';
import { MASK_KINDS } from '../masking/kinds.ts';
import { compilePattern, PatternError } from '../masking/linear-pattern.ts';
import { JURISDICTIONS } from './locations.ts';

/**
 * The policy keys of DESIGN "Masking and encryption offered to Customers":
 * a data class's `mask` and `atRetention`, the top-level `encryption.keys`
 * and a zone's `encryption`. Where keys physically are is checked after
 * parsing, by ./keys-placement.ts.
 */

const maskName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'a mask name is 1-41 of a-z, 0-9, "-"');
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'the name of an environment variable');
const jurisdiction = z.enum(JURISDICTIONS);

const customMask = z
  .strictObject({
    name: maskName.refine((value) => !(MASK_KINDS as readonly string[]).includes(value), 'a custom mask cannot take the name of a built-in kind'),
    pattern: z.string().min(1).max(512),
    maxLength: z.number().int().min(1).max(256).default(64),
  })
  .superRefine((mask, context) => {
    try {
      compilePattern(mask.pattern, mask.maxLength);
    } catch (error) {
      if (!(error instanceof PatternError)) throw error;
      context.addIssue({ code: 'custom', path: ['pattern'], message: `not a usable pattern: ${error.message}` });
    }
  });

export const maskListSchema = z
  .array(z.union([z.enum(MASK_KINDS), customMask]))
  .max(32)
  .refine((masks) => new Set(masks.map((mask) => (typeof mask === 'string' ? mask : mask.name))).size === masks.length, 'a mask is listed twice');

export const atRetentionSchema = z.enum(['delete', 'anonymize']);

const localKey = z
  .strictObject({
    type: z.literal('local'),
    /** A JWK file (Node; created on first start in development). */
    file: z.string().min(1).optional(),
    /** An environment variable (a Workers secret) holding the JWK. */
    secretEnv: envName.optional(),
    jurisdiction,
  })
  .refine((key) => (key.file === undefined) !== (key.secretEnv === undefined), 'a local key names exactly one of file and secretEnv');

const pkcs11Key = z
  .strictObject({
    type: z.literal('pkcs11'),
    module: z.string().min(1),
    token: z.string().min(1).max(32),
    label: z.string().min(1),
    pinEnv: envName,
    /** The cloud region of a cloud HSM (AWS CloudHSM, Azure Managed HSM)... */
    location: z.string().min(1).optional(),
    /** ...or the declared jurisdiction of an HSM the operator runs. */
    jurisdiction: jurisdiction.optional(),
  })
  .refine((key) => (key.location === undefined) !== (key.jurisdiction === undefined), 'a pkcs11 key names exactly one of location and jurisdiction');

export const encryptionKeySchema = z.union([localKey, pkcs11Key]);

export const zoneEncryptionSchema = z.strictObject({
  key: z.string().min(1),
  per: z.enum(['subject', 'account']).default('subject'),
  keyStore: z.string().min(1),
});

export const encryptionSchema = z.strictObject({
  keys: z.record(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a key name must be 1-63 of a-z, 0-9, ".", "_", "-"'), encryptionKeySchema),
});

export type EncryptionKeyConfig = z.infer<typeof encryptionKeySchema>;
export type ZoneEncryptionConfig = z.infer<typeof zoneEncryptionSchema>;
export type MaskList = z.infer<typeof maskListSchema>;

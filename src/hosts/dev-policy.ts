import type { PolicyDocument } from '../policy/schema.ts';
import { UK_EU_REGION_CODES } from '../policy/uk-eu.ts';
import { DEV_AUDIENCE, DEV_ISSUER } from './dev-keys.ts';

export const DEV_DATA_DIR = './.data';
export const DEV_KEYS_DIR = `${DEV_DATA_DIR}/dev-keys`;

/**
 * The embedded development policy that `npm start` runs without
 * RESIDENCY_POLICY: filesystem stores under ./.data/<zone>/ and the dev key
 * pair under ./.data/dev-keys/. Never used in production (NODE_ENV=production
 * refuses to start without a policy file).
 */
export function developmentPolicy(): PolicyDocument {
  return {
    version: 1,
    auth: {
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      algorithms: ['ES256'],
      jwks: { file: `${DEV_KEYS_DIR}/jwks.json` },
      clockToleranceSeconds: 30,
      maxTokenLifetimeSeconds: 86_400,
      claims: { account: 'account_id', region: 'account_region', subject: 'sub' },
      adminScope: 'residency:admin',
    },
    zones: {
      'uk-eu': { jurisdictions: ['UK', 'EU'], regions: [...UK_EU_REGION_CODES], store: 'uk-eu' },
      us: { jurisdictions: ['US'], regions: ['US'], store: 'us' },
    },
    stores: {
      'uk-eu': { type: 'fs', path: `${DEV_DATA_DIR}/uk-eu`, jurisdiction: 'UK' },
      us: { type: 'fs', path: `${DEV_DATA_DIR}/us`, jurisdiction: 'US' },
    },
    dataClasses: {
      'chat-transcript': { retentionDays: 365, persist: true, embeddedMedia: 'refuse' },
      'cobrowse-session': { retentionDays: 30, persist: true, embeddedMedia: 'refuse' },
      survey: { retentionDays: 730, persist: true, embeddedMedia: 'refuse' },
      'feedback-log': { retentionDays: 90, persist: true, embeddedMedia: 'refuse' },
      'technical-metadata': { retentionDays: 90, persist: true, embeddedMedia: 'refuse' },
      'cobrowse-screenshot': { persist: false, embeddedMedia: 'refuse' },
      recording: { persist: false, embeddedMedia: 'refuse' },
    },
    // Large enough to try a 1 GiB upload against the local stores; production policies default to 100 MiB.
    limits: { maxObjectBytes: 2 * 1024 * 1024 * 1024, requestTimeoutMs: 300_000 },
    audit: { hashIdentifiers: true },
  };
}

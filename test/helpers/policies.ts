/** A valid policy document as a plain object, for tests to vary. */
export function basePolicy(overrides: { jwksUrl?: string; ukStore?: Record<string, unknown>; usStore?: Record<string, unknown> } = {}) {
  return {
    version: 1,
    auth: {
      issuer: 'https://idp.test/',
      audience: 'residency-proxy',
      algorithms: ['RS256', 'ES256', 'EdDSA'],
      jwks: { url: overrides.jwksUrl ?? 'https://idp.test/jwks.json' },
    },
    zones: {
      'uk-eu': { jurisdictions: ['UK', 'EU'], regions: ['GB', 'UK', 'EU', 'IE', 'FR', 'DE', 'NL'], store: 'london' },
      us: { jurisdictions: ['US'], regions: ['US'], store: 'virginia' },
    },
    stores: {
      london: overrides.ukStore ?? { type: 's3', bucket: 'sessions-uk', region: 'eu-west-2' },
      virginia: overrides.usStore ?? { type: 's3', bucket: 'sessions-us', region: 'us-east-1' },
    },
    dataClasses: {
      'chat-transcript': { retentionDays: 365 },
      'cobrowse-session': { retentionDays: 30 },
      'technical-metadata': {},
      'cobrowse-screenshot': { persist: false },
      recording: { persist: false },
    },
  };
}

export type PolicyObject = ReturnType<typeof basePolicy>;

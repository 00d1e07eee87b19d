/** Who is calling, as proven by a verified token. */
export interface Principal {
  /** Customer account id (the account claim), a non-empty string. */
  account: string;
  /** Region claim exactly as sent: one ASCII string, not trimmed or normalised. */
  region: string;
  /** The token's subject (the calling service), if any. */
  subject?: string;
  scopes: ReadonlySet<string>;
  /** Seconds since the epoch. */
  expiresAt: number;
}

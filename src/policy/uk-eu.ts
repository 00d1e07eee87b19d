import { asciiUpper } from './ascii.ts';
import type { Jurisdiction } from './locations.ts';

/**
 * Which region claim values denote a UK or EU account (promise 1 of DESIGN):
 * the gateway knows them itself, so that no policy can route such an account
 * to a zone that may hold data elsewhere, whatever the zone is called.
 *
 * The 27 member states by ISO 3166-1 alpha-2 code, plus `EL` (the EU's own
 * code for Greece), `GB` and `UK` (the United Kingdom) and `EU`. Norway,
 * Iceland, Liechtenstein and Switzerland are not in the EU: they may share a
 * UK/EU zone, but nothing forces them into one.
 */
export const EU_MEMBER_STATES = [
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
] as const;

const UK_EU_REGIONS: ReadonlySet<string> = new Set([...EU_MEMBER_STATES, 'EL', 'GB', 'UK', 'EU']);

/** The jurisdictions a UK/EU account's data may live in. */
export const UK_EU_JURISDICTIONS: readonly Jurisdiction[] = ['UK', 'EU'];

/** Whether a region claim value is a UK or EU account's, compared case-insensitively (ASCII letters only). */
export function isUkEuRegion(region: string): boolean {
  return UK_EU_REGIONS.has(asciiUpper(region));
}

/** The jurisdictions of a zone outside the UK and the EU: where a UK/EU account's data must never be. */
export function jurisdictionsOutsideUkEu(jurisdictions: readonly Jurisdiction[]): Jurisdiction[] {
  return jurisdictions.filter((jurisdiction) => !UK_EU_JURISDICTIONS.includes(jurisdiction));
}

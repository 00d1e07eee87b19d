import { asciiUpper } from './ascii.ts';
import type { Jurisdiction } from './locations.ts';

/**
 * Which region claim values denote a UK or EU account (promise 1 of DESIGN):
 * the gateway knows them itself, so that no policy can route such an account
 * to a zone that may hold data elsewhere, whatever the zone is called.
 *
 * The 27 member states by ISO 3166-1 alpha-2 code (EU_MEMBER_STATES), plus
 * `EL` (the EU's own code for Greece), `GB` and `UK` (the United Kingdom) and
 * `EU`; the same countries by alpha-3 code (`GBR`, `DEU`, ...), since "ISO
 * code" covers both and an identity provider may send either; and the EU's
 * outermost regions and Åland, which ISO codes apart although they are EU
 * territory (`RE` Réunion, `GP` Guadeloupe, ...). Norway, Iceland,
 * Liechtenstein and Switzerland are not in the EU: they may share a UK/EU
 * zone, but nothing forces them into one.
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

/** EU_MEMBER_STATES by ISO 3166-1 alpha-3 code, in the same order. */
const EU_MEMBER_STATES_ALPHA3 = 'AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT ROU SVK SVN ESP SWE'.split(' ');

/** EU territory with ISO codes of its own: the outermost regions (Guadeloupe, French Guiana, Martinique, Réunion, Mayotte, Saint-Martin) and Åland; alpha-2 and alpha-3. */
const EU_TERRITORIES = 'GP GLP GF GUF MQ MTQ RE REU YT MYT MF MAF AX ALA'.split(' ');

/** Every region claim value that denotes a UK or EU account, upper case. */
export const UK_EU_REGION_CODES: readonly string[] = ['GB', 'UK', 'GBR', 'EU', 'EL', ...EU_MEMBER_STATES, ...EU_MEMBER_STATES_ALPHA3, ...EU_TERRITORIES];

const UK_EU_REGIONS: ReadonlySet<string> = new Set(UK_EU_REGION_CODES);

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

import { patternDetector, placeholder, type Detector } from './detector.ts';

/**
 * UK National Insurance numbers: two prefix letters (neither D, F, I, Q, U
 * nor V; the second not O; not BG, GB, KN, NK, NT, TN or ZZ), six digits
 * (optionally in pairs) and a suffix A–D. The number becomes `[uk-nino]`.
 */
const CANDIDATE = /(?<!\w)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?!\w)/i;
const MAX_LENGTH = 13;
const NEVER_ISSUED = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

export function ukNinoDetector(): Detector {
  return patternDetector(
    'uk-nino',
    MAX_LENGTH,
    CANDIDATE,
    (text, start, end) => (NEVER_ISSUED.has(text.slice(start, start + 2).toUpperCase()) ? null : { end, replacement: placeholder('uk-nino') }),
    /\d/,
  );
}

import { patternDetector, placeholder, type Detector } from './detector.ts';

/**
 * IBANs: country code, two check digits and up to 30 letters or digits,
 * written compact or in groups separated by single spaces, with a valid
 * ISO 7064 mod-97 check. A candidate that ran on into following words is
 * shortened at its spaces. The IBAN becomes `[iban]`.
 */
const CANDIDATE = /(?<!\w)[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])/;
const MAX_LENGTH = 4 + 2 * 30;

export function ibanDetector(): Detector {
  return patternDetector(
    'iban',
    MAX_LENGTH,
    CANDIDATE,
    (text, start, end) => {
      for (let last = end; last > start; last = text.lastIndexOf(' ', last - 1)) {
        if (last <= start) break;
        if (isIban(text.slice(start, last).replace(/ /g, ''))) return { end: last, replacement: placeholder('iban') };
      }
      return null;
    },
    /\d/,
  );
}

export function isIban(compact: string): boolean {
  const value = compact.toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(value)) return false;
  const rearranged = value.slice(4) + value.slice(0, 4);
  let remainder = 0;
  for (const c of rearranged) {
    const code = c.charCodeAt(0);
    const n = code >= 65 ? code - 55 : code - 48;
    remainder = (n > 9 ? remainder * 100 + n : remainder * 10 + n) % 97;
  }
  return remainder === 1;
}

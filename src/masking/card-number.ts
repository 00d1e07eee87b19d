import { patternDetector, type Detector } from './detector.ts';

/**
 * Card numbers: 13–19 digits, optionally grouped by single spaces or dashes,
 * not glued to other letters or digits, with an issuer prefix that card
 * schemes use (2221–2720, 30, 34–39, 4, 50–59, 6) and a valid Luhn check
 * digit. A run that is longer (an expiry month written after the number) is
 * shortened group by group from its end. All digits but the last four become
 * `*`; the separators stay.
 */
const CANDIDATE = /(?<!\w|\w[-.])\d(?:[ -]?\d){12,30}(?!\w|[-.]\w)/;
const MAX_LENGTH = 61;

export function cardNumberDetector(): Detector {
  return patternDetector(
    'card-number',
    MAX_LENGTH,
    CANDIDATE,
    (text, start, end) => {
      for (let last = end; last > start; last = previousGroupEnd(text, start, last)) {
        const digits = text.slice(start, last).replace(/[ -]/g, '');
        if (isCardNumber(digits)) return { end: last, replacement: maskAllButLastFour(text.slice(start, last)) };
      }
      return null;
    },
    /\d/,
  );
}

export function isCardNumber(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && plausibleIssuer(digits) && luhnValid(digits);
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function plausibleIssuer(digits: string): boolean {
  const two = Number(digits.slice(0, 2));
  if (digits[0] === '2') {
    const four = Number(digits.slice(0, 4));
    return four >= 2221 && four <= 2720;
  }
  return two === 30 || (two >= 34 && two <= 39) || digits[0] === '4' || digits[0] === '5' || digits[0] === '6';
}

/** The end of the digit group before the one that ends at `end` (just before its separator), or `start` when there is none. */
function previousGroupEnd(text: string, start: number, end: number): number {
  for (let i = end - 1; i > start; i -= 1) {
    const c = text[i];
    if (c === ' ' || c === '-') return i;
  }
  return start;
}

/** Every digit but the last four becomes `*`. */
export function maskAllButLastFour(value: string): string {
  let keep = 4;
  const out: string[] = [];
  for (let i = value.length - 1; i >= 0; i -= 1) {
    const c = value[i] as string;
    const isDigit = c >= '0' && c <= '9';
    out.push(isDigit && keep-- <= 0 ? '*' : c);
  }
  return out.reverse().join('');
}

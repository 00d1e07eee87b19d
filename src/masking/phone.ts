import { patternDetector, placeholder, type Detector } from './detector.ts';

/**
 * Phone numbers: international ones (`+` then 8–15 digits, or `00` then 10–15,
 * E.164, grouped or not) and the common national shapes: North American
 * `(415) 555-2671` / `415-555-2671` / `415.555.2671`, and trunk-prefixed
 * European ones (`020 7946 0958`, `01 23 45 67 89`, `030 12345678`,
 * `07700900123`). Digit runs without these shapes (order numbers, dates,
 * timestamps, amounts) are left alone. The number becomes `[phone]`.
 */
const CANDIDATE = /(?<![\w+./:-])(?:\+|00)?\(?\d[\d ().-]{5,22}\d(?!\w|[./:-]\d)/;
const MAX_LENGTH = 28;

export function phoneDetector(): Detector {
  return patternDetector(
    'phone',
    MAX_LENGTH,
    CANDIDATE,
    (text, start, end) => (isPhoneShape(text.slice(start, end)) ? { end, replacement: placeholder('phone') } : null),
    /\d/,
  );
}

export function isPhoneShape(candidate: string): boolean {
  if (/[ .-]{2}|\)\(|\(\)/.test(candidate) || !balancedOnce(candidate)) return false;
  const plus = candidate.startsWith('+');
  const international = plus ? candidate.slice(1) : candidate.startsWith('00') ? candidate.slice(2) : null;
  if (international !== null) {
    const digits = international.replace(/\D/g, '');
    // After `00` (rather than `+`) short runs are more often zero-padded ids than numbers.
    return /^[1-9]/.test(international.replace(/^\(/, '')) && digits.length >= (plus ? 8 : 10) && digits.length <= 15;
  }
  const groups = candidate.split(/[ ().-]+/).filter((group) => group !== '');
  const lengths = groups.map((group) => group.length).join(',');
  if (lengths === '3,3,4' && /^[2-9]/.test(groups[0] ?? '')) return true;
  if (lengths === '1,3,3,4' && groups[0] === '1' && /^[2-9]/.test(groups[1] ?? '')) return true;
  const digits = groups.join('');
  if (!digits.startsWith('0') || digits.startsWith('00') || digits.length < 10 || digits.length > 11) return false;
  if (groups.length === 1) return digits.length === 11 && digits.startsWith('07');
  return groups.every((group) => group.length >= 2 && group.length <= 8);
}

/** At most one pair of parentheses, opened before it is closed. */
function balancedOnce(candidate: string): boolean {
  const open = candidate.indexOf('(');
  const close = candidate.indexOf(')');
  if (open === -1 && close === -1) return true;
  return open !== -1 && close > open + 1 && candidate.indexOf('(', open + 1) === -1 && candidate.indexOf(')', close + 1) === -1;
}

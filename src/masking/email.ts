import { patternDetector, placeholder, type Detector } from './detector.ts';

/**
 * E-mail addresses: a local part of at most 64 characters, `@`, one to four
 * dot-separated labels and a top-level domain of letters. The whole address
 * becomes `[email]`.
 */
const CANDIDATE = /(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,4}[A-Za-z]{2,24}(?![\w-]|\.\w)/;
const MAX_LENGTH = 64 + 1 + 4 * 64 + 24;

export function emailDetector(): Detector {
  return patternDetector('email', MAX_LENGTH, CANDIDATE, (_text, _start, end) => ({ end, replacement: placeholder('email') }), /@/);
}

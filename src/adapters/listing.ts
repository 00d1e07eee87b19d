import { StoreError } from './errors.ts';

/** Page size when the caller gives none, and the most a page may hold (as S3 and Azure cap it). */
export const MAX_LIST_LIMIT = 1000;

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return MAX_LIST_LIMIT;
  return Math.min(Math.max(Math.trunc(limit), 1), MAX_LIST_LIMIT);
}

/**
 * Orders keys by Unicode code point, which is the order of their UTF-8 bytes
 * and the order S3 lists in. (JavaScript's `<` compares UTF-16 code units,
 * which puts U+E000..U+FFFF after astral characters.)
 */
export function compareKeys(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const l = left.next();
    const r = right.next();
    if (l.done || r.done) return l.done === r.done ? 0 : l.done ? -1 : 1;
    const diff = (l.value.codePointAt(0) ?? 0) - (r.value.codePointAt(0) ?? 0);
    if (diff !== 0) return diff;
  }
}

/**
 * Cursors of the stores that page by key (memory, fs): the last key returned,
 * base64url-encoded so that callers treat it as opaque.
 */
export function encodeCursor(lastKey: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(lastKey)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export function decodeCursor(cursor: string): string {
  try {
    const binary = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
  } catch {
    throw new StoreError('invalid', 'the list cursor is not one this store issued');
  }
}

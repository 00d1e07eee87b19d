import { mediaKindOf, parseMediaType } from './content-type.ts';
import type { MediaMatch } from './signatures/index.ts';

/** Part headers longer than this are refused rather than searched without end. */
export const MAX_PART_HEADER_BYTES = 16 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;

export type Delimiter =
  | { readonly kind: 'part'; readonly bodyStart: number; readonly declared: MediaMatch | null }
  | { readonly kind: 'close' }
  /** The headers do not end within the bytes in view. */
  | { readonly kind: 'headers-too-long' };

/**
 * The delimiter line `--boundary` at `at` (right after a line break, or at
 * the start of the body), with the part's headers when one follows.
 */
export function delimiterAt(b: Uint8Array, at: number, end: number, boundary: Uint8Array): Delimiter | null {
  if (b[at] !== DASH || b[at + 1] !== DASH || at + 2 + boundary.length > end) return null;
  for (let i = 0; i < boundary.length; i++) if (b[at + 2 + i] !== boundary[i]) return null;
  let i = at + 2 + boundary.length;
  if (b[i] === DASH && b[i + 1] === DASH) return { kind: 'close' };
  while (i < end && (b[i] === 0x20 || b[i] === 0x09)) i++;
  if (b[i] === CR) i++;
  if (b[i] !== LF) return null;
  const headersStart = i + 1;
  const headersEnd = findBlankLine(b, headersStart, Math.min(end, headersStart + MAX_PART_HEADER_BYTES));
  if (headersEnd < 0) return { kind: 'headers-too-long' };
  const headers = new TextDecoder().decode(b.subarray(headersStart, headersEnd.valueOf()));
  return { kind: 'part', bodyStart: bodyStartAfter(b, headersEnd), declared: declaredPartMedia(headers) };
}

/** Offset where the blank line ending the headers begins (headers may be empty), or -1. */
function findBlankLine(b: Uint8Array, from: number, to: number): number {
  if (b[from] === LF || (b[from] === CR && b[from + 1] === LF)) return from;
  for (let i = from; i < to; i++) {
    if (b[i] !== LF) continue;
    if (b[i + 1] === LF) return i + 1;
    if (b[i + 1] === CR && b[i + 2] === LF) return i + 1;
  }
  return -1;
}

const bodyStartAfter = (b: Uint8Array, blankLine: number): number => blankLine + (b[blankLine] === CR ? 2 : 1);

function declaredPartMedia(headers: string): MediaMatch | null {
  const contentType = /^content-type[ \t]*:(.*)$/im.exec(headers)?.[1];
  const type = contentType === undefined ? null : parseMediaType(contentType.trim());
  const kind = type && mediaKindOf(type);
  return type && kind ? { kind, format: type.essence } : null;
}

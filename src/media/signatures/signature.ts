/** What a signature is and what it reports. */

import { startsWith } from '../bytes.ts';

export type MediaKind = 'image' | 'audio' | 'video';

export interface MediaMatch {
  readonly kind: MediaKind;
  /** Human-readable format name, e.g. `PNG`, `MP3`, `WebM`. */
  readonly format: string;
}

/** `start`: content begins at the offset checked; `anywhere`: an arbitrary offset inside other content. */
export type Where = 'anywhere' | 'start';

export interface Signature {
  /** The bytes a match can begin with. */
  readonly first: readonly number[];
  /** The bytes that can follow the first one, when fewer than all: a faster lookup. */
  readonly second?: readonly number[];
  readonly where: Where;
  /** A text format (SVG): exempt from the binary-evidence rule. */
  readonly text?: boolean;
  /** The format at `at` in `b[at, end)`, or null. `end` is where the available bytes stop. */
  match(b: Uint8Array, at: number, end: number, where: Where): MediaMatch | null;
}

export const image = (format: string): MediaMatch => ({ kind: 'image', format });
export const audio = (format: string): MediaMatch => ({ kind: 'audio', format });
export const video = (format: string): MediaMatch => ({ kind: 'video', format });

/**
 * A signature that is a fixed byte sequence, then (optionally) header fields
 * that `confirm` checks; `confirm` reads only `b[at, end)`.
 */
export function magic(
  sequence: Uint8Array | readonly number[],
  where: Where,
  media: MediaMatch,
  confirm?: (b: Uint8Array, at: number, end: number) => boolean,
): Signature {
  return {
    first: [sequence[0]!],
    second: sequence.length > 1 ? [sequence[1]!] : undefined,
    where,
    match: (b, at, end) => (startsWith(b, at, end, sequence) && (!confirm || confirm(b, at, end)) ? media : null),
  };
}

import type { LayerWhere } from '../layers/registry.ts';
import type { TapTarget } from './taps.ts';

/*
 * What the scanner's parts ask of one another through the core they share
 * (./core.ts), named here so that the core depends on these roles and not
 * on the classes that play them: imports then go one way.
 */

/** The layers found by their magic (./layers.ts). */
export interface LayerFinder {
  /** A layer was found where the content starts: the content is that wrapping, not text. */
  readonly wrapsContent: boolean;
  /** Where compressed or wrapped content found inside goes: a nested scanner for `what`, one layer deeper. */
  target(what: string, locate: (offset: number) => string): TapTarget;
  /** Opens the layer whose magic stands at index `p`, if any. */
  at(p: number, where: LayerWhere): void;
}

/** The byte spellings (./byte-spellings.ts), as the layer finder asks them where content starts. */
export interface SpellingStarts {
  /** Whether bytes spelt out start at index `p` (and are opened there). */
  contentStart(p: number): boolean;
}

/** A value found in text, and what replaces it. */
export interface Match {
  start: number;
  end: number;
  replacement: string;
}

/**
 * Finds one kind of value in text. A detector looks at most `CONTEXT`
 * characters either side of a match, and no match is longer than
 * `maxLength`, so a streaming scanner knows when a position is decided.
 */
export interface Detector {
  readonly kind: string;
  readonly maxLength: number;
  /** The leftmost match starting at or after `from`, or null. */
  find(text: string, from: number): Match | null;
}

/** Characters of context a detector may look at before a match's start and after its end. */
export const CONTEXT = 4;

/** Given a candidate, the end of the accepted value (the candidate may shrink) and its replacement, or null. */
export type Accept = (text: string, start: number, end: number) => { end: number; replacement: string } | null;

/**
 * A detector from a candidate pattern (bounded length, no nested quantifiers,
 * lookarounds of at most CONTEXT characters) and a check of each candidate.
 * A rejected candidate is retried one character further on, so a value that
 * starts inside a rejected one is still found. `required` matches a
 * character that every candidate contains.
 */
export function patternDetector(kind: string, maxLength: number, candidate: RegExp, accept: Accept, required: RegExp): Detector {
  const pattern = new RegExp(candidate.source, candidate.flags.includes('g') ? candidate.flags : `${candidate.flags}g`);
  const prefilter = new RegExp(required.source, 'g');
  return {
    kind,
    maxLength,
    find(text, from) {
      // A cheap scan for a character every match contains skips most text that holds no candidate at all.
      prefilter.lastIndex = from;
      if (!prefilter.test(text)) return null;
      for (let at = from; at < text.length; ) {
        pattern.lastIndex = at;
        const found = pattern.exec(text);
        if (!found) return null;
        const accepted = accept(text, found.index, found.index + found[0].length);
        if (accepted) return { start: found.index, ...accepted };
        at = found.index + 1;
      }
      return null;
    },
  };
}

/** `[kind]`: a replacement that keeps nothing of the value. */
export const placeholder = (kind: string): string => `[${kind}]`;

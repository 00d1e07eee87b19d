import { CONTEXT, type Detector, type Match } from './detector.ts';
import type { MaskCounts } from './kinds.ts';

/**
 * Masks a text that arrives in pieces. A position is decided once the
 * longest value a detector can match, plus its context, has arrived after
 * it; until then the text is held back, so a value split across pieces is
 * found exactly as in one piece. What is emitted never splits a surrogate
 * pair.
 */
export class TextMasker {
  readonly #detectors: readonly Detector[];
  readonly #counts: MaskCounts;
  readonly #lookahead: number;
  /** Text not yet emitted, after `#context` characters already emitted (kept so detectors see what came before). */
  #held = '';
  #context = 0;

  constructor(detectors: readonly Detector[], counts: MaskCounts) {
    this.#detectors = detectors;
    this.#counts = counts;
    this.#lookahead = Math.max(0, ...detectors.map((detector) => detector.maxLength)) + CONTEXT;
  }

  /** Masks what can be decided and returns it. */
  push(text: string): string {
    const held = this.#held + text;
    // Nothing can be decided until more than the lookahead is held: wait rather than scan twice.
    if (held.length - this.#context <= this.#lookahead) {
      this.#held = held;
      return '';
    }
    return this.#scan(held, false);
  }

  /** Masks and returns everything still held; the masker is then ready for a new text. */
  end(): string {
    const out = this.#scan(this.#held, true);
    this.#held = '';
    this.#context = 0;
    return out;
  }

  #scan(text: string, final: boolean): string {
    const limit = final ? text.length : text.length - this.#lookahead;
    // Per detector: its next match, null when it has none left, undefined when not yet looked for.
    const pending: (Match | null | undefined)[] = this.#detectors.map(() => undefined);
    const out: string[] = [];
    let position = this.#context;
    for (;;) {
      let found: Match | null = null;
      let foundBy: Detector | null = null;
      for (let index = 0; index < this.#detectors.length; index += 1) {
        const detector = this.#detectors[index] as Detector;
        let match = pending[index];
        if (match === undefined || (match !== null && match.start < position)) match = detector.find(text, position);
        pending[index] = match;
        if (match && (found === null || match.start < found.start || (match.start === found.start && match.end > found.end))) {
          found = match;
          foundBy = detector;
        }
      }
      if (found === null || foundBy === null || found.start >= limit) break;
      out.push(text.slice(position, found.start), found.replacement);
      this.#counts[foundBy.kind] = (this.#counts[foundBy.kind] ?? 0) + 1;
      position = found.end;
    }
    let emitted = final ? text.length : Math.max(position, limit);
    if (!final && emitted > position && isHighSurrogate(text.charCodeAt(emitted - 1))) emitted -= 1;
    out.push(text.slice(position, emitted));
    const keepFrom = Math.max(0, emitted - CONTEXT);
    this.#held = text.slice(keepFrom);
    this.#context = emitted - keepFrom;
    return out.join('');
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

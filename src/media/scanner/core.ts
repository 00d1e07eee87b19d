import type { InspectionContext } from '../context.ts';
import type { ByteSink } from '../decoder.ts';
import type { ContentStarts } from './content-starts.ts';
import type { LayerFinder, SpellingStarts } from './roles.ts';
import type { TapSet } from './taps.ts';
import type { Verdicts } from './verdicts.ts';
import type { ScanWindow } from './window.ts';

export interface ScannerSettings {
  /** Layers of compression around this content (0 for the body as received). */
  readonly depth: number;
  /** Says where an offset of this content is, e.g. `at byte 12` or `at byte 3 of ZIP entry "a.png" at byte 40`. */
  readonly locate: (offset: number) => string;
  /** The content claims to be UTF-8 text: invalid UTF-8 refuses it. */
  readonly utf8: boolean;
  /** The multipart boundary, when the content is multipart. */
  readonly boundary?: Uint8Array;
  /** Set only for the unencoded body in `redact` mode: receives the rewritten body. */
  readonly emit?: (chunk: Uint8Array) => void;
}

/** What the parts of one scanner share. */
export interface ScanCore {
  readonly window: ScanWindow;
  readonly settings: ScannerSettings;
  readonly context: InspectionContext;
  readonly verdicts: Verdicts;
  readonly taps: TapSet;
  readonly contentStarts: ContentStarts;
  readonly layers: LayerFinder;
  readonly byteSpellings: SpellingStarts;
  /** A scanner for compressed content found inside (`what`), one layer deeper; stops the round past the depth budget. */
  nested(what: string, locate: (offset: number) => string): ByteSink;
}

import { sniffAt, SNIFF_LOOKAHEAD } from '../signatures/index.ts';
import type { LayerFinder } from './roles.ts';
import type { Verdicts } from './verdicts.ts';
import type { ScanWindow } from './window.ts';

/** How many recent content starts are remembered for `startsContent`. */
const RECENT = 8;

/**
 * Where content begins (the body, multipart parts, stored ZIP entries, the
 * bytes after a compressed stream): sniffed with the signatures and layers
 * that count where content starts, once in view.
 */
export class ContentStarts {
  private readonly pending: { at: number; how: string }[] = [{ at: 0, how: '' }];
  private readonly recent: number[] = [0];

  /** Absolute offset of the earliest content start not sniffed yet, or Infinity. */
  get nextAt(): number {
    return this.pending.length > 0 ? this.pending[0]!.at : Infinity;
  }

  /** `at` is absolute; `how` says which content it is, e.g. `in multipart part 2`. */
  add(at: number, how: string): void {
    this.pending.push({ at, how });
    this.recent.push(at);
    if (this.recent.length > RECENT) this.recent.shift();
  }

  /** Whether a body, part or entry starts at absolute `at`: media there is all of it, which cannot be redacted. */
  startsContent(at: number): boolean {
    return this.recent.includes(at);
  }

  /** Media where content starts is refused even when redacting: it is the whole body, part or entry. */
  sniff(window: ScanWindow, limit: number, final: boolean, verdicts: Verdicts, layers: LayerFinder): void {
    while (this.pending.length > 0 && (final || window.index(this.pending[0]!.at) < limit)) {
      const { at, how } = this.pending.shift()!;
      const p = window.index(at);
      if (p < 0 || p >= window.length) continue;
      const media = sniffAt(window.bytes, p, Math.min(window.length, p + SNIFF_LOOKAHEAD), 'start');
      if (media) verdicts.found(media, how, at);
      layers.at(p, 'start');
    }
  }
}

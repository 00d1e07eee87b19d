import type { ByteSink } from '../decoder.ts';
import { layerAt, MAY_START_LAYER, MAY_START_LAYER_PAIR, type LayerWhere } from '../layers/registry.ts';
import type { ScanCore } from './core.ts';
import type { LayerFinder } from './roles.ts';
import { isSpacedHex } from '../hex.ts';
import { tarHeaderAt } from '../tar.ts';
import { hexTap, layerTap, tarTap, type TapTarget } from './taps.ts';

/** Characters of spaced pairs looked at to tell hex from decimal values. */
const SPACED_PAIRS_LOOKED_AT = 36;

/** Whether the spaced pairs at `p` hold no hex letter as far as SPACED_PAIRS_LOOKED_AT characters. */
function onlyDigitsAhead(b: Uint8Array, p: number, end: number): boolean {
  for (let i = p; i < Math.min(end, p + SPACED_PAIRS_LOOKED_AT); i++) if ((b[i]! | 0x20) >= 0x61 && (b[i]! | 0x20) <= 0x66) return false;
  return true;
}

/** Where a tap that decodes nothing sends its bytes. */
const NOTHING: ByteSink = { push: () => undefined, drain: () => Promise.resolve(), end: () => undefined };

/** Decoding errors mean the bytes were not that layer after all: whatever was decoded is still scanned, and so are the bytes themselves. */
const notThatLayer = (): void => undefined;

/**
 * Layers found inside the content by their magic (src/media/layers/): each
 * is decoded into a nested scanner while the content's own bytes are
 * scanned as they are. Bytes after the end of a layer's data are content
 * that starts there: sniffed, and peeled again if they are another layer.
 */
export class Layers implements LayerFinder {
  /** Absolute offset of the last layer opened, so that a start seen twice (as content start and by its magic) opens once. */
  private lastOpened = -1;
  /** A layer was found where the content starts: the content is that wrapping, not text, whatever it was declared as. */
  wrapsContent = false;

  constructor(private readonly core: ScanCore) {}

  /** Where compressed or wrapped content found inside goes: a nested scanner for `what`, one layer deeper (STOP past the depth budget). */
  target(what: string, locate: (offset: number) => string): TapTarget {
    const core = this.core;
    return {
      context: core.context,
      output: core.nested(what, locate),
      handlers: {
        field: (name) => {
          const field = `the ${name} field of ${what}`;
          return core.context.allowDepth(core.settings.depth + 1, field) ? core.nested(field, (offset) => `at byte ${offset} of ${field}`) : null;
        },
        trailing: (at) => core.contentStarts.add(at, `after the end of ${what}`),
        corrupt: notThatLayer,
      },
    };
  }

  /** Opens the layer whose magic stands at index `p`, if any. */
  at(p: number, where: LayerWhere): void {
    const { window, settings, context, taps } = this.core;
    const b = window.bytes;
    if (where === 'anywhere' && !(p + 1 < window.length ? MAY_START_LAYER_PAIR[(b[p]! << 8) | b[p + 1]!] : MAY_START_LAYER[b[p]!])) return;
    const at = window.abs(p);
    if (at === this.lastOpened) return;
    if (where === 'start' && tarHeaderAt(window.bytes, p, window.length)) return this.tar(at);
    if (where === 'start' && isSpacedHex(window.bytes, p, window.length)) {
      this.spacedHex(at);
      // `80 54 10 51 ...` (netpbm, Y4M: text headers) is as much two-digit decimal values: read as a list of them too
      if (onlyDigitsAhead(b, p, window.length)) this.core.byteSpellings.contentStart(p);
      return;
    }
    if (where === 'start' && this.core.byteSpellings.contentStart(p)) return;
    const layer = layerAt(window.bytes, p, window.length, where);
    if (!layer) return;
    this.lastOpened = at;
    if (at === 0) this.wrapsContent = true;
    const what = `${layer.name} data ${settings.locate(at)}`;
    const target = this.target(what, (offset) => `at byte ${offset} of ${what}`);
    taps.openLayer(layerTap(at, layer, { maxMemoryBytes: context.budgets.maxLayerMemoryBytes }, target));
  }

  /** Hex digits in spaced pairs at absolute `at`, where content starts (a hex dump): decoded like a hex run. */
  private spacedHex(at: number): void {
    this.lastOpened = at;
    const what = `spaced hex ${this.core.settings.locate(at)}`;
    this.core.taps.openLayer(
      hexTap(
        at,
        this.target(what, (offset) => `at byte ${offset} of ${what}`),
        true,
      ),
    );
  }

  /** A tar archive at absolute `at`: its members are content that starts where their data does. */
  private tar(at: number): void {
    const { contentStarts, taps } = this.core;
    this.lastOpened = at;
    if (at === 0) this.wrapsContent = true;
    const member = (dataStart: number, name: string): void => contentStarts.add(dataStart, `in tar member ${JSON.stringify(name)}`);
    taps.openLayer(tarTap(at, member, NOTHING));
  }
}

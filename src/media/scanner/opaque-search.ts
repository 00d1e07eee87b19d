import { continuation, RUN_BYTE, RunDecoder } from '../base64.ts';
import { HexPrefix } from '../hex.ts';
import type { ByteSink } from '../decoder.ts';
import { layerAt } from '../layers/registry.ts';
import { ANYWHERE_LAYER_PAIRS, isPairIn, pairBits } from '../opaque.ts';
import { MAY_START_SIGNATURE, MAY_START_SIGNATURE_PAIR, sniffAt, SNIFF_LOOKAHEAD } from '../signatures/index.ts';
import { isLocalHeader } from '../zip.ts';
import type { ScanCore } from './core.ts';
import { base64Tap, hexTap, type TapTarget } from './taps.ts';
import { ScanWindow } from './window.ts';

/**
 * Decoded base64 or hex whose start is opaque binary (src/media/opaque.ts)
 * is not scanned as content, which would cost as much as scanning a binary
 * body, but searched at every offset for what a raw body's scan finds
 * there: a strong signature, a layer's magic, a ZIP local header, or text
 * (which may carry base64, hex or a data: URL). From the first such offset
 * on, the bytes are content that starts there, scanned by a nested scanner.
 */

/** Printable characters in a row that make the bytes text worth scanning: random bytes hold this many with odds below 2^-90. */
const TEXT_RUN = 64;
const ZIP_FIRST = 0x50;
/** 1 for the bytes of text: printable ASCII, tab, CR and LF. */
const TEXT_BYTE = Uint8Array.from({ length: 256 }, (_, byte) => ((byte >= 0x20 && byte < 0x7f) || byte === 0x09 || byte === 0x0a || byte === 0x0d ? 1 : 0));

/** The pairs of bytes that can begin an `anywhere` signature, and those that can begin it or a layer or a ZIP local header. */
const SIGNATURE_PAIRS = pairBits((pair) => MAY_START_SIGNATURE_PAIR[pair] === 1);
const CANDIDATE_PAIRS = SIGNATURE_PAIRS.map((bits, word) => bits | ANYWHERE_LAYER_PAIRS[word]!);
const INITIAL_CAPACITY = 4 * 1024;
/** The content handed over begins this much before the offset recognised: a layer may be recognised past its first bytes (LZH's method id stands 2 bytes into its header). */
const HANDOVER_BEHIND = 2;

/** Whether a raw body's scan would stop at `b[at]`, where `pair` begins: media, a layer, or a ZIP entry begins there. */
function recognisedAt(b: Uint8Array, at: number, end: number, pair: number): boolean {
  if (isPairIn(SIGNATURE_PAIRS, pair) && sniffAt(b, at, Math.min(end, at + SNIFF_LOOKAHEAD), 'anywhere') !== null) return true;
  return isPairIn(ANYWHERE_LAYER_PAIRS, pair) && (layerAt(b, at, end, 'anywhere') !== null || (b[at] === ZIP_FIRST && isLocalHeader(b, at)));
}

/**
 * Index in `b[from, to)` where TEXT_RUN text bytes in a row end first, or -1;
 * `state.text` carries the text bytes in a row before `from`, and receives
 * those before `to` when there is none. Looks at the byte where the run
 * would end and back from there: most bytes of opaque data are not text, so
 * most are never read.
 */
function textRunEnd(b: Uint8Array, from: number, to: number, state: { text: number }): number {
  // every byte in [runStart, checked) is text
  let runStart = from - state.text;
  let checked = from;
  for (let last = runStart + TEXT_RUN - 1; last < to; last = runStart + TEXT_RUN - 1) {
    let r = last;
    while (r >= checked && TEXT_BYTE[b[r]!] === 1) r--;
    if (r < checked) return last;
    runStart = r + 1;
    checked = last + 1;
  }
  let r = to - 1;
  while (r >= checked && TEXT_BYTE[b[r]!] === 1) r--;
  state.text = to - (r < checked ? runStart : r + 1);
  return -1;
}

/** Nonzero when the pair of bytes `first`, `second` can begin what a raw body's scan stops at. */
const candidate = (first: number, second: number): number => CANDIDATE_PAIRS[(first << 3) | (second >>> 5)]! & (1 << (second & 31));

/** Index of the first offset in `b[from, to)` whose pair of bytes a raw body's scan would stop at, or -1. */
function firstRecognisedPair(b: Uint8Array, from: number, to: number, end: number): number {
  const paired = Math.min(to, end - 1);
  let p = from;
  while (p < paired) {
    // eight pairs a step while none is a candidate (each is, at random, with odds of about 1 in 40)
    if (p + 8 <= paired) {
      const b0 = b[p]!;
      const b1 = b[p + 1]!;
      const b2 = b[p + 2]!;
      const b3 = b[p + 3]!;
      const b4 = b[p + 4]!;
      const b5 = b[p + 5]!;
      const b6 = b[p + 6]!;
      const b7 = b[p + 7]!;
      const b8 = b[p + 8]!;
      if (
        (candidate(b0, b1) |
          candidate(b1, b2) |
          candidate(b2, b3) |
          candidate(b3, b4) |
          candidate(b4, b5) |
          candidate(b5, b6) |
          candidate(b6, b7) |
          candidate(b7, b8)) ===
        0
      ) {
        p += 8;
        continue;
      }
    }
    for (const stop = Math.min(p + 8, paired); p < stop; p++) {
      const pair = (b[p]! << 8) | b[p + 1]!;
      if (isPairIn(CANDIDATE_PAIRS, pair) && recognisedAt(b, p, end, pair)) return p;
    }
  }
  if (p >= to) return -1;
  // the last byte of the data has no byte after it: its pair is (byte, 0)
  const last = b[p]! << 8;
  return isPairIn(CANDIDATE_PAIRS, last) && recognisedAt(b, p, end, last) ? p : -1;
}

/** Decoded bytes that begin with this many bytes of text are content, for `beginsRecognisably`. */
const TEXT_START = 32;
/** Offsets at which `beginsRecognisably` looks for formats recognised only at a start (as src/media/opaque.ts does). */
const START_OFFSETS = 4;

/**
 * Whether decoded bytes `b[0, length)` begin with text, or a raw body's scan
 * would stop within their first `within` bytes (media, a layer, a ZIP
 * entry): a cheap test, by pairs of bytes, that noise fails.
 */
export function beginsRecognisably(b: Uint8Array, length: number, within: number): boolean {
  let text = 0;
  while (text < TEXT_START && text < length && TEXT_BYTE[b[text]!] === 1) text++;
  if (text === Math.min(TEXT_START, length)) return true;
  // formats recognised only where content starts (MPEG audio frames), a few bytes of a glued word before them
  for (let t = 0; t < START_OFFSETS && t < length; t++) if (MAY_START_SIGNATURE[b[t]!] && sniffAt(b, t, length, 'start')) return true;
  return firstRecognisedPair(b, 0, Math.min(within, length), length) >= 0;
}

/** Index of the first offset in `b[from, to)` where a raw body's scan would stop, or -1; `state.text` carries the text bytes in a row before `from`. */
function firstRecognised(b: Uint8Array, from: number, to: number, end: number, state: { text: number }): number {
  const textEnd = textRunEnd(b, from, to, state);
  // the pairs before the end of the first text run are met first
  const pair = firstRecognisedPair(b, from, textEnd < 0 ? to : textEnd, end);
  return pair >= 0 ? pair : textEnd < 0 ? -1 : textEnd + 1 - TEXT_RUN;
}

/** Decoded bytes that arrive piece by piece (a run longer than the scanner's view), searched with SNIFF_LOOKAHEAD bytes in view. */
export class OpaqueSearch implements ByteSink {
  /** Keeps TEXT_RUN bytes behind the position: a text run is scanned from its start, a layer may look back at its magic's offset. */
  private readonly window = new ScanWindow(INITIAL_CAPACITY, TEXT_RUN);
  private readonly state = { text: 0 };
  /** The scanner of what follows the first offset recognised, once there is one. */
  private content: ByteSink | null = null;

  /** `open(from)` makes the scanner of the content from absolute offset `from` on. */
  constructor(private readonly open: (from: number) => ByteSink) {}

  push(chunk: Uint8Array): void {
    if (this.content) return this.content.push(chunk);
    this.window.append(chunk);
    this.search(this.window.length - SNIFF_LOOKAHEAD);
  }

  drain(): Promise<void> {
    return this.content ? this.content.drain() : Promise.resolve();
  }

  end(): void {
    if (!this.content) this.search(this.window.length);
    this.content?.end();
  }

  private search(limit: number): void {
    const window = this.window;
    if (limit <= window.position) return;
    const found = firstRecognised(window.bytes, window.position, limit, window.length, this.state);
    if (found < 0) {
      window.position = limit;
      return;
    }
    // the bytes behind the position are still held: TEXT_RUN of them, more than HANDOVER_BEHIND
    const from = Math.max(0, found - HANDOVER_BEHIND);
    this.content = this.open(window.abs(from));
    this.content.push(window.bytes.slice(from, window.length));
  }
}

/** Text taps decode no side fields and end with their text: a layer's end or failure cannot happen to them. */
const TEXT_ONLY: TapTarget['handlers'] = { field: () => null, trailing: () => undefined, corrupt: () => undefined };

/**
 * The opaque base64 or hex run at absolute `at`, whose start `prefix` holds
 * decoded: searched at once when the scanner has all of it in view, else
 * decoded whole again into an OpaqueSearch as the scanner passes it. True:
 * the run is dealt with.
 */
export function searchOpaque(core: ScanCore, hex: boolean, at: number, prefix: RunDecoder | HexPrefix): true {
  const what = `a ${hex ? 'hex' : 'base64'} string ${core.settings.locate(at)}`;
  const content = (from: number): ByteSink => core.nested(what, (offset) => `at byte ${from + offset} of ${what}`);
  const run = wholeRun(core, at, prefix);
  if (run) {
    if (!core.context.decoded(run.length)) return true;
    const found = firstRecognised(run.bytes, 0, run.length, run.length, { text: 0 });
    if (found >= 0) {
      const from = Math.max(0, found - HANDOVER_BEHIND);
      const scanner = content(from);
      scanner.push(run.bytes.slice(from, run.length));
      scanner.end();
    }
    return true;
  }
  const target: TapTarget = { context: core.context, output: new OpaqueSearch(content), handlers: TEXT_ONLY };
  core.taps.openLayer(hex ? hexTap(at, target) : base64Tap(at, target));
  return true;
}

/** Runs of up to this many decoded bytes are decoded at once when the scanner has them in view (its lookahead is 32 KiB). */
const WHOLE_RUN_BYTES = 48 * 1024;
const wholeBase64 = new RunDecoder(WHOLE_RUN_BYTES);
const wholeHex = new HexPrefix(WHOLE_RUN_BYTES);
/** Scratch for `continuation`. */
const ESCAPED = { value: 0 };

/** The whole run at absolute `at` decoded (`prefix`, if it holds all of it), or null when the run goes on past the scanner's view. */
function wholeRun(core: ScanCore, at: number, prefix: RunDecoder | HexPrefix): RunDecoder | HexPrefix | null {
  const { window } = core;
  let decoded = prefix;
  if (prefix.length >= prefix.bytes.length) {
    // the prefix is full: the rest of the run is decoded after it
    if (prefix instanceof RunDecoder) wholeBase64.decodeOn(prefix, window.bytes, window.length);
    else wholeHex.decodeOn(prefix, window.bytes, window.length);
    decoded = prefix instanceof RunDecoder ? wholeBase64 : wholeHex;
    if (decoded.length >= decoded.bytes.length) return null;
  }
  // the run's characters are all plain (as many bytes as characters) and end in view at a byte that cannot continue it
  const end = window.index(at) + (decoded instanceof RunDecoder ? decoded.chars : 2 * decoded.length);
  return end < window.length && !RUN_BYTE[window.bytes[end]!] && continuation(window.bytes, end, window.length, ESCAPED, true) === 0 ? decoded : null;
}

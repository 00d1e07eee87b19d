import { continuation, decodedByteAt, RUN_BYTE, RunDecoder } from '../base64.ts';
import { HexPrefix, isHexRun } from '../hex.ts';
import { isBase32Run } from '../base32.ts';
import { ANYWHERE_START, decodedStart, type DecodedStart } from '../opaque.ts';
import { latin1EscapeAt } from '../bytes.ts';
import { percentEscapeAt } from '../percent.ts';
import { MARKER_BYTES } from '../redaction.ts';
import { MAY_START_MEDIA_PROBE, mayStartMedia, SNIFF_LOOKAHEAD, sniffAt } from '../signatures/index.ts';
import type { ScanCore } from './core.ts';
import { beginsRecognisably, searchOpaque } from './opaque-search.ts';
import { base32Tap, base64Tap, hexTap } from './taps.ts';

/** Runs shorter than this are words, not base64 worth decoding. */
export const MIN_RUN_CHARS = 16;
/**
 * Bytes decoded from the start of each long run: all that a signature check
 * may look at (frame streams confirm over several frames), and the start
 * that tells opaque binary from content (src/media/opaque.ts).
 */
const RUN_PREFIX_BYTES = SNIFF_LOOKAHEAD;
/** Decodes run prefixes, noting where layers and ZIP headers may begin; used synchronously, so one serves every scanner. */
const prefixDecoder = new RunDecoder(RUN_PREFIX_BYTES, ANYWHERE_START);
/**
 * Runs at least this long are decoded whole into a nested scanner (base64
 * of a ZIP, of gzip, of JSON with a data: URL, of a few bytes and then
 * media); shorter ones (identifiers, UUIDs, words) are only sniffed.
 */
const NESTED_RUN_CHARS = 64;
const lengthProbe = new RunDecoder((NESTED_RUN_CHARS / 4) * 3);
const hexPrefix = new HexPrefix(RUN_PREFIX_BYTES);
/** Bytes that may continue a run past its plain alphabet: escapes (`\`, `%`) and folds. */
const MAY_CONTINUE = Uint8Array.from({ length: 256 }, (_, byte) =>
  byte === 0x5c || byte === 0x25 || byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d ? 1 : 0,
);
/** Hex digits a run must start with to be decoded as hex. */
const HEX_RUN_CHARS = 32;

const EQUALS = 0x3d;

/** Past the `=` padding (also JSON-escaped as `\u003d`) that ends a base64 run. */
function afterPadding(b: Uint8Array, at: number, end: number): number {
  for (;;) {
    if (at < end && b[at] === EQUALS) at++;
    else if (latin1EscapeAt(b, at, end) === EQUALS) at += 6;
    else if (percentEscapeAt(b, at, end) === EQUALS) at += 3;
    else return at;
  }
}

/** Decodes the start of a run at another alignment: enough for the signatures of media and layers. */
const shiftProbe = new RunDecoder(256);
/** Offsets of a shifted start where media may begin: the bytes a glued word of up to 20 characters decodes to come first. */
const SHIFTED_MEDIA_OFFSETS = 16;
/**
 * Formats confirmed over several frames or a long header (MPEG audio,
 * ADTS, AC-3, LATM, MPEG-TS, DV, GIF) need more than `shiftProbe` holds:
 * decoded to this much when one of them may begin the probe.
 */
const framesProbe = new RunDecoder(4096);

/**
 * Whether one of the first SHIFTED_MEDIA_OFFSETS bytes of `b` may begin what
 * `framesProbe` is for: an audio frame sync (`FF Ex` MPEG audio and ADTS,
 * `0B 77` AC-3, `56 Ex` LATM), `47` (an MPEG-TS sync byte, GIF's `G`), or
 * `1F 07` (a DV header).
 */
function needsMoreToConfirm(b: Uint8Array, length: number): boolean {
  for (let t = 0; t < SHIFTED_MEDIA_OFFSETS && t + 1 < length; t++) {
    const first = b[t]!;
    const second = b[t + 1]!;
    if (
      first === 0x47 ||
      ((first === 0xff || first === 0x56) && (second & 0xe0) === 0xe0) ||
      (first === 0x0b && second === 0x77) ||
      (first === 0x1f && second === 0x07)
    )
      return true;
  }
  return false;
}

/** Alphabet bytes that also join words in keys and paths (`shots/`, `img-`, `img_`). */
const JOINS_WORDS = Uint8Array.from({ length: 256 }, (_, byte) => (byte === 0x2f || byte === 0x2d || byte === 0x5f ? 1 : 0));
/** How far into a run a word glued before hex may reach. */
const MAX_GLUED_CHARS = 48;

/** Index of hex digits (HEX_RUN_CHARS of them) that follow a word joined to them near the start of the run at `from` (`hex/89504e47...`), or -1. */
function gluedHexStart(b: Uint8Array, from: number, end: number): number {
  const stop = Math.min(end - HEX_RUN_CHARS, from + MAX_GLUED_CHARS);
  for (let i = from + 1; i <= stop; i++) if (JOINS_WORDS[b[i - 1]!] && isHexRun(b, i, HEX_RUN_CHARS)) return i;
  return -1;
}

/**
 * The run of base64 alphabet (or word) being read. Once it is MIN_RUN_CHARS
 * bytes long (escapes count with all their bytes) its first bytes are decoded,
 * and a run that begins media is refused or redacted.
 */
export class Base64Runs {
  /** Absolute start of the run being read, or -1 (then `decided` and `redacting` are false). */
  start = -1;
  /** The run is long enough and has been decoded: it is read to its end without another look. */
  decided = false;
  /** The run decoded to media and is being replaced by the marker up to its end. */
  redacting = false;
  /** Absolute offset up to which the run is known to go on (its prefix was decoded that far), or -1: scanning may go on from there. */
  knownTo = -1;
  /** `prefixDecoder` holds the prefix of this run (sniffed), so it is not decoded twice. */
  private prefixDecoded = false;
  /** Scratch for `continuation`: the alphabet byte an escape stands for, or -1 for a line break. */
  private readonly escaped = { value: 0 };

  constructor(private readonly core: ScanCore) {}

  /** The bytes at index `p` that a run goes on through (an escaped alphabet byte, a line break before more alphabet), or 0. */
  goesOnAt(p: number): number {
    const { window } = this.core;
    // a long run goes on through folds (spaces, tabs, indented line breaks); a word does not
    return continuation(window.bytes, p, window.length, this.escaped, this.decided);
  }

  /** A backslash at index `p` outside a run: an escaped alphabet byte (`\/9j/4AAQ...`) begins one. Returns where scanning goes on. */
  escapeAt(p: number): number {
    const step = this.goesOnAt(p);
    if (step > 0 && this.escaped.value >= 0) this.open(this.core.window.abs(p));
    return p + Math.max(step, 1);
  }

  open(at: number): void {
    this.start = at;
    this.decided = false;
    this.redacting = false;
    this.knownTo = -1;
    this.prefixDecoded = false;
  }

  /** The run ends at index `end`. */
  end(end: number): void {
    const { window, verdicts } = this.core;
    if (!this.decided && end - window.index(this.start) >= MIN_RUN_CHARS) this.decide();
    if (this.redacting) verdicts.endRedaction(window.abs(afterPadding(window.bytes, end, window.length)));
    this.start = -1;
    this.decided = false;
    this.redacting = false;
    this.knownTo = -1;
    this.prefixDecoded = false;
  }

  /**
   * Decodes the first bytes of the run and refuses (or redacts) it when they
   * are media; otherwise a long run is decoded whole (as hex when it is all
   * hex digits) and what it holds is scanned one layer deeper.
   */
  decide(): void {
    this.decided = true;
    if (this.sniff()) return;
    const { window, settings, taps, layers } = this.core;
    const b = window.bytes;
    const from = window.index(this.start);
    // most runs (identifiers, UUIDs, words) end before NESTED_RUN_CHARS at a byte that cannot continue them
    let plainEnd = from;
    const probeEnd = Math.min(window.length, from + NESTED_RUN_CHARS);
    while (plainEnd < probeEnd && RUN_BYTE[b[plainEnd]!]) plainEnd++;
    if (plainEnd < from + NESTED_RUN_CHARS && plainEnd < window.length && !MAY_CONTINUE[b[plainEnd]!]) return;
    lengthProbe.decode(b, from, window.length);
    if (lengthProbe.chars < NESTED_RUN_CHARS) return;
    // a hex dump: plain, `0x...`, or Postgres bytea `\x...`
    const prefixed = b[from] === 0x78 && b[from - 1] === 0x5c ? from + 1 : b[from] === 0x30 && b[from + 1] === 0x78 ? from + 2 : from;
    const hexFrom = isHexRun(b, prefixed, HEX_RUN_CHARS) ? prefixed : gluedHexStart(b, from, window.length);
    const hex = hexFrom >= 0;
    // base32 is base64 too: decoded both ways
    if (!hex && isBase32Run(b, from, window.length)) this.base32(from);
    const aligned = hex ? null : this.alignedStart(from);
    const start = aligned ? aligned.from : hexFrom;
    const at = window.abs(start);
    if (this.opaque(start, hex, at, aligned?.start)) return;
    const what = `a ${hex ? 'hex' : 'base64'} string ${settings.locate(at)}`;
    const target = layers.target(what, (offset) => `at byte ${offset} of ${what}`);
    taps.openLayer(hex ? hexTap(at, target) : base64Tap(at, target));
  }

  /** The run at index `from` read as base32 into a nested scanner. */
  private base32(from: number): void {
    const { window, settings, taps, layers } = this.core;
    const at = window.abs(from);
    const what = `a base32 string ${settings.locate(at)}`;
    taps.openLayer(
      base32Tap(
        at,
        layers.target(what, (offset) => `at byte ${offset} of ${what}`),
      ),
    );
  }

  /**
   * Where the run's base64 quanta begin. A word glued before base64 by an
   * alphabet character (`meta/iVBORw0...` in a key or path, `img-`, `ab`)
   * shifts every quantum, and the run decodes to noise from its first
   * character: when it does (opaque bytes without media near their start),
   * the three other alignments are tried, and the first whose bytes are
   * content or begin media (a few bytes of the glued word before it) is
   * where the run is read from. Leaves `prefixDecoder` holding the decoding
   * from the index returned, and answers what its start is when known.
   */
  private alignedStart(from: number): { from: number; start?: DecodedStart } {
    const b = this.core.window.bytes;
    const end = this.core.window.length;
    if (!this.prefixDecoded) prefixDecoder.decode(b, from, end);
    this.prefixDecoded = true;
    const aligned = decodedStart(prefixDecoder.bytes, prefixDecoder.length, prefixDecoder);
    if (aligned.kind === 'content' || aligned.media) return { from, start: aligned };
    for (let shift = 1; shift < 4; shift++) {
      // a short probe first: most opaque runs are random, and noise at every alignment
      shiftProbe.decode(b, from + shift, end);
      if (shiftProbe.chars < MIN_RUN_CHARS) break;
      let recognised = beginsRecognisably(shiftProbe.bytes, shiftProbe.length, SHIFTED_MEDIA_OFFSETS);
      if (!recognised && needsMoreToConfirm(shiftProbe.bytes, shiftProbe.length)) {
        framesProbe.decode(b, from + shift, end);
        recognised = beginsRecognisably(framesProbe.bytes, framesProbe.length, SHIFTED_MEDIA_OFFSETS);
      }
      if (!recognised) continue;
      prefixDecoder.decode(b, from + shift, end);
      return { from: from + shift };
    }
    return { from, start: aligned };
  }

  /**
   * Decodes the run's first bytes from index `from`: when they are opaque
   * binary (see src/media/opaque.ts) they are sniffed for media at every
   * offset, which refuses or redacts the run, and true is returned: the rest
   * is not scanned as content. `known`: what the start is, when already read.
   */
  private opaque(from: number, hex: boolean, at: number, known?: DecodedStart): boolean {
    const { window, verdicts, contentStarts } = this.core;
    const decoded = hex ? hexPrefix : prefixDecoder;
    if (hex || !this.prefixDecoded) decoded.decode(window.bytes, from, window.length);
    this.knownTo = window.abs(decoded.next);
    const start = known ?? (hex ? decodedStart(hexPrefix.bytes, hexPrefix.length) : decodedStart(prefixDecoder.bytes, prefixDecoder.length, prefixDecoder));
    if (start.kind === 'content') return false;
    if (!start.media) return searchOpaque(this.core, hex, at, decoded);
    const how = `at byte ${start.media.at} of a ${hex ? 'hex' : 'base64'} string`;
    if (!verdicts.canRedact || contentStarts.startsContent(this.start)) verdicts.found(start.media.match, how, at);
    verdicts.beginRedaction(this.start, MARKER_BYTES);
    this.redacting = true;
    return true;
  }

  /** Refuses or redacts the run when its first bytes are media; true then. */
  private sniff(): boolean {
    const { window, verdicts, contentStarts } = this.core;
    const start = this.start;
    const from = window.index(start);
    // most long runs are identifiers or random data: two of their bytes rule media out
    const first = decodedByteAt(window.bytes, from, window.length, 0);
    const probe = decodedByteAt(window.bytes, from, window.length, MAY_START_MEDIA_PROBE);
    if (first >= 0 && probe >= 0 && !mayStartMedia(first, probe)) return false;
    prefixDecoder.decode(window.bytes, from, window.length);
    this.prefixDecoded = true;
    if (prefixDecoder.chars < MIN_RUN_CHARS) return false;
    const media = sniffAt(prefixDecoder.bytes, 0, prefixDecoder.length, 'start');
    if (!media) return false;
    if (!verdicts.canRedact || contentStarts.startsContent(start)) verdicts.found(media, 'in a base64 string', start);
    verdicts.beginRedaction(start, MARKER_BYTES);
    this.redacting = true;
    return true;
  }
}

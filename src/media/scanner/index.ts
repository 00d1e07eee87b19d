import { Refusal } from '../../policy/refusal.ts';
import { RUN_BYTE } from '../base64.ts';
import type { InspectionContext } from '../context.ts';
import type { ByteSink } from '../decoder.ts';
import { MAX_PART_HEADER_BYTES } from '../multipart.ts';
import { RedactedOutput } from '../redaction.ts';
import { BINARY_BYTE, BINARY_EVIDENCE_SPAN, MAY_START_SIGNATURE, MAY_START_SIGNATURE_PAIR, sniffAt, SNIFF_LOOKAHEAD } from '../signatures/index.ts';
import { utf8SequenceLength } from '../utf8.ts';
import { isCentralDirectory, isLocalHeader } from '../zip.ts';
import { MAY_START_LAYER } from '../layers/registry.ts';
import { ByteSpellings } from './byte-spellings.ts';
import { Carriers } from './carriers.ts';
import { ContentStarts } from './content-starts.ts';
import { Layers } from './layers.ts';
import type { ScanCore, ScannerSettings } from './core.ts';
import { PartsAndEntries } from './parts.ts';
import { PlainText, skipAlphabet } from './plain-text.ts';
import { Base64Runs, MIN_RUN_CHARS } from './runs.ts';
import { TapSet } from './taps.ts';
import { TextEmbeds } from './text-embeds.ts';
import { STOP, Verdicts } from './verdicts.ts';
import { ScanWindow } from './window.ts';

/**
 * How far past a position the scanner can always look when it decides about
 * it: the longest signature check, a base64 prefix written with JSON escapes,
 * multipart part headers.
 */
const WINDOW = Math.max(SNIFF_LOOKAHEAD, MAX_PART_HEADER_BYTES) + 16 * 1024;
/** Bytes gathered before a scanning round, so that small chunks do not each cost a round. */
const BATCH = 64 * 1024;
/**
 * Bytes kept behind the scanning position: the start of a run not yet
 * decided (shorter than MIN_RUN_CHARS), `data` before `:`, `rr_type` before
 * `"`, signature starts a binary byte vouches for (BINARY_EVIDENCE_SPAN).
 */
const LOOKBEHIND = 160;
/** Output held back so that a redaction can still begin where an undecided run began. */
const REDACTION_HOLD = LOOKBEHIND;
/** The window grows from this as bytes arrive (to WINDOW + BATCH and a chunk): nested content is often small. */
const INITIAL_CAPACITY = 4 * 1024;

/** What each byte may begin at any offset, as bits: a layer, a signature. Small enough to stay in the first-level cache. */
const LAYER = 1;
const SIGNATURE = 2;
const MAY_START_ANYWHERE = Uint8Array.from({ length: 256 }, (_, byte) => (MAY_START_LAYER[byte] ? LAYER : 0) | (MAY_START_SIGNATURE[byte] ? SIGNATURE : 0));

const QUOTE = 0x22;
const COLON = 0x3a;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const PERCENT = 0x25;
const EQUALS = 0x3d;
const ETX = 0x03; // in PK\x03\x04
const SOH = 0x01; // in PK\x01\x02

/**
 * One streaming pass over content that finds media signatures, data: URLs,
 * base64 runs that decode to media, multipart parts, ZIP entries and rrweb
 * payloads. Memory is bounded: a window of WINDOW bytes ahead of the scanning
 * position and LOOKBEHIND behind it, whatever the size of the content.
 * Compressed content found inside (ZIP entries, packed strings) is decoded by
 * a `Decoder` into a nested scanner, one level deeper.
 */
export class ContentScanner implements ByteSink {
  private readonly core: ScanCore;
  private readonly window: ScanWindow;
  private readonly runs: Base64Runs;
  private readonly textEmbeds: TextEmbeds;
  private readonly carriers: Carriers;
  private readonly byteSpellings: ByteSpellings;
  private readonly partsAndEntries: PartsAndEntries;
  private readonly plainText: PlainText;
  /** Absolute offset before which every position has been checked for a signature. */
  private signaturesCheckedTo = 0;
  private invalidUtf8At = -1;

  constructor(context: InspectionContext, settings: ScannerSettings) {
    const window = new ScanWindow(INITIAL_CAPACITY, LOOKBEHIND);
    const output = settings.emit && new RedactedOutput(settings.emit, (from, to) => window.read(from, to), context);
    this.window = window;
    // a plain object whose shape never changes (`layers` and `byteSpellings` are filled in at once): the hot loops read it at every stop
    const core = {
      window,
      settings,
      context,
      verdicts: new Verdicts(context, settings.locate, output),
      taps: new TapSet(window),
      contentStarts: new ContentStarts(),
      layers: undefined as unknown as Layers,
      byteSpellings: undefined as unknown as ByteSpellings,
      nested(what: string, locate: (offset: number) => string): ByteSink {
        const depth = settings.depth + 1;
        if (!context.allowDepth(depth, what)) throw STOP;
        return new ContentScanner(context, { depth, locate, utf8: false });
      },
    };
    core.layers = new Layers(core);
    this.core = core;
    this.runs = new Base64Runs(this.core);
    this.textEmbeds = new TextEmbeds(this.core);
    this.carriers = new Carriers(this.core);
    this.byteSpellings = core.byteSpellings = new ByteSpellings(this.core, this.carriers);
    this.partsAndEntries = new PartsAndEntries(this.core);
    this.plainText = new PlainText(settings.utf8, settings.boundary !== undefined);
  }

  push(chunk: Uint8Array): void {
    if (this.core.context.failure) return;
    this.window.append(chunk);
    if (this.window.length - this.window.position >= WINDOW + BATCH) this.round(this.window.length - WINDOW, false);
  }

  drain(): Promise<void> {
    return this.core.taps.drain();
  }

  end(): void {
    if (!this.core.context.failure) this.round(this.window.length, true);
    this.core.taps.end();
  }

  /** Scans up to `limit` (exclusive); everything before it has WINDOW bytes of lookahead, or the content has ended. */
  private round(limit: number, final: boolean): void {
    const { window, verdicts, taps, contentStarts, layers } = this.core;
    try {
      taps.feed(limit);
      const next = this.scan(limit, final);
      contentStarts.sniff(window, limit, final, verdicts, layers);
      this.checkUtf8(limit, final);
      window.position = next;
    } catch (error) {
      if (error !== STOP) throw error;
      return;
    }
    verdicts.flush(final ? window.abs(window.length) : window.abs(window.position) - REDACTION_HOLD);
  }

  /**
   * Scans from the current position until past `limit`; returns where the
   * next round goes on (a sequence may end a little past `limit`).
   */
  private scan(limit: number, final: boolean): number {
    const { window, settings } = this.core;
    const runs = this.runs;
    let p = window.position;
    if (settings.boundary && window.abs(p) === 0) this.partsAndEntries.delimiter(0);
    while (p < limit) {
      if (this.textEmbeds.skipping) {
        p = this.textEmbeds.skipRedacted(p, limit);
      } else if (runs.start >= 0 && (runs.decided || p - window.index(runs.start) >= MIN_RUN_CHARS)) {
        p = this.longRun(p, limit);
      } else {
        const run = runs.start >= 0 ? p - window.index(runs.start) : 0;
        let decide = true;
        if (this.plainText.binary) {
          p = this.plainText.skipBinary(window.bytes, p, limit, window.length, run);
          if (this.plainText.lastBinary >= 0) this.checkSignaturesVouchedFor(this.plainText.firstBinary, this.plainText.lastBinary);
          // a binary stretch that ended stops at a byte that may need nothing: the text loop reads on from it
          decide = this.plainText.binary;
        } else p = this.plainText.skip(window.bytes, p, limit, window.length, run);
        // the run the loop went through, if it has not ended: still short, so not decided
        runs.start = this.plainText.run > 0 ? window.abs(p - this.plainText.run) : -1;
        if (p < limit && decide) p = this.decideAt(p, limit);
      }
    }
    if (final && runs.start >= 0) runs.end(p);
    return p;
  }

  /** Decides about the byte at `p`, where the plain-text loop stopped; returns where scanning goes on. */
  private decideAt(p: number, limit: number): number {
    const { window } = this.core;
    const b = window.bytes;
    const runs = this.runs;
    const byte = b[p]!;
    if (RUN_BYTE[byte]) {
      if (runs.start < 0) runs.open(window.abs(p));
      return p + 1 - window.index(runs.start) >= MIN_RUN_CHARS ? this.longRun(p, limit) : this.wordByte(p);
    }
    if (runs.start >= 0) {
      const step = runs.goesOnAt(p);
      if (step > 0) return p + step;
      runs.end(p);
    }
    return this.special(byte, p);
  }

  /** Reads a run long enough to be base64 to its end, once its start is decoded; returns where scanning goes on. */
  private longRun(p: number, limit: number): number {
    const { window } = this.core;
    const b = window.bytes;
    if (!this.runs.decided) {
      this.runs.decide();
      // what decoding the run's prefix read is the run's: not read again
      p = Math.max(p, window.index(this.runs.knownTo));
    }
    for (;;) {
      p = skipAlphabet(b, p, limit);
      if (p >= limit) return p;
      const step = this.runs.goesOnAt(p);
      if (step === 0) return this.wordEnd(p);
      p += step;
    }
  }

  /**
   * An alphabet byte that may begin something: `x` after `"` (a packed
   * string) or `0` (hex literals), `t` after `_` (an `rr_type` key), a
   * digit or `-` after `[` or `0` after `"` (byte values), `b` after `"` (a
   * JSON string of uuencoded text), `0` after `"` or
   * a line feed (a hex dump, a list of values), a digit or `-` after `,` or
   * `;` (a list of values), a hex digit after `=` (quoted-printable), `b`
   * after a line feed (uuencode).
   */
  private wordByte(p: number): number {
    const b = this.core.window.bytes;
    const byte = b[p]!;
    if (byte === 0x78) {
      if (b[p - 1] === 0x30) this.byteSpellings.hexLiteral(p - 1);
      else this.textEmbeds.packedString(p - 1);
    } else if (byte === 0x74) {
      if (b[p + 1] === 0x79 && b[p + 2] === 0x70 && b[p + 3] === 0x65 && this.textEmbeds.keyQuoteAt(p + 4) >= 0) return this.wordEnd(p + 4);
    } else if (b[p - 1] === 0x5b) this.carriers.byteValues(p - 1, 'array');
    else if (b[p - 1] === QUOTE) {
      if (byte === 0x62) this.byteSpellings.uuencodedString(p);
      else {
        this.carriers.byteValues(p - 1, 'object');
        this.byteSpellings.dump(p);
      }
    } else if (b[p - 1] === EQUALS) this.carriers.quotedPrintable(p - 1);
    else if (b[p - 1] === LF) this.byteSpellings.lineStart(p);
    else if (b[p - 1] === COMMA || b[p - 1] === SEMICOLON) this.byteSpellings.separator(p - 1);
    return p + 1;
  }

  /** The run ends at index `end`; if it was an `rr_type` key, its value may be ImageData. Returns where scanning goes on. */
  private wordEnd(end: number): number {
    this.runs.end(end);
    const next = this.textEmbeds.imageDataAfterKey(end);
    return next >= 0 ? next : end;
  }

  /** A byte other than an alphabet byte that needs a decision (see PlainText), with no run open. */
  private special(byte: number, p: number): number {
    const { window, settings, taps } = this.core;
    const b = window.bytes;
    switch (byte) {
      case COLON:
        return this.textEmbeds.colon(p);
      case BACKSLASH:
        if (b[p - 1] === QUOTE) this.textEmbeds.packedString(p - 1);
        this.carriers.escape(p);
        this.byteSpellings.escape(p);
        return this.runs.escapeAt(p);
      case PERCENT:
        this.carriers.percent(p);
        return this.runs.escapeAt(p);
      case LF:
        if (settings.boundary) this.partsAndEntries.delimiter(p + 1);
        if (b[p - 1] === BRACKET) this.byteSpellings.arrayOpening(p - 1);
        return p + 1;
      case CR:
        if (b[p - 1] === BRACKET) this.byteSpellings.arrayOpening(p - 1);
        return p + 1;
      case QUOTE:
        this.byteSpellings.quotedValues(p);
        return p + 1;
      case SPACE:
        if (b[p - 1] === BRACKET) this.byteSpellings.arrayOpening(p - 1);
        else if (b[p - 1] === COMMA) this.byteSpellings.separator(p - 1);
        return p + 1;
    }
    if (BINARY_BYTE[byte]) {
      this.checkSignaturesVouchedFor(p, p);
      this.plainText.binary = true;
      if (byte === ETX && isLocalHeader(b, p - 2)) this.partsAndEntries.zipEntry(p - 2);
      else if (byte === SOH && isCentralDirectory(b, p - 2)) taps.closeZipEntry();
    }
    if (byte >= 0x80 && settings.utf8) {
      const length = utf8SequenceLength(b, p, window.length);
      if (length > 0) return p + length;
      if (this.invalidUtf8At < 0) this.invalidUtf8At = window.abs(p);
    }
    return p + 1;
  }

  /**
   * Checks every position from BINARY_EVIDENCE_SPAN - 1 before the binary
   * byte at index `first` to the binary byte at `last` (no two binary bytes
   * between them further apart than BINARY_EVIDENCE_SPAN: each position lies
   * within the first bytes of a format that one of them vouches for) that was
   * not checked yet, for signatures and layers found anywhere.
   */
  private checkSignaturesVouchedFor(first: number, last: number): void {
    const { window, contentStarts } = this.core;
    const b = window.bytes;
    const end = window.length;
    // where content starts, the stricter-named sniff goes first ("in multipart part 2")
    let nextStart = window.index(contentStarts.nextAt);
    for (let t = Math.max(window.index(this.signaturesCheckedTo), first - BINARY_EVIDENCE_SPAN + 1, 0); t <= last; t++) {
      if (t >= nextStart) {
        contentStarts.sniff(window, t + 1, false, this.core.verdicts, this.core.layers);
        nextStart = window.index(contentStarts.nextAt);
      }
      const may = MAY_START_ANYWHERE[b[t]!]!;
      if (may === 0) continue;
      if ((may & LAYER) !== 0) this.core.layers.at(t, 'anywhere');
      if ((may & SIGNATURE) !== 0 && (t + 1 >= end || MAY_START_SIGNATURE_PAIR[(b[t]! << 8) | b[t + 1]!] === 1)) this.sniffAnywhere(t);
    }
    this.signaturesCheckedTo = window.abs(last + 1);
  }

  private sniffAnywhere(t: number): void {
    const { window, verdicts } = this.core;
    const media = sniffAt(window.bytes, t, Math.min(window.length, t + SNIFF_LOOKAHEAD), 'anywhere');
    if (media) verdicts.found(media, '', window.abs(t));
  }

  /** Invalid UTF-8 is refused once the window after it has shown no media (which would be the better answer). */
  private checkUtf8(limit: number, final: boolean): void {
    const { window, settings, verdicts, layers } = this.core;
    if (this.invalidUtf8At < 0 || (!final && window.index(this.invalidUtf8At) + WINDOW > limit)) return;
    // a gzip file or tar labelled as JSON is inspected as what its bytes are
    if (layers.wrapsContent) return;
    verdicts.refuse(new Refusal('bad_request', `the body is declared as text but is not valid UTF-8 ${settings.locate(this.invalidUtf8At)}`));
  }
}

import { Refusal } from '../refusal.ts';
import { continuation, decodedByteAt, decodeRunPrefix, RUN_BYTE } from './base64.ts';
import type { InspectionContext } from './context.ts';
import { DataUrlEnd, mediaDataUrl } from './data-url.ts';
import type { ByteSink } from './decoder.ts';
import { MediaRefusal } from './finding.ts';
import { delimiterAt, MAX_PART_HEADER_BYTES } from './multipart.ts';
import { packedStringTap, zipEntryTap, type Tap } from './nested.ts';
import { MARKER_BYTES, MARKER_VALUE_BYTES, RedactedOutput } from './redaction.ts';
import { argsArrayAfter, JsonArrayEnd, packedStringFormat, rrTypeAt, type PackedFormat } from './rrweb.ts';
import { BINARY_BYTE, BINARY_EVIDENCE_SPAN, MAY_START_MEDIA_PROBE, MAY_START_SIGNATURE, mayStartMedia, sniffAt, SNIFF_LOOKAHEAD, type MediaMatch } from './signatures.ts';
import { utf8SequenceLength } from './utf8.ts';
import { isCentralDirectory, isLocalHeader, localHeaderAt } from './zip.ts';

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
 * decided (RUN_DECISION_BYTES), `data` before `:`, `rr_type` before `"`,
 * signature starts a binary byte vouches for (BINARY_EVIDENCE_SPAN).
 */
const LOOKBEHIND = 160;
/** Runs shorter than this are words, not base64 worth decoding. */
const MIN_RUN_CHARS = 16;
/** A run is decided when it ends, or at the end of a round once this long (every character may be a 6-byte JSON escape). */
const RUN_DECISION_BYTES = 6 * MIN_RUN_CHARS + 8;
/** Bytes decoded from the start of each long run: enough for every signature check. */
const RUN_SNIFF_BYTES = 2048;
/** Where run prefixes are decoded: used synchronously, so one buffer serves every scanner. */
const runScratch = new Uint8Array(RUN_SNIFF_BYTES);
/** Output held back so that a redaction can still begin where an undecided run began. */
const REDACTION_HOLD = LOOKBEHIND;

const QUOTE = 0x22;
const COLON = 0x3a;
const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;
const ETX = 0x03; // in PK\x03\x04
const SOH = 0x01; // in PK\x01\x02

/** How the scanning loop treats each byte value. */
const RUN = 1;
const PLAIN = 0;
const SPECIAL = 2;
const BYTE_CLASS = Uint8Array.from({ length: 256 }, (_, byte) => {
  if (RUN_BYTE[byte]) return RUN;
  const printable = (byte >= 0x20 && byte < 0x7f) || byte === 0x09;
  return printable && byte !== COLON && byte !== QUOTE && byte !== BACKSLASH ? PLAIN : SPECIAL;
});

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

/** Thrown inside a round to stop it once a finding is recorded. */
const STOP = Symbol('stop');

function isSchemeByte(byte: number | undefined): boolean {
  return byte !== undefined && (RUN_BYTE[byte] === 1 || byte === 0x2e);
}

const lower = (byte: number | undefined): number => (byte ?? 0) | 0x20;

/** Whether the quote at `p` may close an `rr_type` key (`..._type"` or `..._type\"`): a cheap test before the real one. */
function mayCloseRrTypeKey(b: Uint8Array, p: number): boolean {
  const keyEnd = b[p - 1] === BACKSLASH ? p - 1 : p;
  return b[keyEnd - 1] === 0x65 && b[keyEnd - 2] === 0x70 && b[keyEnd - 5] === 0x5f;
}

/** Past the `=` padding (also JSON-escaped as `\u003d`) that ends a base64 run. */
function afterPadding(b: Uint8Array, at: number, end: number): number {
  for (;;) {
    if (at < end && b[at] === 0x3d) at++;
    else if (at + 6 <= end && b[at] === BACKSLASH && b[at + 1] === 0x75 && b[at + 2] === 0x30 && b[at + 3] === 0x30 && b[at + 4] === 0x33 && lower(b[at + 5]) === 0x64) at += 6;
    else return at;
  }
}

/**
 * One streaming pass over content that finds media signatures, data: URLs,
 * base64 runs that decode to media, multipart parts, ZIP entries and rrweb
 * payloads. Memory is bounded: a window of WINDOW bytes ahead of the scanning
 * position and LOOKBEHIND behind it, whatever the size of the content.
 * Compressed content found inside (ZIP entries, packed strings) is decoded by
 * a `Decoder` into a nested scanner, one level deeper.
 */
export class ContentScanner implements ByteSink {
  private buffer = new Uint8Array(WINDOW + BATCH + LOOKBEHIND);
  /** Bytes held in `buffer`. */
  private length = 0;
  /** Absolute offset of `buffer[0]`. */
  private base = 0;
  /** Index of the next byte to scan. */
  private position = 0;

  /** Absolute start of the run of base64 alphabet (or word) being read, or -1. */
  private runStart = -1;
  private runDecided = false;
  private redactingRun = false;
  /** Absolute offset before which every position has been checked for a signature. */
  private signaturesCheckedTo = 0;
  /** Scratch for `continuation`, kept to avoid an allocation per run. */
  private readonly escapedChar = { value: 0 };
  /** The end of a data: URL or pixel array being redacted. */
  private skip: DataUrlEnd | JsonArrayEnd | null = null;
  /** Absolute offsets where content begins (the body, parts, stored ZIP entries), to sniff once in view. */
  private readonly contentStarts: { at: number; how: string }[] = [{ at: 0, how: '' }];
  private readonly recentContentStarts: number[] = [0];
  private parts = 0;
  private invalidUtf8At = -1;

  private readonly taps: Tap[] = [];
  /** The limit of the round in progress: a tap opened during it is fed up to there at once. */
  private roundLimit = 0;
  private packedTap: Tap | null = null;
  private zipTap: Tap | null = null;

  /** The rewritten body, in redact mode. */
  private readonly output: RedactedOutput | undefined;

  constructor(
    private readonly context: InspectionContext,
    private readonly settings: ScannerSettings,
  ) {
    const read = (from: number, to: number) => this.buffer.slice(this.index(from), this.index(to));
    this.output = settings.emit && new RedactedOutput(settings.emit, read, context);
  }

  push(chunk: Uint8Array): void {
    if (this.context.failure) return;
    this.append(chunk);
    if (this.length - this.position >= WINDOW + BATCH) this.round(this.length - WINDOW, false);
  }

  drain(): Promise<void> {
    return Promise.all(this.taps.map((tap) => tap.decoder.drain())).then(() => undefined);
  }

  end(): void {
    if (!this.context.failure) this.round(this.length, true);
    for (const tap of this.taps.splice(0)) tap.decoder.end();
  }

  private abs(index: number): number {
    return this.base + index;
  }

  private index(absolute: number): number {
    return absolute - this.base;
  }

  private append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.buffer.length) {
      const keep = Math.max(0, this.position - LOOKBEHIND);
      const needed = this.length - keep + chunk.length;
      const target = needed > this.buffer.length ? new Uint8Array(Math.max(needed, this.buffer.length * 2)) : this.buffer;
      target.set(this.buffer.subarray(keep, this.length));
      this.buffer = target;
      this.length -= keep;
      this.position -= keep;
      this.base += keep;
    }
    this.buffer.set(chunk, this.length);
    this.length += chunk.length;
  }

  /** Scans up to `limit` (exclusive); everything before it has WINDOW bytes of lookahead, or the content has ended. */
  private round(limit: number, final: boolean): void {
    try {
      this.feedTaps(limit);
      const next = this.scan(limit, final);
      this.sniffContentStarts(limit, final);
      this.checkUtf8(limit, final);
      this.position = next;
    } catch (error) {
      if (error !== STOP) throw error;
      return;
    }
    this.output?.flush(final ? this.abs(this.length) : this.abs(this.position) - REDACTION_HOLD);
  }

  /**
   * Scans from the current position until past `limit`; returns where the
   * next round goes on (a sequence may end a little past `limit`). The inner
   * loop runs over plain text and words with its run state in locals, and
   * leaves it only for a special byte or a run long enough to be base64.
   */
  private scan(limit: number, final: boolean): number {
    const b = this.buffer;
    let p = this.position;
    if (this.settings.boundary && this.abs(p) === 0) this.delimiter(0);
    while (p < limit) {
      if (this.skip) {
        p = this.skipRedacted(p, limit);
        continue;
      }
      let inRun = this.runStart >= 0;
      let runAt = inRun ? this.index(this.runStart) : 0;
      let decided = this.runDecided;
      let redacting = this.redactingRun;
      while (p < limit) {
        let byte = b[p]!;
        if (BYTE_CLASS[byte] === RUN) {
          if (!inRun) {
            inRun = true;
            runAt = p;
            decided = false;
            redacting = false;
          }
          do p++;
          while (p < limit && BYTE_CLASS[b[p]!] === RUN);
          if (p >= limit) break;
          byte = b[p]!;
        }
        if (inRun) {
          // a run goes on through an escape or a line break, and a long one must be decided or its redaction ended
          if (byte === BACKSLASH || byte === LF || byte === CR || redacting || (!decided && p - runAt >= MIN_RUN_CHARS)) break;
          inRun = false;
        }
        if (BYTE_CLASS[byte] === PLAIN) {
          p++;
          continue;
        }
        // cheap rejections of the most common special bytes in JSON, before leaving the loop
        const common = byte === COLON ? (b[p - 1]! | 0x20) !== 0x61 : byte === QUOTE && !mayCloseRrTypeKey(b, p) && b[p + 1] !== 0x78 && b[p + 1] !== BACKSLASH;
        if (!common) break;
        p++;
      }
      this.runStart = inRun ? this.abs(runAt) : -1;
      this.runDecided = decided;
      this.redactingRun = redacting;
      if (p >= limit) break;
      const byte = b[p]!;
      if (inRun) {
        const step = byte === BACKSLASH || byte === LF || byte === CR ? continuation(b, p, this.length, this.escapedChar) : 0;
        if (step > 0) {
          p += step;
          continue;
        }
        this.endRun(p);
      }
      p = BYTE_CLASS[byte] === PLAIN ? p + 1 : this.special(byte, p);
    }
    // a run still open may lose its start from the buffer before it ends: decide it now
    if (this.runStart >= 0 && !this.runDecided && p - this.index(this.runStart) >= RUN_DECISION_BYTES) this.decideRun();
    if (final && this.runStart >= 0) this.endRun(p);
    return p;
  }

  // --- runs of base64 alphabet (and words) -------------------------------------

  private startRun(at: number): void {
    this.runStart = at;
    this.runDecided = false;
    this.redactingRun = false;
  }

  private endRun(end: number): void {
    if (!this.runDecided && end - this.index(this.runStart) >= MIN_RUN_CHARS) this.decideRun();
    if (this.redactingRun) this.endRedaction(this.abs(afterPadding(this.buffer, end, this.length)));
    this.redactingRun = false;
    this.runStart = -1;
  }

  /** Decodes the first bytes of the run and refuses (or redacts) it when they are media. */
  private decideRun(): void {
    this.runDecided = true;
    const start = this.runStart;
    const from = this.index(start);
    // most long runs are identifiers or random data: two of their bytes rule media out
    const first = decodedByteAt(this.buffer, from, this.length, 0);
    const probe = decodedByteAt(this.buffer, from, this.length, MAY_START_MEDIA_PROBE);
    if (first >= 0 && probe >= 0 && !mayStartMedia(first, probe)) return;
    const decoded = decodeRunPrefix(this.buffer, from, this.length, RUN_SNIFF_BYTES, runScratch);
    if (decoded.chars < MIN_RUN_CHARS) return;
    const media = sniffAt(decoded.bytes, 0, decoded.bytes.length, 'start');
    if (!media) return;
    if (!this.canRedact() || this.recentContentStarts.includes(start)) this.found(media, 'in a base64 string', start);
    this.beginRedaction(start, MARKER_BYTES);
    this.redactingRun = true;
  }

  /**
   * Checks every position the binary byte at `p` can vouch for (it lies
   * within their first BINARY_EVIDENCE_SPAN bytes) and that was not checked yet.
   */
  private checkSignaturesBefore(p: number): void {
    // where content starts, the stricter-named sniff goes first ("in multipart part 2")
    this.sniffContentStarts(p + 1, false);
    const b = this.buffer;
    for (let t = Math.max(this.index(this.signaturesCheckedTo), p - BINARY_EVIDENCE_SPAN + 1, 0); t <= p; t++) {
      if (!MAY_START_SIGNATURE[b[t]!]) continue;
      const media = sniffAt(b, t, Math.min(this.length, t + SNIFF_LOOKAHEAD), 'anywhere');
      if (media) this.found(media, '', this.abs(t));
    }
    this.signaturesCheckedTo = this.abs(p + 1);
  }

  // --- every other byte --------------------------------------------------------

  private special(byte: number, p: number): number {
    const b = this.buffer;
    switch (byte) {
      case COLON:
        return this.isDataScheme(p) ? this.dataUrl(p) : p + 1;
      case QUOTE:
        return this.quote(p);
      case BACKSLASH: {
        // a run may begin with an escaped alphabet byte (`\/9j/4AAQ...`)
        const step = continuation(b, p, this.length, this.escapedChar);
        if (step > 0 && this.escapedChar.value >= 0) this.startRun(this.abs(p));
        return p + Math.max(step, 1);
      }
      case LF:
        if (this.settings.boundary) this.delimiter(p + 1);
        return p + 1;
      case CR:
        return p + 1;
    }
    if (BINARY_BYTE[byte]) {
      this.checkSignaturesBefore(p);
      if (byte === ETX && isLocalHeader(b, p - 2)) this.zipEntry(p - 2);
      else if (byte === SOH && this.zipTap && isCentralDirectory(b, p - 2)) this.closeZipTap();
    }
    if (byte >= 0x80 && this.settings.utf8) {
      const length = utf8SequenceLength(b, p, this.length);
      if (length > 0) return p + length;
      if (this.invalidUtf8At < 0) this.invalidUtf8At = this.abs(p);
    }
    return p + 1;
  }

  // --- data: URLs ----------------------------------------------------------------

  private isDataScheme(colon: number): boolean {
    const b = this.buffer;
    if (colon < 4 || lower(b[colon - 4]) !== 0x64 || lower(b[colon - 3]) !== 0x61 || lower(b[colon - 2]) !== 0x74 || lower(b[colon - 1]) !== 0x61) return false;
    return !isSchemeByte(b[colon - 5]);
  }

  private dataUrl(colon: number): number {
    const url = mediaDataUrl(this.buffer, colon, this.length);
    if (!url) return colon + 1;
    const start = colon - 4;
    if (!this.canRedact()) this.found(url.media, 'in a data: URL', this.abs(start));
    this.beginRedaction(this.abs(start), MARKER_BYTES);
    this.skip = DataUrlEnd.before(this.buffer, start, Math.max(0, this.position - LOOKBEHIND));
    return url.payloadStart;
  }

  private skipRedacted(p: number, limit: number): number {
    const end = this.skip!.find(this.buffer, p, limit);
    if (end < 0) return limit;
    this.skip = null;
    this.endRedaction(this.abs(end));
    return Math.max(end, p);
  }

  // --- quotes: rrweb ImageData, packed strings -------------------------------------

  private quote(p: number): number {
    const b = this.buffer;
    const rrType = b[p - 1] === 0x65 || b[p - 1] === BACKSLASH ? rrTypeAt(b, p, this.length, Math.max(0, this.position - LOOKBEHIND)) : null;
    if (rrType?.type === 'ImageData') return this.imageData(p, rrType.next);
    if (!this.packedTap && (b[p + 1] === 0x78 || b[p + 1] === BACKSLASH)) {
      const format = packedStringFormat(b, p, this.length);
      if (format) this.startPackedTap(p, format);
    }
    return p + 1;
  }

  /** Raw RGBA pixels of a canvas: a screenshot. Redacted as a whole `args` array when redacting. */
  private imageData(keyQuote: number, afterType: number): number {
    const media: MediaMatch = { kind: 'image', format: 'raw pixels (rrweb ImageData)' };
    const array = this.canRedact() ? argsArrayAfter(this.buffer, afterType, this.length) : -1;
    if (array < 0) this.found(media, '', this.abs(keyQuote));
    this.beginRedaction(this.abs(array), MARKER_VALUE_BYTES);
    this.skip = new JsonArrayEnd();
    return array;
  }

  private startPackedTap(quote: number, format: PackedFormat): void {
    const depth = this.settings.depth + 1;
    if (!this.context.allowDepth(depth, 'a packed string')) throw STOP;
    const at = this.abs(quote);
    const scanner = this.nested(depth, (offset) => `at byte ${offset} of a ${format === 'gzip' ? 'gzip' : 'zlib'}-packed string ${this.settings.locate(at)}`);
    this.packedTap = packedStringTap(at + 1, format, this.context, scanner);
    this.openTap(this.packedTap);
  }

  // --- multipart ------------------------------------------------------------------

  private delimiter(p: number): void {
    const found = delimiterAt(this.buffer, p, this.length, this.settings.boundary!);
    if (!found || found.kind === 'close') return;
    const part = ++this.parts;
    if (found.kind === 'headers-too-long') {
      this.context.fail(new Refusal('media_refused', `the headers of multipart part ${part} are longer than ${MAX_PART_HEADER_BYTES} bytes and cannot be inspected`));
      throw STOP;
    }
    if (found.declared) this.found(found.declared, `declared for multipart part ${part}`, this.abs(p));
    this.addContentStart(this.abs(found.bodyStart), `in multipart part ${part}`);
  }

  // --- ZIP ---------------------------------------------------------------------------

  private zipEntry(p: number): void {
    const entry = localHeaderAt(this.buffer, p, this.length);
    if (!entry) return;
    this.closeZipTap();
    const where = `ZIP entry ${JSON.stringify(entry.name)} ${this.settings.locate(this.abs(p))}`;
    if (entry.encrypted || (entry.method !== 0 && entry.method !== 8)) {
      const why = entry.encrypted ? 'is encrypted' : `uses compression method ${entry.method}`;
      this.context.fail(new Refusal('media_refused', `${where} ${why} and cannot be inspected`));
      throw STOP;
    }
    const dataStart = this.abs(entry.dataStart);
    if (entry.method === 0) return this.addContentStart(dataStart, `in ${where}`);
    const depth = this.settings.depth + 1;
    if (!this.context.allowDepth(depth, where)) throw STOP;
    const scanner = this.nested(depth, (offset) => `at byte ${offset} of ${where}`);
    this.zipTap = zipEntryTap(dataStart, entry.compressedSize, this.context, scanner);
    this.openTap(this.zipTap);
  }

  private closeZipTap(): void {
    if (!this.zipTap) return;
    this.closeTap(this.zipTap);
  }

  // --- taps and nested scanners -----------------------------------------------------

  private nested(depth: number, locate: (offset: number) => string): ContentScanner {
    return new ContentScanner(this.context, { depth, locate, utf8: false });
  }

  /** Feeds a new tap what is already in view, up to the current round's limit. */
  private openTap(tap: Tap): void {
    this.taps.push(tap);
    this.feedTap(tap, this.roundLimit);
  }

  private feedTaps(limit: number): void {
    this.roundLimit = limit;
    for (const tap of [...this.taps]) this.feedTap(tap, limit);
  }

  private feedTap(tap: Tap, limit: number): void {
    const from = this.index(tap.position);
    if (from >= limit) return;
    const reached = tap.feed(this.buffer, this.base, from, limit, this.length);
    if (reached < 0) this.closeTap(tap);
    else tap.position = reached;
  }

  private closeTap(tap: Tap): void {
    const at = this.taps.indexOf(tap);
    if (at >= 0) this.taps.splice(at, 1);
    if (tap === this.packedTap) this.packedTap = null;
    if (tap === this.zipTap) this.zipTap = null;
    tap.decoder.end();
  }

  // --- where content starts -------------------------------------------------------

  private addContentStart(at: number, how: string): void {
    this.contentStarts.push({ at, how });
    this.recentContentStarts.push(at);
    if (this.recentContentStarts.length > 8) this.recentContentStarts.shift();
  }

  /** Media where content starts is refused even when redacting: it is the whole body, part or entry. */
  private sniffContentStarts(limit: number, final: boolean): void {
    while (this.contentStarts.length > 0 && (final || this.index(this.contentStarts[0]!.at) < limit)) {
      const { at, how } = this.contentStarts.shift()!;
      const p = this.index(at);
      if (p < 0 || p >= this.length) continue;
      const media = sniffAt(this.buffer, p, Math.min(this.length, p + SNIFF_LOOKAHEAD), 'start');
      if (media) this.found(media, how, at);
    }
  }

  /** Invalid UTF-8 is refused once the window after it has shown no media (which would be the better answer). */
  private checkUtf8(limit: number, final: boolean): void {
    if (this.invalidUtf8At < 0 || (!final && this.index(this.invalidUtf8At) + WINDOW > limit)) return;
    this.context.fail(new Refusal('bad_request', `the body is declared as text but is not valid UTF-8 ${this.settings.locate(this.invalidUtf8At)}`));
    throw STOP;
  }

  // --- findings and redaction ------------------------------------------------------

  private found(media: MediaMatch, how: string, at: number): never {
    this.context.fail(new MediaRefusal({ ...media, where: `${how ? `${how} ` : ''}${this.settings.locate(at)}` }));
    throw STOP;
  }

  private canRedact(): boolean {
    return this.output !== undefined;
  }

  private beginRedaction(at: number, marker: Uint8Array): void {
    this.output!.begin(at, marker);
  }

  private endRedaction(at: number): void {
    this.output!.end(at);
  }
}

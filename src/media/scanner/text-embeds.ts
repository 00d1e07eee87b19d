import { RUN_BYTE } from '../base64.ts';
import { base64DataUrlPayload, DataUrlEnd, mediaDataUrl } from '../data-url.ts';
import { MARKER_BYTES, MARKER_VALUE_BYTES } from '../redaction.ts';
import { argsArrayAfter, JsonArrayEnd, packedStringFormat, rrTypeAt, type PackedFormat } from '../rrweb.ts';
import type { MediaMatch } from '../signatures/index.ts';
import type { ScanCore } from './core.ts';
import { base64Tap, packedStringTap } from './taps.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const lower = (byte: number | undefined): number => (byte ?? 0) | 0x20;
const isSchemeByte = (byte: number | undefined): boolean => byte !== undefined && (RUN_BYTE[byte] === 1 || byte === 0x2e);

/**
 * Media that text and JSON embed by syntax: `data:` URLs, rrweb ImageData
 * pixel arrays and rrweb packed strings. In redact mode what is found is
 * replaced by the marker and skipped up to its end.
 */
export class TextEmbeds {
  /** The end of a data: URL or pixel array being redacted. */
  private skip: DataUrlEnd | JsonArrayEnd | null = null;

  constructor(private readonly core: ScanCore) {}

  get skipping(): boolean {
    return this.skip !== null;
  }

  /** Skips what is being redacted, from index `p` up to `limit`; returns where scanning goes on. */
  skipRedacted(p: number, limit: number): number {
    const end = this.skip!.find(this.core.window.bytes, p, limit, this.core.window.length);
    if (end < 0) return limit;
    this.skip = null;
    this.core.verdicts.endRedaction(this.core.window.abs(end));
    const resume = Math.max(end, p);
    // the skipped URL may end with `rr_type`, the key of the value that follows
    const next = this.imageDataAfterKey(resume);
    return next >= 0 ? next : resume;
  }

  /** The `:` at index `colon`, which may end a `data` scheme; returns where scanning goes on. */
  colon(colon: number): number {
    return this.isDataScheme(colon) ? this.dataUrl(colon) : colon + 1;
  }

  /**
   * An `rr_type` key may end at index `at`: when its closing quote follows
   * (`"`, or `\"` inside a JSON string) and its type is ImageData, refuses it
   * or redacts the pixels. Returns where scanning goes on then, or -1.
   */
  imageDataAfterKey(at: number): number {
    const { window } = this.core;
    const b = window.bytes;
    const quote = this.keyQuoteAt(at);
    if (quote < 0) return -1;
    // as JSON has it: `rr_type"`, or `rr_type\"` inside a string
    const keyEnd = b[quote - 1] === BACKSLASH ? quote - 1 : quote;
    if (b[keyEnd - 1] !== 0x65) return -1;
    const rrType = rrTypeAt(b, quote, window.length, window.earliest);
    return rrType?.type === 'ImageData' ? this.imageData(quote, rrType.next) : -1;
  }

  /** The index of the quote that closes a key at `at` (`"`, or `\"` inside a JSON string), or -1. */
  keyQuoteAt(at: number): number {
    const { window } = this.core;
    const quote = window.bytes[at] === BACKSLASH ? at + 1 : at;
    return quote < window.length && window.bytes[quote] === QUOTE ? quote : -1;
  }

  /** The `"` at index `quote` is followed by `x` or a backslash: the string it opens may hold packed events. */
  packedString(quote: number): void {
    const { window, taps } = this.core;
    if (taps.readingPackedString) return;
    const format = packedStringFormat(window.bytes, quote, window.length);
    if (format) this.startPackedString(quote, format);
  }

  private isDataScheme(colon: number): boolean {
    const b = this.core.window.bytes;
    if (colon < 4 || lower(b[colon - 4]) !== 0x64 || lower(b[colon - 3]) !== 0x61 || lower(b[colon - 2]) !== 0x74 || lower(b[colon - 1]) !== 0x61) return false;
    return !isSchemeByte(b[colon - 5]);
  }

  private dataUrl(colon: number): number {
    const { window, verdicts } = this.core;
    const url = mediaDataUrl(window.bytes, colon, window.length);
    if (!url) {
      const payload = base64DataUrlPayload(window.bytes, colon, window.length);
      if (payload >= 0) this.openPayload(payload);
      return colon + 1;
    }
    const start = colon - 4;
    if (!verdicts.canRedact) verdicts.found(url.media, 'in a data: URL', window.abs(start));
    verdicts.beginRedaction(window.abs(start), MARKER_BYTES);
    this.skip = DataUrlEnd.before(window.bytes, start, window.earliest, url.base64);
    return url.payloadStart;
  }

  /** The base64 payload at index `payload` of a data: URL of another type, decoded (through white space) into a nested scanner. */
  private openPayload(payload: number): void {
    const { window, settings, taps, layers } = this.core;
    const at = window.abs(payload);
    const what = `the payload of a data: URL ${settings.locate(at)}`;
    taps.openLayer(
      base64Tap(
        at,
        layers.target(what, (offset) => `at byte ${offset} of ${what}`),
      ),
    );
  }

  /** Raw RGBA pixels of a canvas: a screenshot. Redacted as a whole `args` array when redacting. */
  private imageData(keyQuote: number, afterType: number): number {
    const { window, verdicts } = this.core;
    const media: MediaMatch = { kind: 'image', format: 'raw pixels (rrweb ImageData)' };
    const array = verdicts.canRedact ? argsArrayAfter(window.bytes, afterType, window.length) : -1;
    if (array < 0) verdicts.found(media, '', window.abs(keyQuote));
    verdicts.beginRedaction(window.abs(array), MARKER_VALUE_BYTES);
    this.skip = new JsonArrayEnd();
    return array;
  }

  private startPackedString(quote: number, format: PackedFormat): void {
    const { window, settings, taps } = this.core;
    const at = window.abs(quote);
    const what = `a ${format === 'gzip' ? 'gzip' : 'zlib'}-packed string ${settings.locate(at)}`;
    taps.openPackedString(
      packedStringTap(
        at + 1,
        format,
        this.core.layers.target(what, (offset) => `at byte ${offset} of ${what}`),
      ),
    );
  }
}

import { Base32Stream } from '../base32.ts';
import { RunStream } from '../base64.ts';
import { HexStream } from '../hex.ts';
import { ByteValues, type ByteValuesShape } from '../byte-values.ts';
import { PercentStream } from '../percent.ts';
import { QuotedPrintableStream } from '../quoted-printable.ts';
import { isEndBlock, TAR_BLOCK, tarHeaderAt } from '../tar.ts';
import type { InspectionContext } from '../context.ts';
import type { ByteSink } from '../decoder.ts';
import { GzipStream } from '../layers/gzip.ts';
import { Inflater } from '../layers/inflate.ts';
import type { LayerKind, LayerLimits, LayerOutput, LayerStream } from '../layers/registry.ts';
import { LayerSink, type LayerHandlers } from '../layers/sink.ts';
import { Latin1String, type PackedFormat } from '../rrweb.ts';
import type { ScanWindow } from './window.ts';

/**
 * Content inside the content being scanned that is wrapped in a layer of
 * its own (a compressed stream, a deflated ZIP entry, an rrweb packed
 * string): its bytes are tapped as the scanner passes them and decoded
 * into a nested scanner, one level deeper.
 */
export interface Tap {
  /** Absolute offset of the next byte to feed. */
  position: number;
  readonly sink: ByteSink;
  /**
   * Feeds `b[from, to)` (`base` is the absolute offset of `b[0]`; an escape
   * may read on to `end`); returns the absolute offset reached, or -1 once
   * the tapped content has ended.
   */
  feed(b: Uint8Array, base: number, from: number, to: number, end: number): number;
}

/** Where what a tap decodes goes, and what a layer's end or failure means there. */
export interface TapTarget {
  readonly context: InspectionContext;
  readonly output: ByteSink;
  readonly handlers: LayerHandlers;
}

/** The content of the JSON string whose first character is at `start`, as latin1 bytes, inflated. */
export function packedStringTap(start: number, format: PackedFormat, target: TapTarget): Tap {
  const open = (output: LayerOutput): LayerStream => (format === 'gzip' ? new GzipStream(output) : new Inflater('zlib', (bytes) => output.data(bytes)));
  const sink = new LayerSink(open, target.context, target.output, target.handlers);
  const latin1 = new Latin1String();
  return {
    position: start,
    sink,
    feed(b, base, from, to, end) {
      const out = new Uint8Array(to - from);
      const { next, written } = latin1.decode(b, from, to, end, out);
      if (written > 0) sink.push(out.subarray(0, written));
      return latin1.state === 'open' ? base + next : -1;
    },
  };
}

/** A compressed ZIP entry's data from `dataStart`: `compressedSize` bytes, or up to the next header when the size follows the data. */
export function zipEntryTap(
  dataStart: number,
  compressedSize: number | undefined,
  open: (output: LayerOutput, limits: LayerLimits) => LayerStream,
  target: TapTarget,
): Tap {
  const limits: LayerLimits = { maxMemoryBytes: target.context.budgets.maxLayerMemoryBytes };
  const sink = new LayerSink((output) => open(output, limits), target.context, target.output, target.handlers);
  const until = compressedSize === undefined ? Infinity : dataStart + compressedSize;
  return {
    position: dataStart,
    sink,
    feed(b, base, from, to) {
      const stop = Math.min(to, until - base);
      if (stop > from) sink.push(b.subarray(from, stop));
      return stop < to ? -1 : base + to;
    },
  };
}

/** A layer recognised by its magic at `start`, fed until its data ends (then `ended` is told where) or the content does. */
export function layerTap(start: number, layer: LayerKind, limits: LayerLimits, target: TapTarget): Tap {
  let endedAt = -1;
  const handlers: LayerHandlers = {
    ...target.handlers,
    trailing: (at) => {
      endedAt = start + at;
      target.handlers.trailing(endedAt);
    },
  };
  const sink = new LayerSink((output) => layer.open(output, limits), target.context, target.output, handlers);
  return {
    position: start,
    sink,
    feed(b, base, from, to) {
      if (to > from) sink.push(b.subarray(from, to));
      return endedAt >= 0 ? -1 : base + to;
    },
  };
}

type TextDecode = (b: Uint8Array, from: number, to: number, end: number, out: Uint8Array) => { next: number; written: number; ended: boolean };

/**
 * Decoded text-encoded bytes (base64, base32, hex, latin1, percent, quoted-printable) go to the nested
 * scanner counted like any decoded layer; `reached` hears how far the
 * encoded text has been read (absolute), so that the caller does not open
 * the same text twice.
 */
export function textTap(start: number, target: TapTarget, decode: TextDecode, reached?: (at: number) => void): Tap {
  const { context, output } = target;
  return {
    position: start,
    sink: output,
    feed(b, base, from, to, end) {
      const out = new Uint8Array(to - from);
      const { next, written, ended } = decode(b, from, to, end, out);
      reached?.(base + next);
      if (written > 0 && !context.failure && context.decoded(written)) output.push(out.subarray(0, written));
      return ended ? -1 : base + next;
    },
  };
}

/** A base64 run from `start` to its end, decoded whole into a nested scanner. */
export function base64Tap(start: number, target: TapTarget): Tap {
  const stream = new RunStream();
  return textTap(start, target, (b, from, to, end, out) => ({ ...stream.decode(b, from, to, end, out), ended: stream.ended }));
}

/** A base32 run from `start`, decoded whole into a nested scanner. */
export function base32Tap(start: number, target: TapTarget): Tap {
  const stream = new Base32Stream();
  return textTap(start, target, (b, from, to, _end, out) => ({ ...stream.decode(b, from, to, out), ended: stream.ended }));
}

/** A run of hex digits (or of spaced pairs) from `start`, decoded whole into a nested scanner. */
export function hexTap(start: number, target: TapTarget, spaced = false): Tap {
  const stream = new HexStream(spaced);
  return textTap(start, target, (b, from, to, end, out) => ({ ...stream.decode(b, from, to, end, out), ended: stream.ended }));
}

/** The bytes a JSON string holds as latin1 characters (`"\u0089PNG\r\n\u001a..."`), from `start` to its closing quote. */
export function latin1StringTap(start: number, target: TapTarget, reached: (at: number) => void): Tap {
  const latin1 = new Latin1String();
  return textTap(start, target, (b, from, to, end, out) => ({ ...latin1.decode(b, from, to, end, out), ended: latin1.state !== 'open' }), reached);
}

/** Byte values written as JSON numbers, from `start` to the closing bracket. */
export function byteValuesTap(start: number, shape: ByteValuesShape, target: TapTarget, reached: (at: number) => void): Tap {
  const values = new ByteValues(shape);
  return textTap(start, target, (b, from, to, _end, out) => ({ ...values.decode(b, from, to, out), ended: values.ended }), reached);
}

/** A percent-encoded value from `start` to its end. */
export function percentTap(start: number, target: TapTarget, reached: (at: number) => void): Tap {
  const stream = new PercentStream();
  return textTap(start, target, (b, from, to, end, out) => ({ ...stream.decode(b, from, to, end, out), ended: stream.ended }), reached);
}

/** Quoted-printable text from `start` to the first byte it cannot hold. */
export function quotedPrintableTap(start: number, target: TapTarget, reached: (at: number) => void): Tap {
  const stream = new QuotedPrintableStream();
  return textTap(start, target, (b, from, to, end, out) => ({ ...stream.decode(b, from, to, end, out), ended: stream.ended }), reached);
}

/**
 * A tar archive from `start`: each header is read as it comes into view, and
 * each member's data is content that starts there (`member` is told where).
 * Nothing is decoded: tar stores its members as they are.
 */
export function tarTap(start: number, member: (dataStart: number, name: string) => void, sink: ByteSink): Tap {
  let nextHeader = start;
  return {
    position: start,
    sink,
    feed(b, base, _from, to, end) {
      for (;;) {
        const at = nextHeader - base;
        if (at >= to || at + TAR_BLOCK > end) return base + to;
        if (isEndBlock(b, at)) return -1;
        const header = tarHeaderAt(b, at, end);
        if (!header) return -1;
        if (header.isFile && header.size > 0) member(nextHeader + TAR_BLOCK, header.name);
        nextHeader += TAR_BLOCK + Math.ceil(header.size / TAR_BLOCK) * TAR_BLOCK;
      }
    },
  };
}

/** A scanner's open taps, fed round by round: at most one packed string and one ZIP entry at a time. */
export class TapSet {
  private readonly taps: Tap[] = [];
  /** The limit of the round in progress: a tap opened during it is fed up to there at once. */
  private roundLimit = 0;
  private packedString: Tap | null = null;
  private zipEntry: Tap | null = null;

  constructor(private readonly window: ScanWindow) {}

  get readingPackedString(): boolean {
    return this.packedString !== null;
  }

  openPackedString(tap: Tap): void {
    this.packedString = tap;
    this.open(tap);
  }

  openZipEntry(tap: Tap): void {
    this.zipEntry = tap;
    this.open(tap);
  }

  closeZipEntry(): void {
    if (this.zipEntry) this.close(this.zipEntry);
  }

  /** Feeds every tap up to `limit`, the limit of the round that begins. */
  feed(limit: number): void {
    this.roundLimit = limit;
    for (const tap of [...this.taps]) this.feedTap(tap, limit);
  }

  /** A layer found by its magic: any number may be open at once. */
  openLayer(tap: Tap): void {
    this.open(tap);
  }

  drain(): Promise<void> {
    return Promise.all(this.taps.map((tap) => tap.sink.drain())).then(() => undefined);
  }

  end(): void {
    for (const tap of this.taps.splice(0)) tap.sink.end();
  }

  /** Feeds a new tap what is already in view, up to the current round's limit. */
  private open(tap: Tap): void {
    this.taps.push(tap);
    this.feedTap(tap, this.roundLimit);
  }

  private feedTap(tap: Tap, limit: number): void {
    const from = this.window.index(tap.position);
    if (from >= limit) return;
    const reached = tap.feed(this.window.bytes, this.window.base, from, limit, this.window.length);
    if (reached < 0) this.close(tap);
    else tap.position = reached;
  }

  private close(tap: Tap): void {
    const at = this.taps.indexOf(tap);
    if (at >= 0) this.taps.splice(at, 1);
    if (tap === this.packedString) this.packedString = null;
    if (tap === this.zipEntry) this.zipEntry = null;
    tap.sink.end();
  }
}

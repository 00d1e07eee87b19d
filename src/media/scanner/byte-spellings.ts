import { ByteList, byteListKindAt, countByteList, isDelimiter, MIN_LIST_VALUES, type ByteListKind } from '../byte-lists.ts';
import { byteEscapeWidth, EscapedBytes, literalStart, opensEscapedBytes } from '../escaped-bytes.ts';
import { HexDump, hexDumpAt, type HexDumpFormat, type RepeatedLines } from '../hex-dumps.ts';
import { JsonString } from '../json-string.ts';
import { uuBeginAt, UuStream } from '../uuencode.ts';
import { openingQuote, type Carriers } from './carriers.ts';
import type { ScanCore } from './core.ts';
import type { SpellingStarts } from './roles.ts';
import { textTap, type Tap, type TapTarget } from './taps.ts';

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const MINUS = 0x2d;
const BRACKET = 0x5b;
const LF = 0x0a;
const CR = 0x0d;

const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x39;
const isHexDigit = (byte: number | undefined): boolean => isDigit(byte) || (byte !== undefined && (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66);
const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === LF;
/** Whether the separator at `at` (a `,` or `;` or white space, or both) is followed by a value: most numbers in text are not. */
function valueFollows(b: Uint8Array, at: number, end: number): boolean {
  let next = at;
  if (isDelimiter(b[next])) next++;
  while (next < end && isSpace(b[next]!)) next++;
  return next > at && next < end && (isDigit(b[next]) || b[next] === MINUS);
}

/** Index of the first byte at or after `at` that is not white space. */
function skipSpaces(b: Uint8Array, at: number, end: number): number {
  while (at < end && isSpace(b[at]!)) at++;
  return at;
}

/** A byte that glues a number to a word (`v2`, `1.5`, `x_1`): the number then begins no list. */
const isWordByte = (byte: number | undefined): boolean =>
  byte !== undefined && (isDigit(byte) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7a) || byte === 0x5f || byte === 0x2e);

const LIST_NAMES: Readonly<Record<ByteListKind, string>> = {
  decimal: 'a list of byte values',
  hex: 'a list of hex byte values',
  'quoted decimal': 'a JSON array of byte strings',
  'quoted hex': 'a JSON array of hex byte strings',
};

const DUMP_NAMES: Readonly<Record<HexDumpFormat, string>> = { xxd: 'an xxd hex dump', 'hexdump -C': 'a hexdump -C hex dump', od: 'an od hex dump' };

function byteListTap(start: number, kind: ByteListKind, target: TapTarget, reached: (at: number) => void): Tap {
  const list = new ByteList(kind);
  return textTap(start, target, (b, from, to, end, out) => ({ ...list.decode(b, from, to, end, out), ended: list.ended }), reached);
}

function escapedBytesTap(start: number, quote: number, target: TapTarget, reached: (at: number) => void): Tap {
  const literal = new EscapedBytes(quote);
  return textTap(start, target, (b, from, to, end, out) => ({ ...literal.decode(b, from, to, end, out), ended: literal.ended }), reached);
}

function jsonStringTap(start: number, target: TapTarget, reached: (at: number) => void): Tap {
  const string = new JsonString();
  return textTap(start, target, (b, from, to, end, out) => ({ ...string.decode(b, from, to, end, out), ended: string.ended }), reached);
}

function uuencodedTap(start: number, target: TapTarget, reached: (at: number) => void): Tap {
  const stream = new UuStream();
  return textTap(start, target, (b, from, to, _end, out) => ({ ...stream.decode(b, from, to, out), ended: stream.ended }), reached);
}

/** Repeated lines are handed on in pieces of about this size. */
const REPEAT_PIECE_BYTES = 64 * 1024;

/** The lines a `*` of a dump stands for, handed on as decoded bytes, counted against the budgets (a dump of a zip bomb is one). */
function pushRepeated({ line, times }: RepeatedLines, target: TapTarget): void {
  const { context, output } = target;
  const perPiece = Math.max(1, Math.floor(REPEAT_PIECE_BYTES / line.length));
  const piece = new Uint8Array(line.length * Math.min(times, perPiece));
  for (let at = 0; at < piece.length; at += line.length) piece.set(line, at);
  for (let left = times; left > 0 && !context.failure; left -= perPiece) {
    const bytes = piece.subarray(0, line.length * Math.min(left, perPiece));
    if (!context.decoded(bytes.length)) return;
    output.push(bytes);
  }
}

/** A hex dump from `start`: like a text tap, and the lines its `*` lines stand for in their place. */
function hexDumpTap(start: number, format: HexDumpFormat, target: TapTarget, reached: (at: number) => void): Tap {
  const dump = new HexDump(format);
  const { context, output } = target;
  return {
    position: start,
    sink: output,
    feed(b, base, from, to) {
      for (let at = from; ; ) {
        const out = new Uint8Array(to - at);
        const { next, written, repeat } = dump.decode(b, at, to, out);
        reached(base + next);
        if (written > 0 && !context.failure && context.decoded(written)) output.push(out.subarray(0, written));
        if (repeat) pushRepeated(repeat, target);
        if (dump.ended) return -1;
        if (!repeat) return base + next;
        at = next;
      }
    },
  };
}

/**
 * Bytes spelt out in text, each decoded into a nested scanner where its
 * spelling starts: lists of byte values (decimal, signed, `0x`, JSON arrays
 * of strings), backslash-escaped literals (Python's `repr(bytes)`, C
 * strings), hex dumps (`xxd`, `hexdump -C`, `od`) and uuencoded text. Inside a JSON string,
 * where backslashes are doubled and line breaks escaped, the string's text
 * is decoded first, and the spelling found in it one layer deeper.
 */
export class ByteSpellings implements SpellingStarts {
  /** Absolute offset up to which a spelling is being (or has been) decoded: nothing before it opens another. */
  private decodedTo = -1;
  /** Absolute offset before which no list of decimal values can start: a look ahead already read past there. */
  private listsCheckedTo = -1;
  private dumpOpenedAt = -1;
  private readonly reached = (at: number): void => {
    this.decodedTo = at;
  };

  constructor(
    private readonly core: ScanCore,
    private readonly carriers: Carriers,
  ) {}

  /** The `,` or `;` at index `p` (before a digit, `-` or a space) may end the first value of a list of decimal values. */
  separator(p: number): void {
    const { window } = this.core;
    const b = window.bytes;
    if (!isDigit(b[p - 1]) || !valueFollows(b, p, window.length)) return;
    let start = p - 1;
    while (start > window.earliest && start > p - 4 && isDigit(b[start - 1])) start--;
    if (start > 0 && b[start - 1] === MINUS) start--;
    // `[137,` is a JSON array of byte values (Carriers)
    const before = start > 0 ? b[start - 1] : undefined;
    if (isDigit(before) || isWordByte(before) || before === BRACKET || window.abs(p) < this.listsCheckedTo || this.claimed(window.abs(p))) return;
    this.list(start, 'decimal');
  }

  /** A digit or `b` at index `p` begins a line: a list of values, an xxd or hexdump dump, or uuencoded text may start there. */
  lineStart(p: number): void {
    const b = this.core.window.bytes;
    if (b[p] === 0x62) {
      this.uuencoded(p);
      return;
    }
    if (b[p] === 0x30) this.dump(p);
    this.listAt(this.firstValueLine(p));
  }

  /**
   * The first of the lines of one value each that end right before the line
   * starting at index `p` (a list written one value a line, whose first line
   * the content start may not have opened yet), as far back as the
   * lookbehind and lists already checked allow; `p` when there are none.
   */
  private firstValueLine(p: number): number {
    const { window } = this.core;
    const b = window.bytes;
    for (;;) {
      let lineEnd = p - 1;
      if (b[lineEnd - 1] === CR) lineEnd--;
      let start = lineEnd;
      while (start > window.earliest && start > lineEnd - 3 && isDigit(b[start - 1])) start--;
      if (start > window.earliest && b[start - 1] === MINUS) start--;
      const atContentStart = start === 0 && window.base === 0;
      if (start === lineEnd || (start <= window.earliest && !atContentStart) || (!atContentStart && b[start - 1] !== LF)) return p;
      if (window.abs(start) < this.listsCheckedTo) return p;
      p = start;
    }
  }

  /** Index `p` is where content starts (the body, a part, an entry, decoded content): a hex dump (then true), uuencoded text (true) or a list may start there. */
  contentStart(p: number): boolean {
    const { window } = this.core;
    // after the round's scan, which may have opened a decoding further on: a `begin` line is unmistakable
    if (window.bytes[p] === 0x62) return this.uuencoded(p, false);
    // content starts are sniffed after the round's scan, which may have opened this dump from its second line
    if (window.abs(p) === this.dumpOpenedAt) return true;
    const format = hexDumpAt(window.bytes, p, window.length);
    if (format) this.openDump(p, format);
    else this.listAt(skipSpaces(window.bytes, p, window.length));
    return format !== null;
  }

  /** The `[` at index `p` is followed by white space: a pretty-printed array of byte values may follow. */
  arrayOpening(p: number): void {
    const { window } = this.core;
    const b = window.bytes;
    this.listAt(skipSpaces(b, p + 1, window.length));
  }

  /** A list of decimal values that starts at index `p`, whatever comes before it. */
  private listAt(p: number): void {
    const { window } = this.core;
    const b = window.bytes;
    const digits = b[p] === MINUS ? p + 1 : p;
    let end = digits;
    while (end < digits + 3 && isDigit(b[end])) end++;
    if (end > digits && valueFollows(b, end, window.length) && window.abs(p) >= this.listsCheckedTo && !this.claimed(window.abs(p))) this.list(p, 'decimal');
  }

  /** The `0` of `0x` at index `p`: a list of hex literals may start there. */
  hexLiteral(p: number): void {
    const b = this.core.window.bytes;
    if (!isWordByte(b[p - 1]) && !this.claimed(this.core.window.abs(p))) this.list(p, 'hex');
  }

  /** The `"` at index `p` follows `[`: a JSON array of byte strings may start there. */
  quotedValues(p: number): void {
    const { window } = this.core;
    // most arrays of strings hold words
    if (!isHexDigit(window.bytes[p + 1]) && window.bytes[p + 1] !== MINUS) return;
    if (this.claimed(window.abs(p))) return;
    const kind = byteListKindAt(window.bytes, p, window.length);
    if (kind) this.list(p, kind);
  }

  /**
   * A backslash at index `p`, the first of its run: a `\xHH` or `\ooo` escape there
   * (with MIN_ESCAPES more close by) begins an escaped literal; with its
   * backslashes doubled (or more), the JSON string it is in, which is
   * decoded too when a `\n` there goes on with a line of a hex dump.
   */
  escape(p: number): void {
    const { window, settings, taps } = this.core;
    const b = window.bytes;
    if (b[p - 1] === BACKSLASH || this.claimed(window.abs(p))) return;
    // a JSON string with a hex dump in it: its lines after the first begin past a `\n`
    if (b[p + 1] === 0x6e && hexDumpAt(b, p + 2, window.length)) return this.jsonString(p, 'a JSON string of a hex dump');
    const width = byteEscapeWidth(b, p, window.length);
    if (width === 0 || !opensEscapedBytes(b, p, window.length, width)) return;
    if (width > 1) {
      // doubled by JSON (or JSON in JSON); an odd run is an escaped backslash before the escape
      if (width % 2 === 0) this.jsonString(p, 'a JSON string of escaped bytes');
      return;
    }
    const quote = literalStart(b, p, window.earliest);
    const start = window.abs(quote >= 0 ? quote + 1 : p);
    const what = `a string of escaped bytes ${settings.locate(start)}`;
    this.decodedTo = Infinity;
    taps.openLayer(escapedBytesTap(start, quote >= 0 ? b[quote]! : 0, this.target(what), this.reached));
  }

  /** The `begin` line of uuencoded text at index `p` (unless what is there is being decoded already): its lines are decoded one layer deeper. True when it is one. */
  private uuencoded(p: number, unlessClaimed = true): boolean {
    const { window, settings, taps } = this.core;
    if ((unlessClaimed && this.claimed(window.abs(p))) || !uuBeginAt(window.bytes, p, window.length)) return false;
    const at = window.abs(p);
    this.decodedTo = Infinity;
    taps.openLayer(uuencodedTap(at, this.target(`uuencoded text ${settings.locate(at)}`), this.reached));
    return true;
  }

  /** Index `p` starts a JSON string (the `"` before it) with a `b`: uuencoded text, its line breaks escaped, is decoded as the string's text first. */
  uuencodedString(p: number): void {
    const { window } = this.core;
    if (this.claimed(window.abs(p)) || !uuBeginAt(window.bytes, p, window.length, true)) return;
    this.jsonString(p, 'a JSON string of uuencoded text');
  }

  /** Index `p` starts a line, or a JSON string (the `"` before it): an xxd or hexdump dump may start there. */
  dump(p: number): void {
    const { window } = this.core;
    if (this.claimed(window.abs(p))) return;
    const format = hexDumpAt(window.bytes, p, window.length);
    if (!format) return;
    if (window.bytes[p - 1] === QUOTE) this.jsonString(p, 'a JSON string of a hex dump');
    else this.openDump(this.firstLine(p, format), format);
  }

  /** The first line of the dump whose line starts at index `p`, as far back as the lookbehind goes (the content may start there). */
  private firstLine(p: number, format: HexDumpFormat): number {
    const { window } = this.core;
    const b = window.bytes;
    for (;;) {
      let previous = p - 1;
      while (previous > window.earliest && b[previous - 1] !== LF) previous--;
      if (previous <= window.earliest && !(previous === 0 && window.base === 0)) return p;
      if (previous >= p - 1 || hexDumpAt(b, previous, window.length) !== format) return p;
      p = previous;
    }
  }

  /** Decodes the JSON string holding index `p` from its start (`what` says what it holds): its text is scanned one layer deeper. */
  private jsonString(p: number, what: string): void {
    const { window, settings, taps } = this.core;
    const quote = openingQuote(window.bytes, p, window.earliest);
    // a string that began before the lookbehind is decoded from here: its start is gone
    const start = window.abs(quote >= 0 ? quote + 1 : p);
    this.decodedTo = Infinity;
    taps.openLayer(jsonStringTap(start, this.target(`${what} ${settings.locate(start)}`), this.reached));
  }

  private openDump(p: number, format: HexDumpFormat): void {
    const { window, settings, taps } = this.core;
    const at = window.abs(p);
    this.decodedTo = Infinity;
    this.dumpOpenedAt = at;
    taps.openLayer(hexDumpTap(at, format, this.target(`${DUMP_NAMES[format]} ${settings.locate(at)}`), this.reached));
  }

  /** Opens the list of `kind` at index `p` if it has its MIN_LIST_VALUES; else no list starts before where reading stopped. */
  private list(p: number, kind: ByteListKind): void {
    const { window, settings, taps } = this.core;
    const { values, stop } = countByteList(window.bytes, p, window.length, kind, MIN_LIST_VALUES[kind]);
    if (values < MIN_LIST_VALUES[kind]) {
      this.listsCheckedTo = window.abs(stop);
      return;
    }
    const at = window.abs(p);
    this.decodedTo = Infinity;
    taps.openLayer(byteListTap(at, kind, this.target(`${LIST_NAMES[kind]} ${settings.locate(at)}`), this.reached));
  }

  private target(what: string): TapTarget {
    return this.core.layers.target(what, (offset) => `at byte ${offset} of ${what}`);
  }

  /** Whether what is at absolute `at` is being decoded already, here or as a JSON string or value (Carriers). */
  private claimed(at: number): boolean {
    return at < this.decodedTo || this.carriers.decodes(at);
  }
}

import type { LayerKind, LayerOutput, LayerStream } from './layer.ts';

export type WideEncoding = 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be';
type Encoding = WideEncoding;

const UNIT: Readonly<Record<Encoding, 2 | 4>> = { 'utf-16le': 2, 'utf-16be': 2, 'utf-32le': 4, 'utf-32be': 4 };
/** Code units of ASCII text that must open content without a BOM for it to be taken as UTF-16 or UTF-32. */
const ASCII_UNITS = 8;

const isTextByte = (byte: number | undefined): boolean =>
  byte !== undefined && ((byte >= 0x20 && byte <= 0x7e) || byte === 0x09 || byte === 0x0a || byte === 0x0d);

/** Whether `count` code units of `encoding` at `at` are ASCII text characters. */
function asciiUnits(b: Uint8Array, at: number, end: number, encoding: Encoding, count: number): boolean {
  const unit = UNIT[encoding];
  if (at + unit * count > end) return false;
  const low = encoding.endsWith('le') ? 0 : unit - 1;
  for (let k = 0; k < count; k++) {
    const base = at + k * unit;
    for (let i = 0; i < unit; i++) {
      const byte = b[base + i];
      if (i === low ? !isTextByte(byte) : byte !== 0) return false;
    }
  }
  return true;
}

/** The encoding a BOM at `at` names, and the BOM's length. */
function bom(b: Uint8Array, at: number, end: number): { encoding: Encoding; length: number } | null {
  const [b0, b1, b2, b3] = [b[at], b[at + 1], at + 2 < end ? b[at + 2] : -1, at + 3 < end ? b[at + 3] : -1];
  if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) return { encoding: 'utf-32le', length: 4 };
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) return { encoding: 'utf-32be', length: 4 };
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/** The text encoding content at `at` is in: by its BOM, or by ASCII characters spelt in wide code units. */
function detect(b: Uint8Array, at: number, end: number): Encoding | null {
  const marked = bom(b, at, end);
  if (marked) return marked.encoding;
  for (const encoding of ['utf-32le', 'utf-32be', 'utf-16le', 'utf-16be'] as const) if (asciiUnits(b, at, end, encoding, ASCII_UNITS)) return encoding;
  return null;
}

/** Bytes gathered before the encoding is decided: enough for a BOM or ASCII_UNITS code units of UTF-32. */
const DETECT_BYTES = ASCII_UNITS * 4;

/**
 * UTF-16 or UTF-32 text, re-encoded as UTF-8 for the nested scanner: its
 * ASCII (base64, data: URLs, JSON) then reads as it would in UTF-8 text.
 * Which of them it is, is read from its first bytes.
 */
class WideText implements LayerStream {
  readonly endedAt = -1;
  private unit = 0;
  private littleEndian = true;
  private readonly pending: number[] = [];
  private highSurrogate = -1;

  constructor(
    private readonly output: LayerOutput,
    /** The encoding when the first bytes do not tell (a declared charset). */
    private readonly fallback: Encoding = 'utf-16le',
  ) {}

  write(chunk: Uint8Array): void {
    if (this.unit === 0) {
      const take = Math.min(chunk.length, DETECT_BYTES - this.pending.length);
      for (let i = 0; i < take; i++) this.pending.push(chunk[i]!);
      if (this.pending.length < DETECT_BYTES) return;
      this.decide();
      chunk = chunk.subarray(take);
    }
    this.convert(chunk);
  }

  finish(): void {
    if (this.unit === 0 && this.pending.length > 0) {
      this.decide();
      this.convert(new Uint8Array(0));
    }
    // a trailing odd byte or a lone surrogate is not text: the content's own bytes were scanned anyway
  }

  private decide(): void {
    const head = Uint8Array.from(this.pending);
    const encoding = detect(head, 0, head.length) ?? this.fallback;
    this.unit = UNIT[encoding];
    this.littleEndian = encoding.endsWith('le');
  }

  private convert(chunk: Uint8Array): void {
    const out = new Uint8Array(Math.ceil((chunk.length + this.pending.length) / this.unit) * 4);
    let written = 0;
    let i = 0;
    for (;;) {
      const needed = this.unit - this.pending.length;
      if (needed <= 0) {
        written = this.put(this.codeUnit(this.pending.splice(0, this.unit)), out, written);
        continue;
      }
      if (i + needed > chunk.length) break;
      const unitBytes = this.pending.length > 0 ? [...this.pending.splice(0), ...chunk.subarray(i, i + needed)] : chunk.subarray(i, i + needed);
      i += needed;
      written = this.put(this.codeUnit(unitBytes), out, written);
    }
    for (; i < chunk.length; i++) this.pending.push(chunk[i]!);
    if (written > 0) this.output.data(out.subarray(0, written));
  }
  private codeUnit(bytes: ArrayLike<number>): number {
    let value = 0;
    for (let k = 0; k < this.unit; k++) value = value * 256 + bytes[this.littleEndian ? this.unit - 1 - k : k]!;
    return value;
  }

  /** Writes the UTF-8 of a code unit (pairing surrogates) into `out` at `at`; returns the new length. */
  private put(unit: number, out: Uint8Array, at: number): number {
    let codePoint = unit;
    if (this.unit === 2 && unit >= 0xd800 && unit <= 0xdbff) {
      this.highSurrogate = unit;
      return at;
    }
    if (this.unit === 2 && unit >= 0xdc00 && unit <= 0xdfff) {
      codePoint = this.highSurrogate >= 0 ? 0x10000 + ((this.highSurrogate - 0xd800) << 10) + (unit - 0xdc00) : 0xfffd;
    }
    this.highSurrogate = -1;
    if (codePoint > 0x10ffff) codePoint = 0xfffd;
    if (codePoint < 0x80) out[at++] = codePoint;
    else if (codePoint < 0x800) {
      out[at++] = 0xc0 | (codePoint >> 6);
      out[at++] = 0x80 | (codePoint & 0x3f);
    } else if (codePoint < 0x10000) {
      out[at++] = 0xe0 | (codePoint >> 12);
      out[at++] = 0x80 | ((codePoint >> 6) & 0x3f);
      out[at++] = 0x80 | (codePoint & 0x3f);
    } else {
      out[at++] = 0xf0 | (codePoint >> 18);
      out[at++] = 0x80 | ((codePoint >> 12) & 0x3f);
      out[at++] = 0x80 | ((codePoint >> 6) & 0x3f);
      out[at++] = 0x80 | (codePoint & 0x3f);
    }
    return at;
  }
}

/** UTF-16 and UTF-32 (either byte order, with or without a BOM), where content starts. */
export const WIDE_TEXT: LayerKind = {
  name: 'UTF-16/32 text',
  where: 'start',
  first: [0x00, 0xff, 0xfe, 0x09, 0x0a, 0x0d, ...Array.from({ length: 0x5f }, (_, i) => 0x20 + i)],
  recognise: (b, at, end) => detect(b, at, end) !== null,
  open: (output) => new WideText(output),
};

/** Text declared in a UTF-16 or UTF-32 charset: its BOM or ASCII decides the byte order, else the declared one. */
export const declaredWideText =
  (encoding: WideEncoding) =>
  (output: LayerOutput): LayerStream =>
    new WideText(output, encoding);

/** The wide encoding a charset name declares, or null. */
export function wideCharset(charset: string): WideEncoding | null {
  const name = charset.toLowerCase().replace(/^iso-10646-ucs-2$|^ucs-2$/, 'utf-16');
  const match = /^utf-?(16|32)(le|be)?$/.exec(name);
  if (!match) return null;
  // without a byte order named, RFC 2781 says big-endian; a BOM or the text's ASCII still decides first
  return `utf-${match[1]}${match[2] ?? 'be'}` as WideEncoding;
}

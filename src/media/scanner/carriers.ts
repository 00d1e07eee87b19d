import { latin1EscapeAt } from '../bytes.ts';
import { opensByteValues, type ByteValuesShape } from '../byte-values.ts';
import { percentEscapeAt, valueStart } from '../percent.ts';
import { opensQuotedPrintable, qpEscapeAt, qpTextStart } from '../quoted-printable.ts';
import { BINARY_BYTE } from '../signatures/index.ts';
import type { ScanCore } from './core.ts';
import { byteValuesTap, latin1StringTap, percentTap, quotedPrintableTap } from './taps.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** A character that only binary data puts in a JSON string: a control other than tab, line breaks and form feed, or a C1 control. */
const isBinaryCharacter = (value: number): boolean => BINARY_BYTE[value] === 1 || (value >= 0x80 && value <= 0x9f);

/** Index of the quote that opens the JSON string holding index `p`, looking back no further than `earliest`, or -1. */
export function openingQuote(b: Uint8Array, p: number, earliest: number): number {
  for (let i = p - 1; i >= earliest; i--) {
    if (b[i] !== QUOTE) continue;
    let backslashes = 0;
    while (i - 1 - backslashes >= earliest && b[i - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
  return -1;
}

/**
 * Bytes that text carries: a JSON string of latin1 characters with escapes
 * (`"\u0089PNG\r\n\u001a..."`), arrays of byte values, typed arrays
 * serialised by index, percent-encoded values, quoted-printable text. Each
 * is decoded into a nested scanner.
 */
export class Carriers {
  /** Absolute offset up to which a string or value is being (or has been) decoded: escapes before it open nothing more. */
  private decodedTo = -1;
  private readonly reached = (at: number): void => {
    this.decodedTo = at;
  };

  constructor(private readonly core: ScanCore) {}

  /** The backslash at index `p` may escape a byte only binary data holds: the string around it is decoded as bytes from its start. */
  escape(p: number): void {
    const { window, taps } = this.core;
    if (taps.readingPackedString || window.abs(p) < this.decodedTo) return;
    const value = latin1EscapeAt(window.bytes, p, window.length);
    if (value < 0 || !isBinaryCharacter(value)) return;
    const quote = openingQuote(window.bytes, p, window.earliest);
    // a string that began before the lookbehind is decoded from here: its start is gone
    const start = window.abs(quote >= 0 ? quote + 1 : p);
    this.decodedTo = Infinity;
    taps.openPackedString(latin1StringTap(start, this.target('a JSON string of bytes', start), this.reached));
  }

  /** Whether absolute `at` lies in a string or value being (or already) decoded. */
  decodes(at: number): boolean {
    return at < this.decodedTo;
  }

  /**
   * The `%` at index `p`: a percent-encoded value that holds bytes only
   * binary data holds, or a `data%3A` URL, is decoded from its start.
   */
  percent(p: number): void {
    const { window, taps } = this.core;
    const b = window.bytes;
    if (window.abs(p) < this.decodedTo) return;
    const value = percentEscapeAt(b, p, window.length);
    const dataScheme =
      value === 0x3a && p >= 4 && (b[p - 4]! | 0x20) === 0x64 && (b[p - 3]! | 0x20) === 0x61 && (b[p - 2]! | 0x20) === 0x74 && (b[p - 1]! | 0x20) === 0x61;
    if (value < 0 || !(dataScheme || isBinaryCharacter(value))) return;
    const start = window.abs(valueStart(b, p, window.earliest));
    this.decodedTo = Infinity;
    taps.openLayer(percentTap(start, this.target('a percent-encoded value', start), this.reached));
  }

  /**
   * The `=` at index `p` before a hex digit: quoted-printable text whose
   * escapes (MIN_QP_ESCAPES close by) hold bytes only binary data holds is
   * decoded from the start of its line.
   */
  quotedPrintable(p: number): void {
    const { window, taps } = this.core;
    const b = window.bytes;
    if (window.abs(p) < this.decodedTo) return;
    const value = qpEscapeAt(b, p, window.length);
    if (value < 0 || !isBinaryCharacter(value) || !opensQuotedPrintable(b, p, window.length)) return;
    const start = window.abs(qpTextStart(b, p, window.earliest));
    this.decodedTo = Infinity;
    taps.openLayer(quotedPrintableTap(start, this.target('quoted-printable text', start), this.reached));
  }

  /** A digit after the `[` at index `bracket`, or `0` after the `"` of `{"0":` at index `quote`. */
  byteValues(opener: number, shape: ByteValuesShape): void {
    const { window, taps } = this.core;
    const b = window.bytes;
    if (window.abs(opener) < this.decodedTo || (shape === 'object' && !(b[opener - 1] === 0x7b && b[opener + 2] === QUOTE))) return;
    const from = shape === 'array' ? opener + 1 : opener;
    if (!opensByteValues(b, from, window.length, shape)) return;
    const start = window.abs(from);
    this.decodedTo = Infinity;
    taps.openLayer(
      byteValuesTap(start, shape, this.target(shape === 'array' ? 'a JSON array of byte values' : 'a JSON object of byte values', start), this.reached),
    );
  }

  private target(what: string, at: number) {
    const where = `${what} ${this.core.settings.locate(at)}`;
    return this.core.layers.target(where, (offset) => `at byte ${offset} of ${where}`);
  }
}

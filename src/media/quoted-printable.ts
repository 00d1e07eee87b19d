/**
 * Quoted-printable (RFC 2045), the MIME transfer encoding of mail bodies and
 * of `Content-Transfer-Encoding: quoted-printable` parts: `=XX` for a byte,
 * `=` at the end of a line for a soft line break, every other printable
 * character and line break for itself. A screenshot attached to a mail, or
 * sent by a client that speaks MIME, arrives as `=89PNG=0D=0A=1A=0A...`.
 */

import { HEX_VALUE } from './hex-digits.ts';

const EQUALS = 0x3d;
const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;

/** The byte a `=XX` at `at` stands for, or -1. */
export function qpEscapeAt(b: Uint8Array, at: number, end: number): number {
  if (at + 3 > end || b[at] !== EQUALS) return -1;
  const high = HEX_VALUE[b[at + 1]!]!;
  const low = HEX_VALUE[b[at + 2]!]!;
  return high < 0 || low < 0 ? -1 : (high << 4) | low;
}

/**
 * Escapes that must follow the first `=XX` within QP_ESCAPE_SPAN characters,
 * it included, for the text to be decoded: `width=12&x=3` in a query string
 * is not quoted-printable.
 */
export const MIN_QP_ESCAPES = 4;
const QP_ESCAPE_SPAN = 32;

/** Whether the `=XX` at `at` has MIN_QP_ESCAPES escapes within QP_ESCAPE_SPAN characters. */
export function opensQuotedPrintable(b: Uint8Array, at: number, end: number): boolean {
  const stop = Math.min(end, at + QP_ESCAPE_SPAN);
  let escapes = 0;
  for (let i = at; i < stop && escapes < MIN_QP_ESCAPES; i++) if (qpEscapeAt(b, i, end) >= 0) escapes++;
  return escapes >= MIN_QP_ESCAPES;
}

/** Length of a soft line break (`=` then CRLF or LF) at `at`, or 0. */
function softBreakAt(b: Uint8Array, at: number, end: number): number {
  if (b[at] !== EQUALS) return 0;
  if (b[at + 1] === LF && at + 2 <= end) return 2;
  return b[at + 1] === CR && b[at + 2] === LF && at + 3 <= end ? 3 : 0;
}

/**
 * Index where the quoted-printable text holding index `p` starts: its line,
 * and the lines before it that end in a soft line break, as far back as
 * `earliest`.
 */
export function qpTextStart(b: Uint8Array, p: number, earliest: number): number {
  let start = p;
  for (;;) {
    while (start > earliest && b[start - 1] !== LF) start--;
    if (start <= earliest) return start;
    const lineEnd = b[start - 2] === CR ? start - 2 : start - 1;
    if (lineEnd - 1 < earliest || b[lineEnd - 1] !== EQUALS) return start;
    start = lineEnd - 1;
  }
}

/** A byte quoted-printable text may hold as itself: printable ASCII, tab and line breaks. */
const isLiteral = (byte: number): boolean => (byte >= 0x20 && byte < 0x7f) || byte === TAB || byte === CR || byte === LF;

/** Decodes quoted-printable text piece by piece, up to the first byte it cannot hold. */
export class QuotedPrintableStream {
  ended = false;

  /** Decodes what starts in `b[from, to)` (an escape or soft break may read on to `end`) into `out`; returns where it stopped and the bytes written. */
  decode(b: Uint8Array, from: number, to: number, end: number, out: Uint8Array): { next: number; written: number } {
    let written = 0;
    let i = from;
    while (i < to) {
      const byte = b[i]!;
      if (!isLiteral(byte)) {
        this.ended = true;
        break;
      }
      if (byte !== EQUALS) {
        out[written++] = byte;
        i++;
        continue;
      }
      // the scanner's lookahead keeps every escape whole in view, but at the end of the content
      const soft = softBreakAt(b, i, end);
      if (soft > 0) {
        i += soft;
        continue;
      }
      const value = qpEscapeAt(b, i, end);
      // a lone `=` stands for itself, as lenient decoders read it
      out[written++] = value < 0 ? byte : value;
      i += value < 0 ? 1 : 3;
    }
    return { next: i, written };
  }
}

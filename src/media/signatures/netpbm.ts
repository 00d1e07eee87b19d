/**
 * Netpbm images: PBM, PGM, PPM (P1-P6), PAM (P7), PFM (PF, Pf) and PHM (PH,
 * Ph). The header is text ("P6\n16 16\n255\n"), so a header counts only when
 * it parses completely and pixels follow it: binary ones at any offset,
 * plain (ASCII) ones where content starts, as numbers in range.
 */

import { ascii, bytesOf, startsWith } from '../bytes.ts';
import { image, type MediaMatch, type Signature } from './signature.ts';
import { binaryFollows, isDigit, isSpace, lineEnd } from './text-header.ts';

const P = 0x50;
/** What follows the P of a magic number: 1-7, F, f, H, h. */
const NETPBM_SECOND = [...'1234567FfHh'].map((char) => char.charCodeAt(0));
const HASH = 0x23;
const MAX_NUMBER_DIGITS = 7;
const MAX_MAXVAL = 65535;
/** Plain-format samples checked after the header. */
const PLAIN_SAMPLES = 12;
const PAM_MAX_LINE = 128;
const PAM_MAX_LINES = 16;
const ENDHDR = bytesOf('ENDHDR');

interface Header {
  readonly format: string;
  /** Index of the first pixel byte. */
  readonly data: number;
  readonly maxval: number;
  readonly plain: boolean;
}

const FORMATS: Readonly<Record<string, { format: string; fields: number; plain: boolean; float?: boolean }>> = {
  '1': { format: 'PBM', fields: 2, plain: true },
  '2': { format: 'PGM', fields: 3, plain: true },
  '3': { format: 'PPM', fields: 3, plain: true },
  '4': { format: 'PBM', fields: 2, plain: false },
  '5': { format: 'PGM', fields: 3, plain: false },
  '6': { format: 'PPM', fields: 3, plain: false },
  F: { format: 'PFM', fields: 3, plain: false, float: true },
  f: { format: 'PFM', fields: 3, plain: false, float: true },
  H: { format: 'PHM', fields: 3, plain: false, float: true },
  h: { format: 'PHM', fields: 3, plain: false, float: true },
};

/** Skips whitespace and `#` comments; returns the next index, or -1 past the view. */
function skipSeparators(b: Uint8Array, p: number, end: number): number {
  while (p < end) {
    if (isSpace(b[p])) p++;
    else if (b[p] === HASH) {
      while (p < end && b[p] !== 0x0a && b[p] !== 0x0d) p++;
    } else return p;
  }
  return -1;
}

const FLOAT = /^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** P1-P6, PF and PH: magic, then width, height and maxval (or scale) separated by whitespace, then one whitespace. */
function pnmHeader(b: Uint8Array, at: number, end: number): Header | null {
  const kind = FORMATS[String.fromCharCode(b[at + 1] ?? 0)];
  if (!kind || !isSpace(b[at + 2])) return null;
  const values: number[] = [];
  let p = at + 2;
  for (let field = 0; field < kind.fields; field++) {
    p = skipSeparators(b, p, end);
    if (p < 0) return null;
    const start = p;
    if (kind.float && field === 2) {
      while (p < end && !isSpace(b[p]) && p - start <= MAX_NUMBER_DIGITS + 8) p++;
      const scale = Number(FLOAT.test(ascii(b, start, p - start)) ? ascii(b, start, p - start) : NaN);
      if (!scale) return null;
      values.push(1);
    } else {
      while (p < end && isDigit(b[p])) p++;
      if (p === start || p - start > MAX_NUMBER_DIGITS) return null;
      values.push(Number(ascii(b, start, p - start)));
    }
  }
  const [width, height, maxval = 1] = values;
  if (!width || !height || maxval < 1 || maxval > MAX_MAXVAL || p >= end || !isSpace(b[p])) return null;
  return { format: kind.format, data: p + 1, maxval, plain: kind.plain };
}

/** P7: `KEY value` lines up to ENDHDR, with a width, height, depth and maxval. */
function pamHeader(b: Uint8Array, at: number, end: number): Header | null {
  if (b[at + 1] !== 0x37 || b[at + 2] !== 0x0a) return null;
  const fields = new Map<string, string>();
  let line = at + 3;
  for (let i = 0; i < PAM_MAX_LINES; i++) {
    const next = lineEnd(b, line, end, PAM_MAX_LINE);
    if (next < 0) return null;
    if (startsWith(b, line, end, ENDHDR)) {
      const positive = ['WIDTH', 'HEIGHT', 'DEPTH', 'MAXVAL'].every((key) => Number(fields.get(key)) >= 1);
      return positive && Number(fields.get('MAXVAL')) <= MAX_MAXVAL ? { format: 'PAM', data: next, maxval: Number(fields.get('MAXVAL')), plain: false } : null;
    }
    const [key, value] = ascii(b, line, next - line - 1)
      .trim()
      .split(/\s+/, 2);
    if (key && !key.startsWith('#')) fields.set(key, value ?? '');
    line = next;
  }
  return null;
}

/** Binary netpbm: a complete header, then bytes that are not text. */
const netpbm: Signature = {
  first: [P],
  second: NETPBM_SECOND,
  where: 'anywhere',
  text: true,
  match(b, at, end) {
    if (at + 3 > end || b[at] !== P) return null;
    const header = pamHeader(b, at, end) ?? pnmHeader(b, at, end);
    return header && !header.plain && binaryFollows(b, header.data, end) ? image(header.format) : null;
  },
};

/** The first samples of a plain image (or all of a tiny one): numbers up to maxval (P1: bits, which need no separators). */
function plainSamples(b: Uint8Array, header: Header, end: number): boolean {
  let p = header.data;
  for (let sample = 0; sample < PLAIN_SAMPLES; sample++) {
    p = skipSeparators(b, p, end);
    if (p < 0) return sample > 0; // a tiny image: all its samples were in view
    const start = p;
    if (header.format === 'PBM') p++;
    else while (p < end && isDigit(b[p])) p++;
    if (p === start || !isDigit(b[start]) || Number(ascii(b, start, p - start)) > header.maxval) return false;
  }
  return true;
}

/** Plain netpbm (P1-P3), where content starts: a complete header, then samples in range. */
const plainNetpbm: Signature = {
  first: [P],
  second: NETPBM_SECOND,
  where: 'start',
  text: true,
  match(b, at, end): MediaMatch | null {
    const header = at + 3 <= end ? pnmHeader(b, at, end) : null;
    return header?.plain && plainSamples(b, header, end) ? image(header.format) : null;
  },
};

export const NETPBM_SIGNATURES: readonly Signature[] = [netpbm, plainNetpbm];

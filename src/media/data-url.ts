import { mediaKindOf, parseMediaType, type MediaType } from './content-type.ts';
import { continuation, RunDecoder } from './base64.ts';
import { HEX_VALUE } from './hex-digits.ts';
import type { MediaMatch } from './signatures/index.ts';

/** The most header bytes (`image/png;name=x;base64,`) read after `data:`. */
const MAX_HEADER_BYTES = 512;
/** Fewer alphabet characters than this after `;base64,` is a mention of the syntax, not an embedded file. */
const MIN_BASE64_PAYLOAD_CHARS = 8;
/** Counts a payload's first characters; used synchronously, so one serves every scanner. */
const payloadDecoder = new RunDecoder(MIN_BASE64_PAYLOAD_CHARS);

const COMMA = 0x2c;
/** Scratch for `continuation`. */
const FOLD_CHAR = { value: 0 };
const BACKSLASH = 0x5c;
const AMPERSAND = 0x26;

export interface DataUrl {
  readonly media: MediaMatch;
  /** Offset of the first payload byte. */
  readonly payloadStart: number;
  readonly base64: boolean;
}

const FORMAT_BY_SUBTYPE: Readonly<Record<string, string>> = {
  png: 'PNG',
  apng: 'APNG',
  jpeg: 'JPEG',
  jpg: 'JPEG',
  pjpeg: 'JPEG',
  gif: 'GIF',
  webp: 'WebP',
  avif: 'AVIF',
  heic: 'HEIC',
  heif: 'HEIF',
  bmp: 'BMP',
  'x-ms-bmp': 'BMP',
  tiff: 'TIFF',
  'svg+xml': 'SVG',
  'x-icon': 'ICO',
  'vnd.microsoft.icon': 'ICO',
  mpeg: 'MPEG',
  mp3: 'MP3',
  mp4: 'MP4',
  'x-m4a': 'M4A',
  aac: 'AAC',
  ogg: 'Ogg',
  opus: 'Opus',
  wav: 'WAV',
  'x-wav': 'WAV',
  wave: 'WAV',
  webm: 'WebM',
  flac: 'FLAC',
  amr: 'AMR',
  aiff: 'AIFF',
  quicktime: 'QuickTime (MOV)',
  'x-matroska': 'Matroska',
  '3gpp': '3GP',
  'x-flv': 'FLV',
  mp2t: 'MPEG-TS',
};

/** The header of a `data:` URL: its media type (null when it names none), whether it says `;base64`, where its payload begins. */
interface DataUrlHeader {
  readonly type: MediaType | null;
  readonly base64: boolean;
  readonly payloadStart: number;
}

/** Reads the header of a `data:` URL whose `:` is at `colon`, with JSON escapes (`\/`, `\u002f`) undone; null when it is not one. */
function readHeader(b: Uint8Array, colon: number, end: number): DataUrlHeader | null {
  const stop = Math.min(end, colon + 1 + MAX_HEADER_BYTES);
  let header = '';
  let i = colon + 1;
  for (; i < stop && b[i] !== COMMA; i++) {
    let byte = b[i]!;
    if (byte === BACKSLASH) {
      const escaped = unescapeAt(b, i, stop);
      if (!escaped) return null;
      byte = escaped.char;
      i += escaped.length - 1;
    }
    if (byte <= 0x20 || byte >= 0x7f || byte === 0x22 || byte === 0x27 || byte === 0x3c || byte === 0x3e) return null;
    header += String.fromCharCode(byte);
  }
  if (i >= stop) return null;
  const [typeText = '', ...params] = header.split(';');
  return { type: parseMediaType(typeText), base64: params.some((param) => param.toLowerCase() === 'base64'), payloadStart: i + 1 };
}

/**
 * The `data:` URL whose `:` is at `colon`, when it names an image, audio or
 * video type (any case, any parameters) and carries a payload.
 */
export function mediaDataUrl(b: Uint8Array, colon: number, end: number): DataUrl | null {
  const header = readHeader(b, colon, end);
  const kind = header?.type && mediaKindOf(header.type);
  if (!header?.type || !kind || !hasPayload(b, header.payloadStart, end, header.base64)) return null;
  return { media: { kind, format: FORMAT_BY_SUBTYPE[header.type.subtype] ?? header.type.essence }, payloadStart: header.payloadStart, base64: header.base64 };
}

/**
 * Where the base64 payload of any other `data:` URL (`application/octet-stream`,
 * no type at all) begins, or -1: it is decoded like the payload of a media
 * one, white space inside it included, because what it holds is what counts.
 */
export function base64DataUrlPayload(b: Uint8Array, colon: number, end: number): number {
  const header = readHeader(b, colon, end);
  return header?.base64 && hasPayload(b, header.payloadStart, end, true) ? header.payloadStart : -1;
}

function unescapeAt(b: Uint8Array, at: number, end: number): { char: number; length: number } | null {
  if (b[at + 1] === 0x2f) return { char: 0x2f, length: 2 };
  if (at + 6 > end || b[at + 1] !== 0x75) return null;
  const code = Number.parseInt(String.fromCharCode(...b.subarray(at + 2, at + 6)), 16);
  return Number.isNaN(code) || code > 0x7f ? null : { char: code, length: 6 };
}

/** A payload: enough base64, or (percent-encoded or raw, like `<svg ...>`) anything but the end of the quoted or spaced text around it. */
function hasPayload(b: Uint8Array, at: number, end: number, base64: boolean): boolean {
  if (base64) {
    // HTML may write the payload's `/` and `+` as character references (`&#x2F;9j&#x2F;4AAQ...`)
    let chars = 0;
    for (let i = at; i < end; ) {
      payloadDecoder.decode(b, i, end);
      chars += payloadDecoder.chars;
      i = payloadDecoder.next;
      const reference = b[i] === AMPERSAND ? characterReferenceLength(b, i, end) : 0;
      if (chars >= MIN_BASE64_PAYLOAD_CHARS || reference === 0) break;
      i += reference;
      chars++;
    }
    return chars >= MIN_BASE64_PAYLOAD_CHARS;
  }
  const first = b[at];
  return first !== undefined && at < end && first > 0x20 && first !== 0x22 && first !== 0x27 && first !== 0x29 && first !== 0x60 && first !== BACKSLASH;
}

/** Length of an HTML numeric character reference (`&#47;`, `&#x2F;`) at `at`, or 0. */
function characterReferenceLength(b: Uint8Array, at: number, end: number): number {
  let i = at + 2;
  if (b[at + 1] !== 0x23) return 0;
  const hex = (b[i]! | 0x20) === 0x78;
  if (hex) i++;
  const digits = i;
  while (i < end && i - digits < 6 && (hex ? HEX_VALUE[b[i]!]! >= 0 : b[i]! >= 0x30 && b[i]! <= 0x39)) i++;
  return i > digits && b[i] === 0x3b ? i + 1 - at : 0;
}

/** Bytes that end an unquoted URL in text: white space and controls, quotes, angle brackets, `)`, backslash. */
function isUrlTerminator(byte: number): boolean {
  return (
    byte <= 0x20 || byte === 0x22 || byte === 0x27 || byte === 0x3c || byte === 0x3e || byte === 0x29 || byte === 0x60 || byte === BACKSLASH || byte === 0x7f
  );
}

/**
 * Finds where a data: URL ends, for redaction, from what precedes it: inside
 * "..." it ends at the closing quote (JSON-escaped quotes inside it do not
 * close it, so an SVG payload stays whole), inside '...' at the next
 * apostrophe, inside url(...) at the parenthesis, and elsewhere at the first
 * byte that cannot be part of a URL. Fed piece by piece; keeps the backslash
 * count across pieces.
 */
export class DataUrlEnd {
  /** Backslashes that ended the previous piece. */
  private trailingBackslashes = 0;

  private constructor(
    /** The byte that closes the URL, or -1 for "the first byte that cannot be in a URL". */
    private readonly closer: number,
    /** Backslashes before the opening quote: a quote with that many, or an even number, closes. */
    private readonly openingBackslashes: number,
    /** A base64 payload goes on through folds (white space before more of it), as browsers and decoders read it. */
    private readonly base64: boolean,
  ) {}

  static before(b: Uint8Array, dataStart: number, earliest: number, base64: boolean): DataUrlEnd {
    const opener = dataStart > earliest ? b[dataStart - 1]! : 0;
    let backslashes = 0;
    for (let i = dataStart - 2; i >= earliest && b[i] === BACKSLASH; i--) backslashes++;
    if (opener === 0x22) return new DataUrlEnd(0x22, backslashes, base64);
    if (opener === 0x27) return new DataUrlEnd(0x27, 0, base64);
    if (opener === 0x28) return new DataUrlEnd(0x29, 0, base64);
    return new DataUrlEnd(-1, 0, base64);
  }

  /** Offset of the first byte after the URL in `b[from, to)` (a fold may be read on to `end`), or -1 when it goes on past `to`. */
  find(b: Uint8Array, from: number, to: number, end = to): number {
    if (this.closer === -1) {
      for (let i = from; i < to; i++) {
        if (!isUrlTerminator(b[i]!)) continue;
        const fold = this.base64 ? continuation(b, i, end, FOLD_CHAR, true) : 0;
        if (fold === 0) return i;
        i += fold - 1;
      }
      return -1;
    }
    const piece = b.subarray(from, to);
    for (let at = piece.indexOf(this.closer); at >= 0; at = piece.indexOf(this.closer, at + 1)) {
      let backslashes = 0;
      while (backslashes < at && piece[at - 1 - backslashes] === BACKSLASH) backslashes++;
      if (backslashes === at) backslashes += this.trailingBackslashes;
      if (backslashes <= this.openingBackslashes || backslashes % 2 === 0) return from + at - Math.min(backslashes, this.openingBackslashes);
    }
    let trailing = 0;
    while (trailing < piece.length && piece[piece.length - 1 - trailing] === BACKSLASH) trailing++;
    this.trailingBackslashes = trailing === piece.length ? this.trailingBackslashes + trailing : trailing;
    return -1;
  }
}

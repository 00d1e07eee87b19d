import type { MediaKind } from './signatures/index.ts';

/** A parsed media type: lower-cased `type/subtype` and its parameters (names lower-cased). */
export interface MediaType {
  readonly type: string;
  readonly subtype: string;
  readonly essence: string;
  readonly params: ReadonlyMap<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses one media type (RFC 9110 `type/subtype *( ; name=value )`); null when malformed. */
export function parseMediaType(value: string): MediaType | null {
  const [essencePart = '', ...paramParts] = splitOutsideQuotes(value, ';');
  const slash = essencePart.indexOf('/');
  const type = essencePart.slice(0, slash).trim().toLowerCase();
  const subtype = essencePart
    .slice(slash + 1)
    .trim()
    .toLowerCase();
  if (slash < 0 || !TOKEN.test(type) || !TOKEN.test(subtype)) return null;
  const params = new Map<string, string>();
  for (const part of paramParts) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let paramValue = part.slice(eq + 1).trim();
    if (paramValue.startsWith('"') && paramValue.endsWith('"') && paramValue.length >= 2) {
      paramValue = paramValue.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    if (name && !params.has(name)) params.set(name, paramValue);
  }
  return { type, subtype, essence: `${type}/${subtype}`, params };
}

/**
 * Media types outside image/, audio/ and video/ whose content is nonetheless
 * an image, a recording or a stream. Descriptions of media (SDP, HLS and DASH
 * playlists) are text and are not in this list.
 */
const MEDIA_ALIASES: Readonly<Record<string, MediaKind>> = {
  'application/ogg': 'audio',
  'application/x-ogg': 'audio',
  'application/mp4': 'video',
  'application/mxf': 'video',
  'application/vnd.ms-asf': 'video',
  'application/x-shockwave-flash': 'video',
  'application/vnd.adobe.flash.movie': 'video',
  'application/x-flash-video': 'video',
  'application/vnd.rn-realmedia': 'video',
  'application/vnd.rn-realmedia-vbr': 'video',
  'application/x-matroska': 'video',
  'application/x-photoshop': 'image',
  'application/photoshop': 'image',
  'application/psd': 'image',
  'application/dicom': 'image',
};

const MEDIA_TOP_LEVEL: ReadonlySet<string> = new Set(['image', 'audio', 'video']);

/** The kind of media a media type names, or null when it names something else. */
export function mediaKindOf(type: MediaType): MediaKind | null {
  if (MEDIA_TOP_LEVEL.has(type.type)) return type.type as MediaKind;
  return MEDIA_ALIASES[type.essence] ?? null;
}

/**
 * Splits a header value on `separator` outside double-quoted strings. Used to
 * catch merged duplicate headers such as `application/json, image/png`.
 */
export function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (quoted && char === '\\' && i + 1 < value.length) {
      current += char + value[++i];
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

const TEXT_APPLICATION_TYPES: ReadonlySet<string> = new Set([
  'application/json',
  'application/ld+json',
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/json-seq',
  'application/javascript',
  'application/ecmascript',
  'application/x-javascript',
  'application/xml',
  'application/xhtml+xml',
  'application/x-www-form-urlencoded',
  'application/csv',
  'application/yaml',
  'application/x-yaml',
  'application/graphql',
  'application/sql',
  'application/problem+json',
]);

/** Whether the body claims to be text (and so must be valid UTF-8 unless it names another charset). */
export function isTextual(type: MediaType): boolean {
  return type.type === 'text' || TEXT_APPLICATION_TYPES.has(type.essence) || type.subtype.endsWith('+json') || type.subtype.endsWith('+xml');
}

/** Charsets in which every ASCII character is one byte of the same value, so byte patterns still match. */
const ASCII_COMPATIBLE_CHARSET = /^(utf-?8|us-ascii|ascii|iso-8859-\d{1,2}|iso8859-\d{1,2}|latin-?1|windows-125\d|cp125\d)$/;

export type TextCharset = 'utf-8' | 'ascii-compatible' | 'unsupported';

/** How a textual body's bytes are to be read: UTF-8 (the default), another ASCII-compatible charset, or not inspectable. */
export function textCharset(type: MediaType): TextCharset {
  const charset = type.params.get('charset')?.toLowerCase();
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8') return 'utf-8';
  return ASCII_COMPATIBLE_CHARSET.test(charset) ? 'ascii-compatible' : 'unsupported';
}

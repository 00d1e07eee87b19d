/** Containers that hold images, audio or video: ISO base media (MP4, MOV, M4A, HEIC, AVIF), Matroska/WebM, RIFF, IFF, Ogg. */

import { ascii, bytesOf, isPrintableAscii, startsWith, u16le, u32be, u32le } from '../bytes.ts';
import { crc32Ogg } from './crc32.ts';
import { audio, image, video, type MediaMatch, type Signature } from './signature.ts';

// --- ISO base media (MP4, MOV, M4A, 3GP, HEIC, AVIF) --------------------------

const IMAGE_BRANDS: ReadonlySet<string> = new Set([
  'heic',
  'heix',
  'hevc',
  'hevx',
  'heim',
  'heis',
  'mif1',
  'msf1',
  'avif',
  'avis',
  'avio',
  'jp2 ',
  'jpx ',
  'jpm ',
  'jxl ',
  'crx ',
]);
const AUDIO_BRANDS: ReadonlySet<string> = new Set(['M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B ']);

function formatOfBrand(brand: string): MediaMatch {
  if (brand === 'avif' || brand === 'avis' || brand === 'avio') return image('AVIF');
  if (IMAGE_BRANDS.has(brand)) return image(brand.startsWith('he') || brand === 'mif1' || brand === 'msf1' ? 'HEIC' : brand.trim().toUpperCase());
  if (AUDIO_BRANDS.has(brand)) return audio('M4A');
  if (brand === 'qt  ') return video('QuickTime (MOV)');
  if (brand.startsWith('3g')) return video('3GP');
  return video('MP4');
}

const FTYP = bytesOf('ftyp');
const STYP = bytesOf('styp');

/** Boxes that follow a file type box in the ISO files that carry one. */
const BOXES_AFTER_FTYP: ReadonlySet<string> = new Set([
  'moov',
  'mdat',
  'moof',
  'free',
  'skip',
  'wide',
  'uuid',
  'meta',
  'sidx',
  'ssix',
  'prft',
  'emsg',
  'pdin',
  'styp',
  'jp2h',
  'rreq',
  'jxlc',
  'jxlp',
  'jxll',
  'jxli',
  'jbrd',
  'Exif',
  'xml ',
  'jumb',
  'brob',
  'bxml',
]);

/**
 * An `ftyp` (or segment `styp`) box: size a multiple of 4 within reason,
 * printable brands. Inside other content the box after it must be one that
 * follows a file type box (libraries hold an ftyp box as a template).
 */
const fileTypeBox: Signature = {
  first: [0x00],
  where: 'anywhere',
  match(b, at, end, where) {
    const size = at + 8 <= end ? u32be(b, at) : 0;
    const isFtyp = startsWith(b, at + 4, end, FTYP);
    if ((!isFtyp && !startsWith(b, at + 4, end, STYP)) || size < 16 || size > 4096 || size % 4 !== 0 || at + 16 > end) return null;
    const brandsEnd = Math.min(at + size, end);
    for (let brand = at + 8; brand + 4 <= brandsEnd; brand += brand === at + 8 ? 8 : 4) {
      if (!isPrintableAscii(b, brand, 4) && u32be(b, brand) !== 0) return null;
    }
    if (!isPrintableAscii(b, at + 8, 4)) return null;
    if (where === 'anywhere' && (at + size + 8 > end || !BOXES_AFTER_FTYP.has(ascii(b, at + size + 4, 4)))) return null;
    return isFtyp ? formatOfBrand(ascii(b, at + 8, 4)) : video('MP4 segment');
  },
};

/** Boxes that open a movie without `ftyp` (old QuickTime) or a fragment of a recording in progress. */
const MOVIE_BOXES: readonly [Uint8Array, Uint8Array, MediaMatch][] = [
  [bytesOf('moov'), bytesOf('mvhd'), video('QuickTime (MOV)')],
  [bytesOf('moof'), bytesOf('mfhd'), video('fragmented MP4')],
];

const movieBox: Signature = {
  first: [0x00],
  where: 'anywhere',
  match(b, at, end) {
    if (at + 16 > end || u32be(b, at) < 16) return null;
    for (const [outer, inner, format] of MOVIE_BOXES) {
      if (startsWith(b, at + 4, end, outer) && startsWith(b, at + 12, end, inner) && u32be(b, at + 8) >= 8) return format;
    }
    return null;
  },
};

const MDAT = bytesOf('mdat');
/** A bare media data box: only where content starts (a MediaRecorder chunk), never searched inside text. */
const mediaDataBox: Signature = {
  first: [0x00],
  where: 'start',
  match(b, at, end) {
    if (!startsWith(b, at + 4, end, MDAT)) return null;
    const size = u32be(b, at);
    return size === 1 || size >= 16 ? video('MP4 media data') : null;
  },
};

// --- Matroska / WebM ------------------------------------------------------------

const EBML = [0x1a, 0x45, 0xdf, 0xa3];
const DOCTYPE_ID = [0x42, 0x82];

/** Length of an EBML variable-size integer from its first byte (1-8), 0 when invalid. */
function vintLength(first: number): number {
  for (let length = 1; length <= 8; length++) if (first & (0x100 >> length)) return length;
  return 0;
}

/** EBML header containing a DocType of `webm` or `matroska`. */
const ebml: Signature = {
  first: [0x1a],
  second: [0x45],
  where: 'anywhere',
  match(b, at, end) {
    if (!startsWith(b, at, end, EBML) || at + 5 > end) return null;
    const sizeLength = vintLength(b[at + 4]!);
    if (sizeLength === 0) return null;
    const headerEnd = Math.min(end, at + 4 + sizeLength + 64);
    for (let i = at + 4 + sizeLength; i + 3 < headerEnd; i++) {
      if (b[i] !== DOCTYPE_ID[0] || b[i + 1] !== DOCTYPE_ID[1]) continue;
      const length = b[i + 2]! & 0x7f;
      const docType = i + 3 + length <= end && b[i + 2]! & 0x80 ? ascii(b, i + 3, length).replace(/\0+$/, '') : '';
      if (docType === 'webm') return video('WebM');
      if (docType === 'matroska') return video('Matroska');
    }
    return null;
  },
};

const CLUSTER = [0x1f, 0x43, 0xb6, 0x75];
const CLUSTER_TIMECODE_ID = 0xe7;

/** A Matroska Cluster (a MediaRecorder timeslice after the first): Cluster ID, size, then its Timecode element. */
const webmCluster: Signature = {
  first: [0x1f],
  second: [0x43],
  where: 'anywhere',
  match(b, at, end) {
    if (!startsWith(b, at, end, CLUSTER) || at + 5 > end) return null;
    const sizeLength = vintLength(b[at + 4]!);
    const timecode = at + 4 + sizeLength;
    if (sizeLength === 0 || timecode + 2 > end || b[timecode] !== CLUSTER_TIMECODE_ID) return null;
    const valueLength = vintLength(b[timecode + 1]!);
    return valueLength === 1 && (b[timecode + 1]! & 0x7f) >= 1 && (b[timecode + 1]! & 0x7f) <= 8 ? video('WebM cluster') : null;
  },
};

// --- RIFF (WAV, AVI, WebP) and IFF (AIFF) ----------------------------------------

const RIFF_FORMS: Readonly<Record<string, MediaMatch>> = {
  WEBP: image('WebP'),
  WAVE: audio('WAV'),
  'AVI ': video('AVI'),
  AVIX: video('AVI'),
  RMID: audio('MIDI'),
  CDXA: video('Video CD'),
  ACON: image('animated cursor'),
  QLCM: audio('QCP'),
};
const RIFF_HEADERS = [bytesOf('RIFF'), bytesOf('RIFX'), bytesOf('RF64'), bytesOf('BW64')];

const WAVE_FORMAT = bytesOf('fmt ');
/** A `fmt ` chunk of any RIFF form describes a format in 14 to 256 bytes (QCP's has 150). */
const MIN_FORMAT_CHUNK = 14;
const MAX_FORMAT_CHUNK = 256;
const VP8_START_CODE = [0x9d, 0x01, 0x2a];
const VP8L_SIGNATURE = 0x2f;
const VP8X_SIZE = 10;

/**
 * The first chunk after the form type makes sense for the form: a printable
 * chunk ID; a `fmt ` chunk of a format chunk's size; a WAV `fmt ` chunk with a format, channels and a sample rate; a
 * WebP bitstream chunk with its own signature. A header template in a
 * program has the four-character codes but not these.
 */
function firstChunkValid(b: Uint8Array, at: number, end: number, form: string): boolean {
  const chunk = at + 12;
  if (chunk + 8 > end || !isPrintableAscii(b, chunk, 4)) return false;
  const id = ascii(b, chunk, 4);
  if (startsWith(b, chunk, end, WAVE_FORMAT) && (u32le(b, chunk + 4) < MIN_FORMAT_CHUNK || u32le(b, chunk + 4) > MAX_FORMAT_CHUNK)) return false;
  if (form === 'WAVE' && startsWith(b, chunk, end, WAVE_FORMAT)) {
    return chunk + 16 <= end && u16le(b, chunk + 8) !== 0 && u16le(b, chunk + 10) !== 0 && u32le(b, chunk + 12) !== 0;
  }
  if (form !== 'WEBP') return true;
  if (id === 'VP8 ') return startsWith(b, chunk + 11, end, VP8_START_CODE);
  if (id === 'VP8L') return chunk + 9 <= end && b[chunk + 8] === VP8L_SIGNATURE;
  return id === 'VP8X' && u32le(b, chunk + 4) === VP8X_SIZE;
}

const riff: Signature = {
  first: [0x52, 0x42],
  second: [0x49, 0x46, 0x57],
  where: 'anywhere',
  match(b, at, end) {
    if (at + 12 > end || !RIFF_HEADERS.some((header) => startsWith(b, at, end, header))) return null;
    const form = ascii(b, at + 8, 4);
    const media = RIFF_FORMS[form];
    return media && firstChunkValid(b, at, end, form) ? media : null;
  },
};

const IFF_FORMS: Readonly<Record<string, MediaMatch>> = {
  AIFF: audio('AIFF'),
  AIFC: audio('AIFF'),
  '8SVX': audio('8SVX'),
  '16SV': audio('8SVX'),
  MAUD: audio('MAUD'),
  ILBM: image('ILBM'),
  ANIM: video('IFF ANIM'),
};
const FORM = bytesOf('FORM');

/** `FORM`, a size, a known form type, then a chunk with a printable ID. */
const iff: Signature = {
  first: [0x46],
  second: [0x4f],
  where: 'anywhere',
  match(b, at, end) {
    if (!startsWith(b, at, end, FORM) || at + 20 > end || u32be(b, at + 4) < 4 || !isPrintableAscii(b, at + 12, 4)) return null;
    return IFF_FORMS[ascii(b, at + 8, 4)] ?? null;
  },
};

// --- Ogg (Vorbis, Opus, FLAC, Speex, Theora, VP8) ------------------------------

const OGGS = bytesOf('OggS');
const OGG_CODECS: readonly [number[], MediaMatch][] = [
  [[0x01, ...bytesOf('vorbis')], audio('Ogg Vorbis')],
  [[...bytesOf('OpusHead')], audio('Ogg Opus')],
  [[0x7f, ...bytesOf('FLAC')], audio('Ogg FLAC')],
  [[...bytesOf('Speex')], audio('Ogg Speex')],
  [[0x80, ...bytesOf('theora')], video('Ogg Theora')],
  [[...bytesOf('OVP80')], video('Ogg VP8')],
];

const OGG_HEADER = 27;

/** Whether the Ogg page at `at` is in view and its CRC is right. */
function oggPageChecksums(b: Uint8Array, at: number, end: number): boolean {
  const segments = b[at + 26]!;
  if (at + OGG_HEADER + segments > end) return false;
  let size = OGG_HEADER + segments;
  for (let i = 0; i < segments; i++) size += b[at + OGG_HEADER + i]!;
  return at + size <= end && crc32Ogg(b, at, at + size, at + 22) === u32le(b, at + 22);
}

/**
 * Any Ogg page (the first one or a continuation): capture pattern, version 0,
 * valid header type; a page of a known codec's headers counts as it is, any
 * other page when its CRC is right.
 */
const ogg: Signature = {
  first: [0x4f],
  second: [0x67],
  where: 'anywhere',
  match(b, at, end) {
    if (!startsWith(b, at, end, OGGS) || at + OGG_HEADER > end || b[at + 4] !== 0 || b[at + 5]! > 7) return null;
    const packet = at + OGG_HEADER + b[at + 26]!;
    for (const [prefix, format] of OGG_CODECS) if (startsWith(b, packet, end, prefix)) return format;
    return oggPageChecksums(b, at, end) ? audio('Ogg') : null;
  },
};

export const CONTAINER_SIGNATURES: readonly Signature[] = [fileTypeBox, movieBox, mediaDataBox, ebml, webmCluster, riff, iff, ogg];

/**
 * Magic numbers of image, audio and video formats, each confirmed by the
 * structure that follows it so that text never matches by accident.
 *
 * A signature is either `anywhere` (strong enough to be searched for at every
 * offset of a body: PNG + IHDR, RIFF + form, an ftyp box with a sane size and
 * brand, ...) or `start` only (checked where content begins: the body, a
 * multipart part, a ZIP entry, a decoded base64 run). Weak magic numbers (a
 * bare `BM`, an MPEG audio frame sync, `0x47`, `00 00 01 00`) only match
 * when the format's own structure confirms them: header fields in range,
 * consecutive frames or packets where the first one says the next one is.
 */

export type MediaKind = 'image' | 'audio' | 'video';

export interface MediaMatch {
  readonly kind: MediaKind;
  /** Human-readable format name, e.g. `PNG`, `MP3`, `WebM`. */
  readonly format: string;
}

/** The most bytes past a candidate offset that any check reads. */
export const SNIFF_LOOKAHEAD = 10 * 1024;

type Where = 'anywhere' | 'start';

interface Signature {
  /** The bytes a match can begin with. */
  readonly first: readonly number[];
  readonly where: Where;
  /** A text format (SVG): exempt from the binary-evidence rule. */
  readonly text?: boolean;
  /** The format at `at` in `b[at, end)`, or null. `end` is where the available bytes stop. */
  match(b: Uint8Array, at: number, end: number, where: Where): MediaMatch | null;
}

const image = (format: string): MediaMatch => ({ kind: 'image', format });
const audio = (format: string): MediaMatch => ({ kind: 'audio', format });
const video = (format: string): MediaMatch => ({ kind: 'video', format });

const bytesOf = (text: string): Uint8Array => Uint8Array.from(text, (char) => char.charCodeAt(0));

function startsWith(b: Uint8Array, at: number, end: number, expected: Uint8Array | readonly number[]): boolean {
  if (at < 0 || at + expected.length > end) return false;
  for (let i = 0; i < expected.length; i++) if (b[at + i] !== expected[i]) return false;
  return true;
}

const u16be = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const u16le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
const u32be = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const u32le = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

function isPrintableAscii(b: Uint8Array, at: number, length: number): boolean {
  for (let i = at; i < at + length; i++) if (b[i]! < 0x20 || b[i]! > 0x7e) return false;
  return true;
}

const ascii = (b: Uint8Array, at: number, length: number): string => String.fromCharCode(...b.subarray(at, at + length));

// --- images -----------------------------------------------------------------

const PNG = bytesOf('\x89PNG\r\n\x1a\n');
const IHDR = bytesOf('\0\0\0\x0dIHDR');
const CGBI = bytesOf('\0\0\0\x04CgBI'); // Apple's PNG variant

const png: Signature = {
  first: [0x89],
  where: 'anywhere',
  match: (b, at, end) =>
    startsWith(b, at, end, PNG) && (startsWith(b, at + 8, end, IHDR) || startsWith(b, at + 8, end, CGBI)) ? image('PNG') : null,
};

const JPEG_SOI = [0xff, 0xd8, 0xff];
const JPEG_APP_IDENTIFIERS = ['JFIF\0', 'JFXX\0', 'Exif\0', 'http:', 'ICC_PROFILE\0', 'Adobe'].map(bytesOf);

const isSegmentMarker = (marker: number): boolean =>
  (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc8) || marker === 0xdb || marker === 0xdd || (marker >= 0xe0 && marker <= 0xfe);

/**
 * SOI and a marker segment. Inside other content it must also be an APPn
 * segment with a known identifier, or two segments that chain to a third marker.
 */
const jpeg: Signature = {
  first: [0xff],
  where: 'anywhere',
  match(b, at, end, where) {
    if (!startsWith(b, at, end, JPEG_SOI) || at + 6 > end || !isSegmentMarker(b[at + 3]!)) return null;
    if (where === 'start') return image('JPEG');
    if (JPEG_APP_IDENTIFIERS.some((identifier) => startsWith(b, at + 6, end, identifier))) return image('JPEG');
    let segment = at + 2;
    for (let i = 0; i < 2; i++) {
      const length = u16be(b, segment + 2);
      segment += 2 + length;
      if (length < 2 || segment + 4 > end || b[segment] !== 0xff || !isSegmentMarker(b[segment + 1]!)) return null;
    }
    return image('JPEG');
  },
};

const GIF87A = bytesOf('GIF87a');
const GIF89A = bytesOf('GIF89a');

/** Header, logical screen descriptor, optional global colour table, then a block introducer. */
const gif: Signature = {
  first: [0x47],
  where: 'anywhere',
  match(b, at, end) {
    if (!startsWith(b, at, end, GIF89A) && !startsWith(b, at, end, GIF87A)) return null;
    if (at + 13 > end || u16le(b, at + 6) === 0 || u16le(b, at + 8) === 0) return null;
    const flags = b[at + 10]!;
    const block = at + 13 + (flags & 0x80 ? 3 << ((flags & 7) + 1) : 0);
    if (block >= end) return null;
    return b[block] === 0x21 || b[block] === 0x2c || b[block] === 0x3b ? image('GIF') : null;
  },
};

const BMP_DIB_HEADER_SIZES: ReadonlySet<number> = new Set([12, 40, 52, 56, 64, 108, 124]);
const BMP_BITS_PER_PIXEL: ReadonlySet<number> = new Set([1, 2, 4, 8, 16, 24, 32, 64]);

/** `BM` alone is text ("BMW"): the DIB header size, planes and bit depth must be valid. */
const bmp: Signature = {
  first: [0x42],
  where: 'anywhere',
  match(b, at, end) {
    if (at + 30 > end || b[at + 1] !== 0x4d) return null;
    const fileSize = u32le(b, at + 2);
    const pixelOffset = u32le(b, at + 10);
    const dibSize = u32le(b, at + 14);
    if (!BMP_DIB_HEADER_SIZES.has(dibSize) || pixelOffset < 14 + dibSize) return null;
    if (fileSize !== 0 && fileSize < pixelOffset) return null;
    const planes = dibSize === 12 ? u16le(b, at + 22) : u16le(b, at + 26);
    const bits = dibSize === 12 ? u16le(b, at + 24) : u16le(b, at + 28);
    return planes === 1 && BMP_BITS_PER_PIXEL.has(bits) ? image('BMP') : null;
  },
};

/**
 * Little- or big-endian TIFF (and TIFF-based camera raw) with a sane first IFD
 * offset. Inside other content the IFD must be in view with a plausible entry
 * count and first tag.
 */
const tiff: Signature = {
  first: [0x49, 0x4d],
  where: 'anywhere',
  match(b, at, end, where) {
    if (at + 8 > end) return null;
    const little = b[at] === 0x49 && b[at + 1] === 0x49 && b[at + 2] === 0x2a && b[at + 3] === 0x00;
    const big = b[at] === 0x4d && b[at + 1] === 0x4d && b[at + 2] === 0x00 && b[at + 3] === 0x2a;
    if (b[at] === 0x49 && b[at + 1] === 0x49 && b[at + 2] === 0x2b && b[at + 3] === 0x00) return u16le(b, at + 4) === 8 ? image('BigTIFF') : null;
    if (!little && !big) return null;
    const ifd = little ? u32le(b, at + 4) : u32be(b, at + 4);
    if (ifd < 8 || ifd >= 1 << 30) return null;
    if (where === 'start') return image('TIFF');
    if (at + ifd + 4 > end) return null;
    const entries = little ? u16le(b, at + ifd) : u16be(b, at + ifd);
    const firstTag = little ? u16le(b, at + ifd + 2) : u16be(b, at + ifd + 2);
    return entries >= 1 && entries <= 500 && firstTag >= 0xfe && firstTag <= 0x200 ? image('TIFF') : null;
  },
};

const ICON_BITS: ReadonlySet<number> = new Set([0, 1, 4, 8, 16, 24, 32]);

/** `00 00 01 00` is common in binary data: every directory entry must be sane and the first image must follow the directory. */
const ico: Signature = {
  first: [0x00],
  where: 'anywhere',
  match(b, at, end) {
    if (at + 6 > end || b[at + 1] !== 0 || (b[at + 2] !== 1 && b[at + 2] !== 2) || b[at + 3] !== 0) return null;
    const cursor = b[at + 2] === 2;
    const count = u16le(b, at + 4);
    if (count === 0 || count > 256 || at + 6 + 16 * count > end) return null;
    const directoryEnd = 6 + 16 * count;
    for (let i = 0; i < count; i++) {
      const entry = at + 6 + 16 * i;
      const size = u32le(b, entry + 8);
      const offset = u32le(b, entry + 12);
      if (b[entry + 3] !== 0 && b[entry + 3] !== 0xff) return null;
      if (!cursor && (u16le(b, entry + 4) > 1 || !ICON_BITS.has(u16le(b, entry + 6)))) return null;
      if (size === 0 || offset < directoryEnd || (i === 0 && offset !== directoryEnd)) return null;
    }
    return image(cursor ? 'CUR' : 'ICO');
  },
};

const PSD = bytesOf('8BPS');
const psd: Signature = {
  first: [0x38],
  where: 'anywhere',
  match: (b, at, end) =>
    startsWith(b, at, end, PSD) && at + 12 <= end && (u16be(b, at + 4) === 1 || u16be(b, at + 4) === 2) && u32be(b, at + 6) === 0 && u16be(b, at + 10) === 0
      ? image('PSD')
      : null,
};

const JP2_BOX = [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a];
const JXL_BOX = [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a];
const jpeg2000: Signature = { first: [0x00], where: 'anywhere', match: (b, at, end) => (startsWith(b, at, end, JP2_BOX) ? image('JPEG 2000') : null) };
const jpegXlContainer: Signature = { first: [0x00], where: 'anywhere', match: (b, at, end) => (startsWith(b, at, end, JXL_BOX) ? image('JPEG XL') : null) };
const jpeg2000Codestream: Signature = {
  first: [0xff],
  where: 'start',
  match: (b, at, end) => (startsWith(b, at, end, [0xff, 0x4f, 0xff, 0x51]) ? image('JPEG 2000') : null),
};

const EXR = [0x76, 0x2f, 0x31, 0x01];
const exr: Signature = { first: [0x76], where: 'anywhere', match: (b, at, end) => (startsWith(b, at, end, EXR) && at + 5 <= end && b[at + 4] === 2 ? image('OpenEXR') : null) };

const DDS = bytesOf('DDS |\0\0\0');
const dds: Signature = { first: [0x44], where: 'anywhere', match: (b, at, end) => (startsWith(b, at, end, DDS) ? image('DDS') : null) };

const BPG = bytesOf('BPG\xfb');
const bpg: Signature = { first: [0x42], where: 'start', match: (b, at, end) => (startsWith(b, at, end, BPG) ? image('BPG') : null) };

const QOI = bytesOf('qoif');
const qoi: Signature = {
  first: [0x71],
  where: 'start',
  match: (b, at, end) =>
    startsWith(b, at, end, QOI) && at + 14 <= end && u32be(b, at + 4) > 0 && u32be(b, at + 8) > 0 && (b[at + 12] === 3 || b[at + 12] === 4) && b[at + 13]! <= 1
      ? image('QOI')
      : null,
};

const ICNS = bytesOf('icns');
const icns: Signature = {
  first: [0x69],
  where: 'start',
  match: (b, at, end) => (startsWith(b, at, end, ICNS) && at + 16 <= end && u32be(b, at + 4) >= 16 && isPrintableAscii(b, at + 8, 4) ? image('ICNS') : null),
};

/** A standalone SVG document (not SVG markup inside HTML or JSON, which is not an image file). */
const svg: Signature = {
  first: [0x3c, 0xef, 0x20, 0x09, 0x0a, 0x0d],
  where: 'start',
  text: true,
  match(b, at, end) {
    const head = new TextDecoder().decode(b.subarray(at, Math.min(end, at + 1024)));
    return /^\ufeff?\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype\s+svg[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>/]/i.test(head) ? image('SVG') : null;
  },
};

const DICM = bytesOf('DICM');
/** A 128-byte preamble (zeros, or a TIFF header) then `DICM`: checked only where content starts. */
const dicom: Signature = { first: [0x00, 0x49, 0x4d], where: 'start', match: (b, at, end) => (startsWith(b, at + 128, end, DICM) ? image('DICOM') : null) };

// --- ISO base media (MP4, MOV, M4A, 3GP, HEIC, AVIF) --------------------------

const IMAGE_BRANDS: ReadonlySet<string> = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'avif', 'avis', 'avio', 'jp2 ', 'jpx ', 'jpm ', 'jxl ', 'crx ']);
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

/** An `ftyp` (or segment `styp`) box: size a multiple of 4 within reason, printable brands. */
const fileTypeBox: Signature = {
  first: [0x00],
  where: 'anywhere',
  match(b, at, end) {
    const size = at + 8 <= end ? u32be(b, at) : 0;
    const isFtyp = startsWith(b, at + 4, end, FTYP);
    if ((!isFtyp && !startsWith(b, at + 4, end, STYP)) || size < 16 || size > 4096 || size % 4 !== 0 || at + 16 > end) return null;
    const brandsEnd = Math.min(at + size, end);
    for (let brand = at + 8; brand + 4 <= brandsEnd; brand += brand === at + 8 ? 8 : 4) {
      if (!isPrintableAscii(b, brand, 4) && u32be(b, brand) !== 0) return null;
    }
    if (!isPrintableAscii(b, at + 8, 4)) return null;
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

const riff: Signature = {
  first: [0x52, 0x42],
  where: 'anywhere',
  match(b, at, end) {
    if (at + 12 > end || !RIFF_HEADERS.some((header) => startsWith(b, at, end, header))) return null;
    return RIFF_FORMS[ascii(b, at + 8, 4)] ?? null;
  },
};

const IFF_FORMS: Readonly<Record<string, MediaMatch>> = {
  AIFF: audio('AIFF'),
  AIFC: audio('AIFF'),
  '8SVX': audio('8SVX'),
  ILBM: image('ILBM'),
  ANIM: video('IFF ANIM'),
};
const FORM = bytesOf('FORM');

const iff: Signature = {
  first: [0x46],
  where: 'anywhere',
  match(b, at, end) {
    if (!startsWith(b, at, end, FORM) || at + 12 > end || u32be(b, at + 4) < 4) return null;
    return IFF_FORMS[ascii(b, at + 8, 4)] ?? null;
  },
};

// --- Audio ---------------------------------------------------------------------

const OGGS = bytesOf('OggS');
const OGG_CODECS: readonly [number[], MediaMatch][] = [
  [[0x01, ...bytesOf('vorbis')], audio('Ogg Vorbis')],
  [[...bytesOf('OpusHead')], audio('Ogg Opus')],
  [[0x7f, ...bytesOf('FLAC')], audio('Ogg FLAC')],
  [[...bytesOf('Speex')], audio('Ogg Speex')],
  [[0x80, ...bytesOf('theora')], video('Ogg Theora')],
  [[...bytesOf('OVP80')], video('Ogg VP8')],
];

/** Any Ogg page (the first one or a continuation): capture pattern, version 0, valid header type. */
const ogg: Signature = {
  first: [0x4f],
  where: 'anywhere',
  match(b, at, end) {
    if (!startsWith(b, at, end, OGGS) || at + 27 > end || b[at + 4] !== 0 || b[at + 5]! > 7) return null;
    const packet = at + 27 + b[at + 26]!;
    for (const [prefix, format] of OGG_CODECS) if (startsWith(b, packet, end, prefix)) return format;
    return audio('Ogg');
  },
};

const FLAC = bytesOf('fLaC');
/** `fLaC`, then a STREAMINFO metadata block (type 0) of length 34. */
const flac: Signature = {
  first: [0x66],
  where: 'anywhere',
  match: (b, at, end) => (startsWith(b, at, end, FLAC) && at + 8 <= end && (b[at + 4]! & 0x7f) === 0 && b[at + 5] === 0 && u16be(b, at + 6) === 34 ? audio('FLAC') : null),
};

const ID3 = bytesOf('ID3');
/** An ID3v2 tag: version 2-4, no undefined flags, a syncsafe size. "ID3 tags" is text. */
const id3: Signature = {
  first: [0x49],
  where: 'anywhere',
  match(b, at, end) {
    if (!startsWith(b, at, end, ID3) || at + 10 > end) return null;
    const version = b[at + 3]!;
    if (version < 2 || version > 4 || b[at + 4] === 0xff || (b[at + 5]! & 0x0f) !== 0) return null;
    for (let i = at + 6; i < at + 10; i++) if (b[i]! >= 0x80) return null;
    return audio('MP3');
  },
};

const MPEG_BITRATES_KBPS: Readonly<Record<string, readonly number[]>> = {
  // [version 1 | 2][layer 1..3]
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MPEG_SAMPLE_RATES = [44100, 48000, 32000];

interface MpegFrame {
  readonly length: number;
  /** Version, layer and sample rate: every frame of a stream shares them. */
  readonly shape: number;
  readonly layer: number;
}

/** Parses an MPEG audio frame header at `at`; null when any field is reserved or invalid. */
function mpegAudioFrame(b: Uint8Array, at: number, end: number): MpegFrame | null {
  if (at + 4 > end || b[at] !== 0xff || (b[at + 1]! & 0xe0) !== 0xe0) return null;
  const versionBits = (b[at + 1]! >> 3) & 3; // 0: 2.5, 2: 2, 3: 1
  const layerBits = (b[at + 1]! >> 1) & 3; // 1: III, 2: II, 3: I
  const bitrateIndex = b[at + 2]! >> 4;
  const rateIndex = (b[at + 2]! >> 2) & 3;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3 || (b[at + 3]! & 3) === 2) return null;
  const layer = 4 - layerBits;
  const version1 = versionBits === 3;
  const sampleRate = MPEG_SAMPLE_RATES[rateIndex]! / (version1 ? 1 : versionBits === 2 ? 2 : 4);
  const bitrate = MPEG_BITRATES_KBPS[`${version1 ? 1 : 2}-${layer}`]![bitrateIndex]! * 1000;
  const padding = (b[at + 2]! >> 1) & 1;
  const length =
    layer === 1
      ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4
      : Math.floor(((layer === 3 && !version1 ? 72 : 144) * bitrate) / sampleRate) + padding;
  return { length, shape: (versionBits << 4) | (layerBits << 2) | rateIndex, layer };
}

/** `count` consecutive frames of one shape, each where the previous one says it ends. */
function consecutiveFrames<F extends { length: number; shape: number }>(
  parse: (b: Uint8Array, at: number, end: number) => F | null,
  b: Uint8Array,
  at: number,
  end: number,
  count: number,
): F | null {
  const first = parse(b, at, end);
  let frame = first;
  let offset = at;
  for (let i = 1; i < count && frame; i++) {
    offset += frame.length;
    const next = parse(b, offset, end);
    frame = next && next.shape === first!.shape ? next : null;
  }
  return frame ? first : null;
}

const mpegAudio = (frames: number, where: Where): Signature => ({
  first: [0xff],
  where,
  match(b, at, end) {
    const frame = consecutiveFrames(mpegAudioFrame, b, at, end, frames);
    return frame ? audio(frame.layer === 3 ? 'MP3' : `MPEG audio layer ${frame.layer === 2 ? 'II' : 'I'}`) : null;
  },
});

const ADTS_SAMPLE_RATE_INDEXES = 13;

/** An AAC ADTS frame header: sync, layer 00, valid sampling index, a frame length past the header. */
function adtsFrame(b: Uint8Array, at: number, end: number): { length: number; shape: number } | null {
  if (at + 7 > end || b[at] !== 0xff || (b[at + 1]! & 0xf6) !== 0xf0) return null;
  const rateIndex = (b[at + 2]! >> 2) & 0x0f;
  const length = ((b[at + 3]! & 0x03) << 11) | (b[at + 4]! << 3) | (b[at + 5]! >> 5);
  const headerLength = b[at + 1]! & 1 ? 7 : 9;
  if (rateIndex >= ADTS_SAMPLE_RATE_INDEXES || length <= headerLength) return null;
  return { length, shape: (b[at + 1]! << 8) | (b[at + 2]! & 0xfc) };
}

const adts = (frames: number, where: Where): Signature => ({
  first: [0xff],
  where,
  match: (b, at, end) => (consecutiveFrames(adtsFrame, b, at, end, frames) ? audio('AAC (ADTS)') : null),
});

const AMR_NB_FRAME_BYTES = [12, 13, 15, 17, 19, 20, 26, 31, 5, -1, -1, -1, -1, -1, -1, 0];
const AMR_WB_FRAME_BYTES = [17, 23, 32, 36, 40, 46, 50, 58, 60, 5, -1, -1, -1, -1, 0, 0];
const AMR_NB = bytesOf('#!AMR\n');
const AMR_WB = bytesOf('#!AMR-WB\n');

/** `#!AMR\n` (or -WB), then two speech frame headers with valid frame types. */
const amr: Signature = {
  first: [0x23],
  where: 'anywhere',
  match(b, at, end) {
    const wide = startsWith(b, at, end, AMR_WB);
    if (!wide && !startsWith(b, at, end, AMR_NB)) return null;
    const sizes = wide ? AMR_WB_FRAME_BYTES : AMR_NB_FRAME_BYTES;
    let offset = at + (wide ? AMR_WB.length : AMR_NB.length);
    for (let frame = 0; frame < 2; frame++) {
      if (offset >= end || (b[offset]! & 0x83) !== 0) return null;
      const size = sizes[(b[offset]! >> 3) & 0x0f]!;
      if (size < 0) return null;
      offset += 1 + size;
    }
    return audio(wide ? 'AMR-WB' : 'AMR');
  },
};

const MIDI = bytesOf('MThd\0\0\0\x06');
const midi: Signature = { first: [0x4d], where: 'anywhere', match: (b, at, end) => (startsWith(b, at, end, MIDI) ? audio('MIDI') : null) };

const SUN_AU = bytesOf('.snd');
const sunAu: Signature = {
  first: [0x2e],
  where: 'anywhere',
  match: (b, at, end) => (startsWith(b, at, end, SUN_AU) && at + 24 <= end && u32be(b, at + 4) >= 24 && u32be(b, at + 12) >= 1 && u32be(b, at + 12) <= 27 ? audio('AU') : null),
};

const CAF = bytesOf('caff\0\x01\0\0');
const caf: Signature = { first: [0x63], where: 'anywhere', match: (b, at, end) => (startsWith(b, at, end, CAF) ? audio('CAF') : null) };

const DSF = bytesOf('DSD \x1c\0\0\0\0\0\0\0');
const dsf: Signature = { first: [0x44], where: 'anywhere', match: (b, at, end) => (startsWith(b, at, end, DSF) ? audio('DSF') : null) };

const WAVPACK = bytesOf('wvpk');
const wavpack: Signature = {
  first: [0x77],
  where: 'start',
  match: (b, at, end) => (startsWith(b, at, end, WAVPACK) && at + 10 <= end && u16le(b, at + 8) >= 0x402 && u16le(b, at + 8) <= 0x410 ? audio('WavPack') : null),
};

const APE = bytesOf('MAC ');
const ape: Signature = {
  first: [0x4d],
  where: 'start',
  match: (b, at, end) => (startsWith(b, at, end, APE) && at + 6 <= end && u16le(b, at + 4) >= 3800 && u16le(b, at + 4) <= 4000 ? audio("Monkey's Audio") : null),
};

// --- Video -----------------------------------------------------------------------

const FLV = bytesOf('FLV\x01');
/** `FLV`, version 1, only the audio/video flag bits, header size 9. */
const flv: Signature = {
  first: [0x46],
  where: 'anywhere',
  match: (b, at, end) => (startsWith(b, at, end, FLV) && at + 9 <= end && (b[at + 4]! & 0xfa) === 0 && u32be(b, at + 5) === 9 ? video('FLV') : null),
};

const TS_PACKET = 188;
const M2TS_PACKET = 192;

/** Sync bytes 0x47 at every packet boundary. */
function transportStream(b: Uint8Array, first: number, end: number, stride: number, packets: number): boolean {
  if (first + stride * (packets - 1) >= end) return false;
  for (let i = 0; i < packets; i++) if (b[first + i * stride] !== 0x47) return false;
  return true;
}

const mpegTs = (packets: number, where: Where): Signature => ({
  first: [0x47],
  where,
  match: (b, at, end) => (transportStream(b, at, end, TS_PACKET, packets) ? video('MPEG-TS') : null),
});

/** Blu-ray M2TS: a 4-byte timestamp before each sync byte, so the first byte is arbitrary (see `mayStartMedia`). */
const m2ts: Signature = { first: [], where: 'start', match: (b, at, end) => (transportStream(b, at + 4, end, M2TS_PACKET, 4) ? video('MPEG-TS (M2TS)') : null) };
const M2TS_SYNC_OFFSET = 4;

const MPEG_PACK = [0x00, 0x00, 0x01, 0xba];
const START_CODE_PREFIX = [0x00, 0x00, 0x01];

/** MPEG program stream pack header (MPEG-1 or MPEG-2 marker bits), followed by the next start code. */
const mpegPs: Signature = {
  first: [0x00],
  where: 'anywhere',
  match(b, at, end) {
    if (!startsWith(b, at, end, MPEG_PACK) || at + 14 > end) return null;
    const mpeg2 = (b[at + 4]! & 0xc4) === 0x44;
    if (!mpeg2 && (b[at + 4]! & 0xf1) !== 0x21) return null;
    const next = mpeg2 ? at + 14 + (b[at + 13]! & 0x07) : at + 12;
    return startsWith(b, next, end, START_CODE_PREFIX) ? video('MPEG-PS') : null;
  },
};

const MPEG_SEQUENCE = [0x00, 0x00, 0x01, 0xb3];
const mpegVideo: Signature = {
  first: [0x00],
  where: 'start',
  match(b, at, end) {
    if (!startsWith(b, at, end, MPEG_SEQUENCE) || at + 8 > end) return null;
    const width = (b[at + 4]! << 4) | (b[at + 5]! >> 4);
    const frameRateCode = b[at + 7]! & 0x0f;
    return width > 0 && frameRateCode >= 1 && frameRateCode <= 8 ? video('MPEG video') : null;
  },
};

const ASF = [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c];
const asf: Signature = { first: [0x30], where: 'anywhere', match: (b, at, end) => (startsWith(b, at, end, ASF) ? video('ASF (WMV/WMA)') : null) };

const MXF = [0x06, 0x0e, 0x2b, 0x34, 0x02, 0x05, 0x01, 0x01, 0x0d, 0x01, 0x02, 0x01, 0x01];
const mxf: Signature = { first: [0x06], where: 'anywhere', match: (b, at, end) => (startsWith(b, at, end, MXF) ? video('MXF') : null) };

const REALMEDIA = bytesOf('.RMF\0\0');
const REALAUDIO = bytesOf('.ra\xfd\0');
const realMedia: Signature = {
  first: [0x2e],
  where: 'anywhere',
  match: (b, at, end) => (startsWith(b, at, end, REALMEDIA) ? video('RealMedia') : startsWith(b, at, end, REALAUDIO) ? audio('RealAudio') : null),
};

/** Flash: FWS/CWS/ZWS, a version, a plausible length. Three letters alone are text, so only where content starts. */
const swf: Signature = {
  first: [0x46, 0x43, 0x5a],
  where: 'start',
  match(b, at, end) {
    if (at + 8 > end || b[at + 1] !== 0x57 || b[at + 2] !== 0x53) return null;
    return b[at + 3]! >= 1 && b[at + 3]! <= 50 && u32le(b, at + 4) >= 21 ? video('SWF') : null;
  },
};

// --- dispatch --------------------------------------------------------------------

const SIGNATURES: readonly Signature[] = [
  png, jpeg, gif, bmp, tiff, ico, psd, jpeg2000, jpegXlContainer, jpeg2000Codestream, exr, dds, bpg, qoi, icns, svg, dicom,
  fileTypeBox, movieBox, mediaDataBox, ebml, webmCluster, riff, iff,
  ogg, flac, id3, mpegAudio(2, 'start'), mpegAudio(4, 'anywhere'), adts(2, 'start'), adts(3, 'anywhere'), amr, midi, sunAu, caf, dsf, wavpack, ape,
  flv, mpegTs(5, 'start'), mpegTs(7, 'anywhere'), m2ts, mpegPs, mpegVideo, asf, mxf, realMedia, swf,
];

function table(where: Where): readonly (readonly Signature[])[] {
  const byFirstByte: Signature[][] = Array.from({ length: 256 }, () => []);
  for (const signature of SIGNATURES) {
    if (where === 'anywhere' && signature.where !== 'anywhere') continue;
    for (const first of signature.first) byFirstByte[first]!.push(signature);
  }
  return byFirstByte;
}

const ANYWHERE = table('anywhere');
const AT_START = table('start');
const AT_START_ANY_FIRST_BYTE = SIGNATURES.filter((signature) => signature.first.length === 0);

/**
 * False when no signature can match content whose first byte is `first` and
 * whose byte at MAY_START_MEDIA_PROBE is `probe`: lets a caller skip decoding more of it.
 */
export function mayStartMedia(first: number, probe: number): boolean {
  return AT_START[first]!.length > 0 || probe === 0x47;
}

export const MAY_START_MEDIA_PROBE = M2TS_SYNC_OFFSET;

/** 1 for each byte value that can begin an `anywhere` signature: a fast filter for scanners. */
export const MAY_START_SIGNATURE: Uint8Array = Uint8Array.from(ANYWHERE, (signatures) => (signatures.length > 0 ? 1 : 0));

/**
 * 1 for bytes that never occur in text: control characters (but tab, line
 * feed, form feed, carriage return) and bytes that are invalid in UTF-8.
 */
export const BINARY_BYTE: Uint8Array = Uint8Array.from({ length: 256 }, (_, byte) =>
  byte < 0x09 || (byte > 0x0d && byte < 0x20) || byte === 0x7f || byte === 0xc0 || byte === 0xc1 || byte >= 0xf5 ? 1 : 0,
);

/**
 * A binary format matches only if one of its first BINARY_EVIDENCE_SPAN bytes
 * is a BINARY_BYTE: every binary header has a zero, a size or a flag byte
 * that early, and text that spells out a header has none.
 */
export const BINARY_EVIDENCE_SPAN = 32;

function hasBinaryEvidence(b: Uint8Array, at: number, end: number): boolean {
  const stop = Math.min(end, at + BINARY_EVIDENCE_SPAN);
  for (let i = at; i < stop; i++) if (BINARY_BYTE[b[i]!]) return true;
  return false;
}

function tryAll(signatures: readonly Signature[], b: Uint8Array, at: number, end: number, where: Where): MediaMatch | null {
  for (const signature of signatures) {
    const found = signature.match(b, at, end, where);
    if (found && (signature.text || hasBinaryEvidence(b, at, end))) return found;
  }
  return null;
}

/**
 * The media format at offset `at` of `b`, looking at `b[at, end)` only.
 * `start`: content begins at `at` (a body, a part, an entry, decoded base64),
 * so start-only signatures count too. `anywhere`: `at` is an arbitrary offset
 * inside other content, so only strong or structurally confirmed ones count.
 * Either way a binary format matches only when its first bytes contain a
 * byte that text never does, so a text that spells out a header is not media.
 */
export function sniffAt(b: Uint8Array, at: number, end: number, where: Where): MediaMatch | null {
  if (at >= end) return null;
  const byFirstByte = (where === 'start' ? AT_START : ANYWHERE)[b[at]!]!;
  return tryAll(byFirstByte, b, at, end, where) ?? (where === 'start' ? tryAll(AT_START_ANY_FIRST_BYTE, b, at, end, where) : null);
}

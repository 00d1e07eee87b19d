/** Image formats: PNG, JPEG, GIF, BMP, TIFF, icons, PSD, JPEG 2000/XL, OpenEXR, DDS, BPG, QOI, ICNS, SVG, DICOM. */

import { ascii, bytesOf, isPrintableAscii, startsWith, u16be, u16le, u32be, u32le } from '../bytes.ts';
import { image, magic, type Signature } from './signature.ts';

const IHDR = bytesOf('\0\0\0\x0dIHDR');
const CGBI = bytesOf('\0\0\0\x04CgBI'); // Apple's PNG variant

const png = magic(bytesOf('\x89PNG\r\n\x1a\n'), 'anywhere', image('PNG'), (b, at, end) => startsWith(b, at + 8, end, IHDR) || startsWith(b, at + 8, end, CGBI));

const JPEG_SOI = [0xff, 0xd8, 0xff];
const JPEG_APP_IDENTIFIERS = ['JFIF\0', 'JFXX\0', 'Exif\0', 'http:', 'ICC_PROFILE\0', 'Adobe'].map(bytesOf);

const isSegmentMarker = (marker: number): boolean =>
  (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc8) || marker === 0xdb || marker === 0xdd || (marker >= 0xe0 && marker <= 0xfe);

/** The segment at `segment` (a marker and its length) is followed by another marker: -1 if not, 0 if that is out of view, 1 if it is. */
function chainsToNextMarker(b: Uint8Array, segment: number, end: number): number {
  const length = u16be(b, segment + 2);
  const next = segment + 2 + length;
  if (length < 2) return -1;
  if (next + 2 > end) return 0;
  return b[next] === 0xff && isSegmentMarker(b[next + 1]!) ? 1 : -1;
}

/**
 * SOI and a marker segment. Inside other content the first two segments must
 * chain to a third marker; an APPn segment with a known identifier that is
 * too long to see past (an Exif block with a thumbnail) is enough. Encoders
 * hold a JFIF header as a template, but no segments after it.
 */
const jpeg: Signature = {
  first: [0xff],
  second: [0xd8],
  where: 'anywhere',
  match(b, at, end, where) {
    if (!startsWith(b, at, end, JPEG_SOI) || at + 6 > end || !isSegmentMarker(b[at + 3]!)) return null;
    if (where === 'start') return image('JPEG');
    const first = chainsToNextMarker(b, at + 2, end);
    if (first === 0) return JPEG_APP_IDENTIFIERS.some((identifier) => startsWith(b, at + 6, end, identifier)) ? image('JPEG') : null;
    if (first < 0) return null;
    return chainsToNextMarker(b, at + 4 + u16be(b, at + 4), end) === 1 ? image('JPEG') : null;
  },
};

const GIF87A = bytesOf('GIF87a');
const GIF89A = bytesOf('GIF89a');

/** Header, logical screen descriptor, optional global colour table, then a block introducer. */
const gif: Signature = {
  first: [0x47],
  second: [0x49],
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
  second: [0x4d],
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

/** Little-endian BigTIFF: offsets of 8 bytes, a zero reserved field, a first IFD offset past the header and below 2^40. */
const bigTiffHeaderValid = (b: Uint8Array, at: number, end: number): boolean =>
  at + 16 <= end && u16le(b, at + 4) === 8 && u16le(b, at + 6) === 0 && u32le(b, at + 8) >= 16 && b[at + 13] === 0 && u16le(b, at + 14) === 0;

/**
 * Little- or big-endian TIFF (and TIFF-based camera raw) with a sane first IFD
 * offset. Inside other content the IFD must be in view with a plausible entry
 * count and first tag.
 */
const tiff: Signature = {
  first: [0x49, 0x4d],
  second: [0x49, 0x4d],
  where: 'anywhere',
  match(b, at, end, where) {
    if (at + 8 > end) return null;
    const little = b[at] === 0x49 && b[at + 1] === 0x49 && b[at + 2] === 0x2a && b[at + 3] === 0x00;
    const big = b[at] === 0x4d && b[at + 1] === 0x4d && b[at + 2] === 0x00 && b[at + 3] === 0x2a;
    if (b[at] === 0x49 && b[at + 1] === 0x49 && b[at + 2] === 0x2b && b[at + 3] === 0x00) return bigTiffHeaderValid(b, at, end) ? image('BigTIFF') : null;
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
  second: [0x00],
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

const psd = magic(
  bytesOf('8BPS'),
  'anywhere',
  image('PSD'),
  (b, at, end) => at + 12 <= end && (u16be(b, at + 4) === 1 || u16be(b, at + 4) === 2) && u32be(b, at + 6) === 0 && u16be(b, at + 10) === 0,
);

const FTYP = bytesOf('ftyp');
const JP2_BOXES: ReadonlySet<string> = new Set(['jp2h', 'rreq', 'xml ', 'uuid', 'uinf', 'jp2i', 'res ', 'ftbl', 'asoc', 'jpch', 'jplh', 'cgrp', 'dtbl']);
const JXL_BOXES: ReadonlySet<string> = new Set(['jxlc', 'jxlp', 'jxll', 'jxli', 'jbrd', 'Exif', 'xml ', 'jumb', 'brob']);

/**
 * The signature box is followed by the file type box and that by a box of
 * the format (a library's container template has the first two and ends).
 */
const containerBoxesFollow =
  (boxes: ReadonlySet<string>) =>
  (b: Uint8Array, at: number, end: number): boolean => {
    if (!startsWith(b, at + 16, end, FTYP)) return false;
    const next = at + 12 + u32be(b, at + 12);
    return next + 8 <= end && u32be(b, next) !== 1 && boxes.has(ascii(b, next + 4, 4));
  };
const jpeg2000 = magic([0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a], 'anywhere', image('JPEG 2000'), containerBoxesFollow(JP2_BOXES));
const jpegXlContainer = magic([0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a], 'anywhere', image('JPEG XL'), containerBoxesFollow(JXL_BOXES));
const jpeg2000Codestream = magic([0xff, 0x4f, 0xff, 0x51], 'start', image('JPEG 2000'));
const exr = magic([0x76, 0x2f, 0x31, 0x01], 'anywhere', image('OpenEXR'), (b, at, end) => at + 5 <= end && b[at + 4] === 2);
const DDS_REQUIRED_FLAGS = 0x1 | 0x2 | 0x4 | 0x1000; // caps, height, width, pixel format
/** DDS: the magic and header size, the flags every file sets, a size, a 32-byte pixel format. */
const dds = magic(
  bytesOf('DDS |\0\0\0'),
  'anywhere',
  image('DDS'),
  (b, at, end) =>
    at + 84 <= end &&
    (u32le(b, at + 8) & DDS_REQUIRED_FLAGS) === DDS_REQUIRED_FLAGS &&
    u32le(b, at + 12) > 0 &&
    u32le(b, at + 16) > 0 &&
    u32le(b, at + 76) === 32,
);
const bpg = magic(bytesOf('BPG\xfb'), 'start', image('BPG'));
const qoi = magic(
  bytesOf('qoif'),
  'start',
  image('QOI'),
  (b, at, end) => at + 14 <= end && u32be(b, at + 4) > 0 && u32be(b, at + 8) > 0 && (b[at + 12] === 3 || b[at + 12] === 4) && b[at + 13]! <= 1,
);
const icns = magic(bytesOf('icns'), 'start', image('ICNS'), (b, at, end) => at + 16 <= end && u32be(b, at + 4) >= 16 && isPrintableAscii(b, at + 8, 4));

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

export const IMAGE_SIGNATURES: readonly Signature[] = [
  png,
  jpeg,
  gif,
  bmp,
  tiff,
  ico,
  psd,
  jpeg2000,
  jpegXlContainer,
  jpeg2000Codestream,
  exr,
  dds,
  bpg,
  qoi,
  icns,
  svg,
  dicom,
];

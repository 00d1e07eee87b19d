/**
 * Raster images of the X11 and Unix world, where screenshots come from:
 * XWD (an X11 window dump), Sun raster, SGI, PCX, FITS and XBM. Each magic
 * number is short or text, so the header fields after it must be valid.
 */

import { ascii, bytesOf, startsWith, u16be, u16le, u32be } from '../bytes.ts';
import { image, magic, type Signature } from './signature.ts';

const XWD_VERSION = 7;
const XWD_MIN_HEADER = 100;
const XWD_MAX_HEADER = 100 + 1024;
const XWD_BITS_PER_PIXEL: ReadonlySet<number> = new Set([1, 4, 8, 16, 24, 32]);
const SCANLINE_UNITS: ReadonlySet<number> = new Set([8, 16, 32]);
const MAX_SIDE = 65535;

const inRange = (value: number, min: number, max: number): boolean => value >= min && value <= max;

/** X11 XWD (version 7, big-endian as xwd writes it): every field of the fixed header in range. */
const xwd: Signature = {
  first: [0x00],
  second: [0x00],
  where: 'anywhere',
  match(b, at, end) {
    if (at + XWD_MIN_HEADER > end || u32be(b, at + 4) !== XWD_VERSION) return null;
    const field = (index: number): number => u32be(b, at + 4 * index);
    const valid =
      inRange(field(0), XWD_MIN_HEADER, XWD_MAX_HEADER) &&
      field(2) <= 2 && // pixmap format: XYBitmap, XYPixmap, ZPixmap
      inRange(field(3), 1, 32) && // depth
      inRange(field(4), 1, MAX_SIDE) &&
      inRange(field(5), 1, MAX_SIDE) &&
      field(7) <= 1 && // byte order
      SCANLINE_UNITS.has(field(8)) &&
      field(9) <= 1 && // bit order
      SCANLINE_UNITS.has(field(10)) &&
      XWD_BITS_PER_PIXEL.has(field(11)) &&
      field(12) > 0 && // bytes per line
      field(13) <= 5; // visual class
    return valid ? image('XWD') : null;
  },
};

const SUN_DEPTHS: ReadonlySet<number> = new Set([1, 8, 24, 32]);
const SUN_TYPES: ReadonlySet<number> = new Set([0, 1, 2, 3, 4, 5, 0xffff]);
/** Sun raster: the magic, a size, a depth, a known type and colour map type (an empty map when there is none). */
const sunRaster = magic([0x59, 0xa6, 0x6a, 0x95], 'anywhere', image('Sun raster'), (b, at, end) => {
  if (at + 32 > end) return false;
  const mapType = u32be(b, at + 24);
  return (
    inRange(u32be(b, at + 4), 1, MAX_SIDE) &&
    inRange(u32be(b, at + 8), 1, MAX_SIDE) &&
    SUN_DEPTHS.has(u32be(b, at + 12)) &&
    SUN_TYPES.has(u32be(b, at + 20)) &&
    mapType <= 2 &&
    (mapType !== 0 || u32be(b, at + 28) === 0)
  );
});

const SGI_HEADER = 108;
/** SGI image: the magic, storage and bytes per channel, dimensions, a pixel range, a zero dummy field and a known colour map. */
const sgi = magic([0x01, 0xda], 'anywhere', image('SGI'), (b, at, end) => {
  if (at + SGI_HEADER > end) return false;
  return (
    b[at + 2]! <= 1 &&
    (b[at + 3] === 1 || b[at + 3] === 2) &&
    inRange(u16be(b, at + 4), 1, 3) &&
    u16be(b, at + 6) >= 1 &&
    u16be(b, at + 8) >= 1 &&
    inRange(u16be(b, at + 10), 1, 4) &&
    u32be(b, at + 12) <= u32be(b, at + 16) &&
    u32be(b, at + 20) === 0 &&
    u32be(b, at + 104) <= 3
  );
});

const PCX_VERSIONS: ReadonlySet<number> = new Set([0, 2, 3, 4, 5]);
const PCX_BITS: ReadonlySet<number> = new Set([1, 2, 4, 8]);
const PCX_RLE = 1;
/**
 * PCX: a known version, run-length encoding, a known depth, a window in
 * order, a zero reserved byte, 1-4 planes, and lines exactly as wide as the
 * window rounded up to an even number of bytes.
 */
const pcx: Signature = {
  first: [0x0a],
  second: [0x00, 0x02, 0x03, 0x04, 0x05],
  where: 'anywhere',
  match(b, at, end) {
    if (at + 70 > end || !PCX_VERSIONS.has(b[at + 1]!) || b[at + 2] !== PCX_RLE || !PCX_BITS.has(b[at + 3]!) || b[at + 64] !== 0) return null;
    const width = u16le(b, at + 8) - u16le(b, at + 4) + 1;
    const height = u16le(b, at + 10) - u16le(b, at + 6) + 1;
    const lineBytes = Math.ceil((width * b[at + 3]!) / 8);
    const bytesPerLine = u16le(b, at + 66);
    const valid =
      width >= 1 &&
      height >= 1 &&
      inRange(b[at + 65]!, 1, 4) &&
      bytesPerLine % 2 === 0 &&
      inRange(bytesPerLine, lineBytes, lineBytes + 1) &&
      u16le(b, at + 68) <= 2;
    return valid ? image('PCX') : null;
  },
};

const FITS_CARD = 80;
const FITS_SIMPLE = bytesOf(`SIMPLE  =${' '.repeat(20)}T`);
const FITS_BITPIX = bytesOf('BITPIX  =');
const FITS_NAXIS = bytesOf('NAXIS   =');
const FITS_BITPIX_VALUES: ReadonlySet<string> = new Set(['8', '16', '32', '64', '-32', '-64']);
/** FITS: 80-byte cards without line breaks, SIMPLE = T, then BITPIX with a valid value, then NAXIS. */
const fits: Signature = {
  first: [0x53],
  second: [0x49],
  where: 'anywhere',
  text: true,
  match(b, at, end) {
    if (!startsWith(b, at, end, FITS_SIMPLE) || !startsWith(b, at + FITS_CARD, end, FITS_BITPIX) || !startsWith(b, at + 2 * FITS_CARD, end, FITS_NAXIS))
      return null;
    const bitpix = ascii(b, at + FITS_CARD + FITS_BITPIX.length, FITS_CARD - FITS_BITPIX.length)
      .split('/')[0]!
      .trim();
    return FITS_BITPIX_VALUES.has(bitpix) ? image('FITS') : null;
  },
};

/** The head of an X bitmap: C source of its size, then its bits. */
const XBM_HEAD =
  /^#define[ \t]+(\w*)width[ \t]+\d+[ \t]*\r?\n#define[ \t]+\1height[ \t]+\d+[ \t]*\r?\n(#define[ \t]+\w+[ \t]+-?\d+[ \t]*\r?\n)*static[ \t]+(unsigned[ \t]+)?(char|short)[ \t]+\1bits\[\][ \t]*=[ \t]*\{\s*0x[0-9a-f]{2}/i;
const XBM_HEAD_BYTES = 512;
/**
 * XBM, where content starts only: it is C source, and a program that holds
 * one after other code is a program (as inline SVG markup is not an image).
 */
const xbm: Signature = {
  first: [0x23],
  where: 'start',
  text: true,
  match: (b, at, end) => (XBM_HEAD.test(ascii(b, at, Math.min(end - at, XBM_HEAD_BYTES))) ? image('XBM') : null),
};

export const RASTER_SIGNATURES: readonly Signature[] = [xwd, sunRaster, sgi, pcx, fits, xbm];

/**
 * Images of studios, science and old systems that ImageMagick writes: MNG,
 * DPX, Cineon, VIFF, VIPS, sixel, PGX, TGA, and the text-headed Radiance
 * HDR, MIFF, XPM and VICAR (where content starts only).
 */

import { ascii, bytesOf, startsWith, u16le, u32be, u32le } from '../bytes.ts';
import { image, magic, type Signature } from './signature.ts';
import { binaryFollows, isDigit } from './text-header.ts';

const mng = magic(bytesOf('\x8aMNG\r\n\x1a\n\0\0\0\x1cMHDR'), 'anywhere', image('MNG'));

/** DPX: `SDPX` or `XPDS`, an image offset, a version string. */
const DPX_VERSIONS = ['V1.0', 'V2.0'].map(bytesOf);
const DPX_BIG = bytesOf('SDPX');
const DPX_LITTLE = bytesOf('XPDS');
const dpx: Signature = {
  first: [0x53, 0x58],
  second: [0x44, 0x50],
  where: 'anywhere',
  match(b, at, end) {
    if (!startsWith(b, at, end, DPX_BIG) && !startsWith(b, at, end, DPX_LITTLE)) return null;
    return DPX_VERSIONS.some((version) => startsWith(b, at + 8, end, version)) ? image('DPX') : null;
  },
};

/** Kodak Cineon: the magic, then offsets and a version string `V4.5`. */
const CINEON_VERSION = bytesOf('V4.5');
const cineon = magic([0x80, 0x2a, 0x5f, 0xd7], 'anywhere', image('Cineon'), (b, at, end) => startsWith(b, at + 24, end, CINEON_VERSION));

/** Khoros VIFF: identifier 0xAB 0x01, file type 1, release 1, version 3, a known machine byte order, zero padding. */
const viff = magic(
  [0xab, 0x01, 0x01, 0x03],
  'anywhere',
  image('VIFF'),
  (b, at, end) => at + 8 <= end && (b[at + 4] === 0x02 || b[at + 4] === 0x08) && b[at + 5] === 0 && b[at + 6] === 0 && b[at + 7] === 0,
);

/** VIPS: the magic in either byte order, then a width and a height. */
const vips: Signature = {
  first: [0x08, 0xb6],
  second: [0xf2, 0xa6],
  where: 'anywhere',
  match(b, at, end) {
    if (at + 12 > end) return null;
    const big = startsWith(b, at, end, [0x08, 0xf2, 0xa6, 0xb6]);
    if (!big && !startsWith(b, at, end, [0xb6, 0xa6, 0xf2, 0x08])) return null;
    const read = big ? u32be : u32le;
    return read(b, at + 4) > 0 && read(b, at + 8) > 0 ? image('VIPS') : null;
  },
};

const ESC = 0x1b;
const SIXEL_PARAMETERS = 16;
const SIXEL_DATA = 8;
/** Sixel graphics: a DCS (ESC P, numeric parameters, `q`) followed by sixel data characters. */
const sixel: Signature = {
  first: [ESC],
  second: [0x50],
  where: 'anywhere',
  match(b, at, end) {
    if (b[at + 1] !== 0x50) return null;
    let p = at + 2;
    while (p < Math.min(end, at + 2 + SIXEL_PARAMETERS) && (isDigit(b[p]) || b[p] === 0x3b)) p++;
    if (b[p] !== 0x71 || p + 1 + SIXEL_DATA > end) return null;
    for (let i = p + 1; i < p + 1 + SIXEL_DATA; i++) if (b[i]! < 0x21 || b[i]! > 0x7e) return null;
    return image('sixel');
  },
};

/** JPEG 2000 part 4 PGX: `PG ML` or `PG LM`, a sign and depth, a size, then samples. */
const PGX = /^PG (ML|LM) ?[+-]? ?\d{1,2} \d{1,6} \d{1,6}\n$/;
const pgx: Signature = {
  first: [0x50],
  second: [0x47],
  where: 'anywhere',
  text: true,
  match(b, at, end) {
    if (b[at + 1] !== 0x47 || b[at + 2] !== 0x20) return null;
    const lineEnd = b.subarray(at, Math.min(end, at + 40)).indexOf(0x0a);
    return lineEnd > 0 && PGX.test(ascii(b, at, lineEnd + 1)) && binaryFollows(b, at + lineEnd + 1, end) ? image('PGX') : null;
  },
};

const TGA_IMAGE_TYPES: ReadonlySet<number> = new Set([1, 2, 3, 9, 10, 11]);
const TGA_DEPTHS: ReadonlySet<number> = new Set([8, 15, 16, 24, 32]);
const TGA_MAP_DEPTHS: ReadonlySet<number> = new Set([15, 16, 24, 32]);
/**
 * Truevision TGA has no magic number: where content starts, every field of
 * its 18-byte header must be consistent (a colour map only for mapped
 * types, a known depth, a size, no reserved descriptor bits).
 */
const tga: Signature = {
  first: [],
  where: 'start',
  match(b, at, end) {
    if (at + 18 > end || b[at + 1]! > 1 || !TGA_IMAGE_TYPES.has(b[at + 2]!)) return null;
    const mapped = b[at + 1] === 1;
    const mapSpec = mapped ? TGA_MAP_DEPTHS.has(b[at + 7]!) && (b[at + 2] === 1 || b[at + 2] === 9) : [3, 4, 5, 6, 7].every((i) => b[at + i] === 0);
    const valid =
      mapSpec && u16le(b, at + 12) > 0 && u16le(b, at + 14) > 0 && TGA_DEPTHS.has(b[at + 16]!) && (b[at + 17]! & 0xc0) === 0 && (b[at + 17]! & 0x0f) <= 8;
    return valid ? image('TGA') : null;
  },
};

/** Text-headed image files, where content starts: Radiance HDR, ImageMagick MIFF, XPM, VICAR. */
const TEXT_HEADED: readonly [Uint8Array, RegExp, string][] = [
  [bytesOf('#?'), /^#\?(RADIANCE|RGBE)\n/, 'Radiance HDR'],
  [bytesOf('id=ImageMagick'), /^id=ImageMagick\s+version=[\d.]+\s/, 'MIFF'],
  [bytesOf('/* XPM */'), /^\/\* XPM \*\/\r?\n(static\s+)?(const\s+)?char\s*\*\s*\w+\s*\[\]\s*=\s*\{\s*(\/\*[^*]*\*\/\s*)?"\d+ \d+ \d+ \d+/, 'XPM'],
  [bytesOf('LBLSIZE='), /^LBLSIZE=\d+\s+FORMAT='\w+'\s+TYPE='IMAGE'/, 'VICAR'],
];
const TEXT_HEAD_BYTES = 256;
const textHeaded: Signature = {
  first: [0x23, 0x69, 0x2f, 0x4c],
  where: 'start',
  text: true,
  match(b, at, end) {
    for (const [prefix, pattern, format] of TEXT_HEADED) {
      if (startsWith(b, at, end, prefix) && pattern.test(ascii(b, at, Math.min(end - at, TEXT_HEAD_BYTES)))) return image(format);
    }
    return null;
  },
};

export const LEGACY_IMAGE_SIGNATURES: readonly Signature[] = [mng, dpx, cineon, viff, vips, sixel, pgx, tga, textHeaded];

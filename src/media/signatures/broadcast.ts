/**
 * Studio, broadcast and disc formats that ffmpeg writes as raw streams: DTS,
 * Dolby TrueHD and MLP, IEC 61937 (S/PDIF) bursts, Dirac, DNxHD, MPEG-4
 * part 2 video, and the RoQ and WTV files.
 */

import { bytesOf, startsWith, u16be, u16le, u32be } from '../bytes.ts';
import { consecutiveFrames, type Frame } from './frames.ts';
import { audio, magic, video, type Signature } from './signature.ts';

const DTS_SAMPLE_RATES: ReadonlySet<number> = new Set([1, 2, 3, 6, 7, 8, 11, 12, 13]);
const DTS_MIN_BLOCKS = 5;
const DTS_MIN_FRAME = 96;
const DTS_FRAMES = 3;

/** A DTS core frame (16-bit big-endian sync 7FFE8001): normal frame type, enough blocks, a frame size, a known sample rate. */
function dtsFrame(b: Uint8Array, at: number, end: number): Frame | null {
  if (at + 9 > end || u32be(b, at) !== 0x7ffe8001 || !(b[at + 4]! & 0x80)) return null;
  const blocks = (((b[at + 4]! & 0x01) << 6) | (b[at + 5]! >> 2)) + 1;
  const length = (((b[at + 5]! & 0x03) << 12) | (b[at + 6]! << 4) | (b[at + 7]! >> 4)) + 1;
  const sampleRate = (b[at + 8]! >> 2) & 0x0f;
  if (blocks < DTS_MIN_BLOCKS || length < DTS_MIN_FRAME || !DTS_SAMPLE_RATES.has(sampleRate)) return null;
  return { length, shape: sampleRate };
}

const dts: Signature = {
  first: [0x7f],
  second: [0xfe],
  where: 'anywhere',
  match: (b, at, end) => (consecutiveFrames(dtsFrame, b, at, end, DTS_FRAMES) ? audio('DTS') : null),
};

const MLP_SIGNATURE = [0xb7, 0x52];
/** Dolby TrueHD and MLP: the major sync (F8726FBA or F8726FBB) and the format signature 0xB752 after it. */
const trueHd: Signature = {
  first: [0xf8],
  second: [0x72],
  where: 'anywhere',
  match(b, at, end) {
    if (at + 10 > end || b[at + 1] !== 0x72 || b[at + 2] !== 0x6f || (b[at + 3] !== 0xba && b[at + 3] !== 0xbb) || !startsWith(b, at + 8, end, MLP_SIGNATURE))
      return null;
    return audio(b[at + 3] === 0xba ? 'Dolby TrueHD' : 'MLP');
  },
};

const IEC61937_DATA_TYPES: ReadonlySet<number> = new Set([1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 17, 21, 22]);
/** IEC 61937 burst (compressed audio over S/PDIF): preambles Pa Pb as 16-bit little-endian words, a known data type. */
const iec61937 = magic(
  [0x72, 0xf8, 0x1f, 0x4e],
  'anywhere',
  audio('IEC 61937 (S/PDIF)'),
  (b, at, end) => at + 8 <= end && IEC61937_DATA_TYPES.has(u16le(b, at + 4) & 0x1f) && u16le(b, at + 6) > 0,
);

const BBCD = bytesOf('BBCD');
/** Dirac: a parse info header whose next-parse offset leads to another one. */
const dirac = magic(BBCD, 'anywhere', video('Dirac'), (b, at, end) => {
  if (at + 13 > end) return false;
  const next = u32be(b, at + 5);
  return next >= 13 && startsWith(b, at + next, end, BBCD);
});

const DNXHD_CIDS: readonly (readonly [number, number])[] = [
  [1235, 1260],
  [1270, 1274],
];
/**
 * DNxHD/DNxHR frame, where content starts: the header prefix, a picture
 * height and width, a known compression ID. Its 5-byte prefix is common in
 * programs' tables.
 */
const dnxhd: Signature = {
  first: [0x00],
  second: [0x00],
  where: 'start',
  match(b, at, end) {
    if (at + 0x2c > end || b[at + 1] !== 0 || b[at + 2] !== 0x02 || b[at + 3] !== 0x80 || b[at + 4]! < 1 || b[at + 4]! > 3) return null;
    const cid = u32be(b, at + 0x28);
    return u16be(b, at + 0x18) > 0 && u16be(b, at + 0x1a) > 0 && DNXHD_CIDS.some(([low, high]) => cid >= low && cid <= high) ? video('DNxHD') : null;
  },
};

/**
 * MPEG-4 part 2 (DivX, Xvid, ffmpeg's mpeg4): a visual object sequence
 * followed by a visual object; where content starts, also a video object
 * followed by its video object layer (big-endian tables of 0x100 and 0x120
 * look like that).
 */
const mpeg4Part2: Signature = {
  first: [0x00],
  second: [0x00],
  where: 'anywhere',
  match(b, at, end, where) {
    if (at + 9 > end || b[at + 1] !== 0 || b[at + 2] !== 1) return null;
    const code = b[at + 3]!;
    if (code === 0xb0) return b[at + 5] === 0 && b[at + 6] === 0 && b[at + 7] === 1 && b[at + 8] === 0xb5 ? video('MPEG-4 part 2') : null;
    const objectLayer = code <= 0x1f && b[at + 4] === 0 && b[at + 5] === 0 && b[at + 6] === 1 && b[at + 7]! >= 0x20 && b[at + 7]! <= 0x2f;
    return where === 'start' && objectLayer ? video('MPEG-4 part 2') : null;
  },
};

const ROQ_CHUNKS: ReadonlySet<number> = new Set([0x1001, 0x1002, 0x1011, 0x1012, 0x1013, 0x1020, 0x1021]);
/** Id RoQ: its signature chunk, then a chunk of a known type. */
const roq = magic([0x84, 0x10, 0xff, 0xff, 0xff, 0xff], 'anywhere', video('RoQ'), (b, at, end) => at + 10 <= end && ROQ_CHUNKS.has(u16le(b, at + 8)));

/** Windows Recorded TV: the WTV header GUID and the GUID after it (libavformat holds the first in a table). */
const wtv = magic(
  [
    0xb7, 0xd8, 0x00, 0x20, 0x37, 0x49, 0xda, 0x11, 0xa6, 0x4e, 0x00, 0x07, 0xe9, 0x5e, 0xad, 0x8d, 0x8c, 0xc3, 0xd2, 0xc2, 0x7e, 0x9a, 0xda, 0x11, 0x8b, 0xf7,
    0x00, 0x07, 0xe9, 0x5e, 0xad, 0x8d,
  ],
  'anywhere',
  video('WTV'),
);

export const BROADCAST_SIGNATURES: readonly Signature[] = [dts, trueHd, iec61937, dirac, dnxhd, mpeg4Part2, roq, wtv];

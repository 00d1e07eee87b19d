/**
 * Video files outside the containers: FLV, MPEG-TS/M2TS, MPEG-PS, MPEG video,
 * ASF, MXF, RealMedia, SWF, IVF, NUT, SMJPEG, DV, Y4M. Elementary streams
 * (H.264, HEVC, AV1) are in video-streams.ts.
 */

import { ascii, bytesOf, isPrintableAscii, startsWith, u16be, u16le, u32be, u32le } from '../bytes.ts';
import { binaryFollows, lineEnd } from './text-header.ts';
import { audio, magic, video, type Signature, type Where } from './signature.ts';

const FLV_TAG_TYPES: ReadonlySet<number> = new Set([8, 9, 18]);
/**
 * `FLV`, version 1, only the audio/video flag bits and at least one set,
 * header size 9, a first previous-tag-size of 0, then an audio, video or
 * script tag (possibly marked filtered).
 */
const flv = magic(
  bytesOf('FLV\x01'),
  'anywhere',
  video('FLV'),
  (b, at, end) =>
    at + 14 <= end &&
    (b[at + 4]! & 0xfa) === 0 &&
    (b[at + 4]! & 0x05) !== 0 &&
    u32be(b, at + 5) === 9 &&
    u32be(b, at + 9) === 0 &&
    FLV_TAG_TYPES.has(b[at + 13]! & 0x1f),
);

const TS_PACKET = 188;
/** The byte after a sync byte: no transport error flag. */
const TS_SECOND = Array.from({ length: 0x80 }, (_, i) => i);
const M2TS_PACKET = 192;

/**
 * Sync bytes 0x47 at every packet boundary, each packet without the
 * transport error flag and with an adaptation field control other than the
 * reserved 00, and some PID seen twice with its continuity counter going on
 * (a table of 16-bit values 0x47 0x00 ... has the sync bytes, but each of its
 * "packets" has another PID).
 */
function transportStream(b: Uint8Array, first: number, end: number, stride: number, packets: number): boolean {
  if (first + stride * (packets - 1) + 4 > end) return false;
  let continued = false;
  for (let i = 0; i < packets; i++) {
    const packet = first + i * stride;
    if (b[packet] !== 0x47 || b[packet + 1]! & 0x80 || (b[packet + 3]! & 0x30) === 0) return false;
    const pid = u16be(b, packet + 1) & 0x1fff;
    for (let j = i - 1; j >= 0; j--) {
      const earlier = first + j * stride;
      if ((u16be(b, earlier + 1) & 0x1fff) !== pid) continue;
      const step = ((b[packet + 3]! & 0x0f) - (b[earlier + 3]! & 0x0f) + 16) % 16;
      if (step > 1) return false;
      continued = true;
      break;
    }
  }
  return continued;
}

const mpegTs = (packets: number, where: Where): Signature => ({
  first: [0x47],
  second: TS_SECOND,
  where,
  match: (b, at, end) => (transportStream(b, at, end, TS_PACKET, packets) ? video('MPEG-TS') : null),
});

/** Blu-ray M2TS: a 4-byte timestamp before each sync byte, so the first byte is arbitrary (see `mayStartMedia`). */
const m2ts: Signature = {
  first: [],
  where: 'start',
  match: (b, at, end) => (transportStream(b, at + 4, end, M2TS_PACKET, 4) ? video('MPEG-TS (M2TS)') : null),
};
export const M2TS_SYNC_OFFSET = 4;

const MPEG_PACK = [0x00, 0x00, 0x01, 0xba];
const START_CODE_PREFIX = [0x00, 0x00, 0x01];

/** MPEG program stream pack header (MPEG-1 or MPEG-2 marker bits), followed by the next start code. */
const mpegPs: Signature = {
  first: [0x00],
  second: [0x00],
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
  second: [0x00],
  where: 'start',
  match(b, at, end) {
    if (!startsWith(b, at, end, MPEG_SEQUENCE) || at + 8 > end) return null;
    const width = (b[at + 4]! << 4) | (b[at + 5]! >> 4);
    const frameRateCode = b[at + 7]! & 0x0f;
    return width > 0 && frameRateCode >= 1 && frameRateCode <= 8 ? video('MPEG video') : null;
  },
};

/** ASF: the header object's GUID, a size, a count of header objects, and its two reserved bytes 0x01 0x02 (libavformat holds the GUID in a table). */
const asf = magic(
  [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c],
  'anywhere',
  video('ASF (WMV/WMA)'),
  (b, at, end) => at + 30 <= end && u32le(b, at + 16) >= 30 && u32le(b, at + 24) >= 1 && b[at + 28] === 0x01 && b[at + 29] === 0x02,
);
/**
 * MXF: a partition pack key (header, body or footer, a known status), a BER
 * length, then major version 1 (libavformat holds the keys in a table).
 */
const mxf = magic([0x06, 0x0e, 0x2b, 0x34, 0x02, 0x05, 0x01, 0x01, 0x0d, 0x01, 0x02, 0x01, 0x01], 'anywhere', video('MXF'), (b, at, end) => {
  if (at + 17 > end || b[at + 13]! < 2 || b[at + 13]! > 4 || b[at + 14]! < 1 || b[at + 14]! > 4 || b[at + 15] !== 0) return false;
  const value = at + 17 + (b[at + 16]! & 0x80 ? b[at + 16]! & 0x7f : 0);
  return value + 2 <= end && u16be(b, value) === 1;
});

const REALMEDIA = bytesOf('.RMF\0\0');
const REALAUDIO = bytesOf('.ra\xfd\0');
const realMedia: Signature = {
  first: [0x2e],
  second: [0x52, 0x72],
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

const IVF_MAX_FRAME = 1 << 24;
/**
 * IVF (VP8, VP9, AV1 frames): `DKIF`, version 0, header size 32, a printable
 * codec, a picture size, a frame rate, the unused field zero, then a frame
 * header with a plausible size.
 */
const ivf = magic(
  bytesOf('DKIF\0\0\x20\0'),
  'anywhere',
  video('IVF'),
  (b, at, end) =>
    at + 36 <= end &&
    isPrintableAscii(b, at + 8, 4) &&
    u16le(b, at + 12) > 0 &&
    u16le(b, at + 14) > 0 &&
    u32le(b, at + 16) > 0 &&
    u32le(b, at + 20) > 0 &&
    u32le(b, at + 28) === 0 &&
    u32le(b, at + 32) > 0 &&
    u32le(b, at + 32) < IVF_MAX_FRAME,
);

/** NUT: its file ID string, then the main header's 64-bit startcode. */
const nut = magic(bytesOf('nut/multimedia container\0\x4e\x4d\x7a\x56\x1f\x5f\x04\xad'), 'anywhere', video('NUT'));

const SMJPEG_CHUNKS = ['_TXT', '_SND', '_VID', 'HEND'].map(bytesOf);
/** Loki's SMJPEG: `\0\nSMJPEG`, version 0, then a header chunk. */
const smjpeg = magic(bytesOf('\0\nSMJPEG\0\0\0\0'), 'anywhere', video('SMJPEG'), (b, at, end) =>
  SMJPEG_CHUNKS.some((chunk) => startsWith(b, at + 16, end, chunk)),
);

const DIF_BLOCK = 80;
/** The section type and block number of a DIF sequence's first blocks: header, 2 subcode, 3 VAUX, audio, video. */
const DIF_SEQUENCE_START: readonly (readonly [number, number])[] = [
  [0, 0],
  [1, 0],
  [1, 1],
  [2, 0],
  [2, 1],
  [2, 2],
  [3, 0],
  [4, 0],
];

/** DV: a DIF sequence, 80-byte blocks whose IDs (section type, sequence, block number) follow the fixed layout. */
const dv: Signature = {
  first: [0x1f],
  second: Array.from({ length: 32 }, (_, i) => (i << 3) | 7),
  where: 'anywhere',
  match(b, at, end) {
    if (at + DIF_BLOCK * DIF_SEQUENCE_START.length > end || (b[at + 3]! & 0x7f) !== 0x3f) return null;
    const sequence = b[at + 1]!;
    if ((sequence & 0x07) !== 0x07) return null;
    for (let i = 0; i < DIF_SEQUENCE_START.length; i++) {
      const block = at + i * DIF_BLOCK;
      const [section, number] = DIF_SEQUENCE_START[i]!;
      if (b[block]! >> 5 !== section || !(b[block]! & 0x10) || b[block + 1] !== sequence || b[block + 2] !== number) return null;
    }
    return video('DV');
  },
};

const Y4M = bytesOf('YUV4MPEG2 ');
const FRAME = bytesOf('FRAME');
/** The most bytes of parameters on a Y4M header or frame line. */
const Y4M_MAX_LINE = 256;

/** A `FRAME` line at `at`: index of its pixels, or -1. */
const frameData = (b: Uint8Array, at: number, end: number): number => (startsWith(b, at, end, FRAME) ? lineEnd(b, at + FRAME.length, end, Y4M_MAX_LINE) : -1);

/**
 * YUV4MPEG2: the header line with a width and a height, then a FRAME line
 * and pixels. The header is text, longer than the binary-evidence span.
 */
const y4mHeader: Signature = {
  first: [0x59],
  second: [0x55],
  where: 'anywhere',
  text: true,
  match(b, at, end) {
    if (!startsWith(b, at, end, Y4M)) return null;
    const headerEnd = lineEnd(b, at + Y4M.length, end, Y4M_MAX_LINE);
    if (headerEnd < 0) return null;
    const parameters = ` ${ascii(b, at + Y4M.length, headerEnd - 1 - at - Y4M.length)} `;
    if (!/ W\d+ /.test(parameters) || !/ H\d+ /.test(parameters)) return null;
    const pixels = frameData(b, headerEnd, end);
    return pixels >= 0 && binaryFollows(b, pixels, end) ? video('Y4M') : null;
  },
};

/** Where the next FRAME line starts after `from`, searching at most to `end`, or -1. */
function nextFrame(b: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) if (b[i] === FRAME[0] && frameData(b, i, end) >= 0) return i;
  return -1;
}

/**
 * Y4M frames without their header (a stream joined after text, a later
 * chunk): three FRAME lines at one stride, with pixels after each.
 */
const y4mFrames: Signature = {
  first: [0x46],
  second: [0x52],
  where: 'anywhere',
  match(b, at, end) {
    const pixels = frameData(b, at, end);
    if (pixels < 0) return null;
    const second = nextFrame(b, pixels, end);
    const stride = second - at;
    if (second < 0 || !binaryFollows(b, pixels, second)) return null;
    return frameData(b, second + stride, end) >= 0 && second + stride === nextFrame(b, second + 1, end) ? video('Y4M') : null;
  },
};

export const VIDEO_SIGNATURES: readonly Signature[] = [
  flv,
  mpegTs(5, 'start'),
  mpegTs(7, 'anywhere'),
  m2ts,
  mpegPs,
  mpegVideo,
  asf,
  mxf,
  realMedia,
  swf,
  ivf,
  nut,
  smjpeg,
  dv,
  y4mHeader,
  y4mFrames,
];

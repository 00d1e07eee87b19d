/** Video formats outside the containers: FLV, MPEG-TS/M2TS, MPEG-PS, MPEG video, ASF, MXF, RealMedia, SWF. */

import { bytesOf, startsWith, u32be, u32le } from '../bytes.ts';
import { audio, magic, video, type Signature, type Where } from './signature.ts';

/** `FLV`, version 1, only the audio/video flag bits, header size 9. */
const flv = magic(bytesOf('FLV\x01'), 'anywhere', video('FLV'), (b, at, end) => at + 9 <= end && (b[at + 4]! & 0xfa) === 0 && u32be(b, at + 5) === 9);

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
export const M2TS_SYNC_OFFSET = 4;

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

const asf = magic([0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c], 'anywhere', video('ASF (WMV/WMA)'));
const mxf = magic([0x06, 0x0e, 0x2b, 0x34, 0x02, 0x05, 0x01, 0x01, 0x0d, 0x01, 0x02, 0x01, 0x01], 'anywhere', video('MXF'));

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

export const VIDEO_SIGNATURES: readonly Signature[] = [flv, mpegTs(5, 'start'), mpegTs(7, 'anywhere'), m2ts, mpegPs, mpegVideo, asf, mxf, realMedia, swf];

/**
 * Video elementary streams without a container: H.264 and HEVC in Annex B
 * byte streams (NAL units after 00 00 01 start codes), AV1 in the
 * low-overhead OBU format. A start code is common in binary data, so a
 * stream counts only as a chain of well-formed units: the parameter sets a
 * decoder needs, each after a start code, then a unit that is not another
 * parameter set (an SEI or a picture: not necessarily the picture itself, as
 * an encoder's SEI before it can take kilobytes).
 */

import { video, type Signature } from './signature.ts';

/** NAL units walked before giving up on seeing the chain complete. */
const MAX_UNITS = 12;

type NalRole = 'vps' | 'sps' | 'pps' | 'picture' | 'other';

interface AnnexBCodec {
  readonly format: string;
  /** The roles the stream must show, in this order (other units may come between), before one more unit. */
  readonly chain: readonly NalRole[];
  /** What the NAL unit at `at` is; null when its header is invalid or reserved. */
  role(b: Uint8Array, at: number, end: number): NalRole | null;
  /** Whether the first unit may open a stream. */
  opens(role: NalRole): boolean;
}

const H264_PROFILES: ReadonlySet<number> = new Set([44, 66, 77, 83, 86, 88, 100, 110, 118, 122, 128, 134, 135, 138, 139, 144, 244]);
const H264_LEVELS: ReadonlySet<number> = new Set([9, 10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52, 60, 61, 62]);

const h264: AnnexBCodec = {
  format: 'H.264',
  chain: ['sps', 'pps'],
  role(b, at, end) {
    if (at + 4 > end) return null;
    const header = b[at]!;
    const type = header & 0x1f;
    const referenced = (header & 0x60) !== 0;
    if (header & 0x80) return null;
    switch (type) {
      case 7: // sequence parameter set: a known profile, reserved constraint bits 0, a known level
        return referenced && H264_PROFILES.has(b[at + 1]!) && (b[at + 2]! & 0x03) === 0 && H264_LEVELS.has(b[at + 3]!) ? 'sps' : null;
      case 8:
        return referenced ? 'pps' : null;
      case 1:
        return 'picture';
      case 5:
        return referenced ? 'picture' : null;
      case 6: // SEI
      case 9: // access unit delimiter
        return referenced ? null : 'other';
      default:
        return type >= 2 && type <= 12 ? 'other' : null;
    }
  },
  opens: (role) => role === 'sps' || role === 'other',
};

const HEVC_VPS = 32;
const HEVC_SPS = 33;
const HEVC_PPS = 34;
const HEVC_LAST_PICTURE = 21;
const HEVC_LAST_DEFINED = 40;

const hevc: AnnexBCodec = {
  format: 'HEVC',
  chain: ['vps', 'sps', 'pps'],
  role(b, at, end) {
    if (at + 6 > end || b[at]! & 0x80 || (b[at + 1]! & 0x07) === 0) return null;
    const type = b[at]! >> 1;
    // a VPS has 16 reserved bits set after its first two bytes
    if (type === HEVC_VPS) return b[at + 4] === 0xff && b[at + 5] === 0xff ? 'vps' : null;
    if (type === HEVC_SPS) return 'sps';
    if (type === HEVC_PPS) return 'pps';
    if (type <= 9 || (type >= 16 && type <= HEVC_LAST_PICTURE)) return 'picture';
    return type > HEVC_PPS && type <= HEVC_LAST_DEFINED ? 'other' : null;
  },
  opens: (role) => role === 'vps' || role === 'other',
};

/**
 * Where the NAL unit that starts at `from` ends: the index just past the next
 * start code (00 00 01 after any zeros), -1 when the bytes cannot be a NAL
 * unit (00 00 02, or zeros not followed by a start code: emulation
 * prevention keeps those out), 0 when the view ends first.
 */
function nextUnit(b: Uint8Array, from: number, end: number): number {
  for (let i = from; i + 2 < end; i++) {
    if (b[i] !== 0 || b[i + 1] !== 0 || b[i + 2]! > 2) continue; // 00 00 03 is emulation prevention, 00 00 04+ is payload
    let j = i + 2;
    while (j < end && b[j] === 0) j++;
    if (j >= end) return 0;
    return b[j] === 1 ? j + 1 : -1;
  }
  return 0;
}

/** Length of the start code at `at` (00 00 01 or 00 00 00 01), 0 if none. */
function startCodeLength(b: Uint8Array, at: number, end: number): number {
  if (at + 4 > end || b[at] !== 0 || b[at + 1] !== 0) return 0;
  if (b[at + 2] === 1) return 3;
  return b[at + 2] === 0 && b[at + 3] === 1 ? 4 : 0;
}

function annexBChain(codec: AnnexBCodec, b: Uint8Array, unit: number, end: number): boolean {
  const first = codec.role(b, unit, end);
  if (!first || !codec.opens(first)) return false;
  let needed = 0;
  let role: NalRole | null = first;
  for (let units = 0; units < MAX_UNITS; units++) {
    if (needed < codec.chain.length && role === codec.chain[needed]) needed++;
    const next = nextUnit(b, unit + 1, end);
    if (next <= 0) return false;
    unit = next;
    role = codec.role(b, unit, end);
    if (!role) return false;
    // a table of parameter sets (libavformat keeps AVC-Intra's) goes on with another one
    if (needed === codec.chain.length) return role === 'picture' || role === 'other';
  }
  return false;
}

/** An H.264 or HEVC Annex B byte stream: parameter sets, then a picture. */
const annexB: Signature = {
  first: [0x00],
  second: [0x00],
  where: 'anywhere',
  match(b, at, end) {
    const length = startCodeLength(b, at, end);
    if (length === 0) return null;
    const unit = at + length;
    if (annexBChain(h264, b, unit, end)) return video(h264.format);
    return annexBChain(hevc, b, unit, end) ? video(hevc.format) : null;
  },
};

const OBU_SEQUENCE_HEADER = 1;
const OBU_TEMPORAL_DELIMITER = 2;
const OBU_PADDING = 15;
const AV1_MAX_PROFILE = 2;
const AV1_MAX_SEQUENCE_HEADER = 256;
const LEB128_MAX_BYTES = 8;

interface Obu {
  readonly type: number;
  readonly extended: boolean;
  /** Index of the payload. */
  readonly payload: number;
  readonly size: number;
}

/** An OBU header with its size field (required in the low-overhead format); null when a reserved bit or type is set. */
function obuAt(b: Uint8Array, at: number, end: number): Obu | null {
  if (at >= end) return null;
  const header = b[at]!;
  const type = (header >> 3) & 0x0f;
  if (header & 0x80 || header & 0x01 || !(header & 0x02) || type === 0 || (type > 8 && type !== OBU_PADDING)) return null;
  let p = at + 1 + ((header >> 2) & 1);
  let size = 0;
  for (let i = 0; ; i++) {
    if (p >= end || i === LEB128_MAX_BYTES) return null;
    const byte = b[p++]!;
    size += (byte & 0x7f) * 2 ** (7 * i);
    if (!(byte & 0x80)) break;
  }
  return { type, extended: (header & 0x04) !== 0, payload: p, size };
}

/**
 * A sequence header OBU: no extension, a plausible size, a known profile,
 * consistent still-picture flags, and the trailing one bit that ends it.
 */
function sequenceHeaderValid(b: Uint8Array, obu: Obu, end: number): boolean {
  if (obu.type !== OBU_SEQUENCE_HEADER || obu.extended || obu.size < 3 || obu.size > AV1_MAX_SEQUENCE_HEADER || obu.payload + obu.size > end) return false;
  const first = b[obu.payload]!;
  const reducedStillPicture = (first >> 3) & 1;
  const stillPicture = (first >> 4) & 1;
  return first >> 5 <= AV1_MAX_PROFILE && (!reducedStillPicture || stillPicture === 1) && b[obu.payload + obu.size - 1] !== 0;
}

/** An AV1 temporal unit: an empty temporal delimiter, a sequence header, then a frame-level OBU. */
const av1Obu: Signature = {
  first: [0x12],
  second: [0x00],
  where: 'anywhere',
  match(b, at, end) {
    const delimiter = obuAt(b, at, end);
    if (!delimiter || delimiter.type !== OBU_TEMPORAL_DELIMITER || delimiter.extended || delimiter.size !== 0) return null;
    const sequence = obuAt(b, delimiter.payload, end);
    if (!sequence || !sequenceHeaderValid(b, sequence, end)) return null;
    const next = obuAt(b, sequence.payload + sequence.size, end);
    return next && next.type !== OBU_SEQUENCE_HEADER && next.type !== OBU_TEMPORAL_DELIMITER ? video('AV1') : null;
  },
};

export const VIDEO_STREAM_SIGNATURES: readonly Signature[] = [annexB, av1Obu];

/**
 * MPEG audio frames (layers I, II and III: MP1, MP2, MP3). An 11-bit frame
 * sync is common in binary data, so besides the header the first fields of
 * the frame's body must be valid: layer I's bit allocations (with something
 * in the low subbands), layer III's big_values. (The standard's bitrates per
 * channel mode for layer II are no check: ffmpeg writes 384 kbit/s mono.)
 */

import type { Frame } from './frames.ts';
import { audio, type MediaMatch } from './signature.ts';

const BITRATES_KBPS: readonly (readonly number[])[] = [
  // MPEG-1 layers I, II, III
  [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  // MPEG-2 and 2.5: layer I, then II and III
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];
const SAMPLE_RATES = [44100, 48000, 32000];
const MONO = 3;
/** Layer I's 32 subbands, each with a 4-bit allocation per channel; 15 is forbidden. */
const SUBBANDS = 32;
const JOINT_STEREO = 1;
/** The least a frame body holds that the checks read: layer I's allocations for one channel. */
const MIN_BODY_BYTES = 16;
/** Layer III: at most 576 frequency lines in pairs. */
const MAX_BIG_VALUES = 288;

export interface MpegFrame extends Frame {
  readonly layer: number;
}

/** Reads `count` bits from `b` starting `bit` bits after byte `at`. */
function bits(b: Uint8Array, at: number, bit: number, count: number): number {
  let value = 0;
  for (let i = bit; i < bit + count; i++) value = (value << 1) | ((b[at + (i >> 3)]! >> (7 - (i & 7))) & 1);
  return value;
}

/** Subbands below 6 kHz at 48 kHz: audio has something to code there, a silent frame or a table of zeros does not. */
const LOW_SUBBANDS = 8;

/**
 * Layer I's bit allocations (one 4-bit field per subband in mono, two in
 * stereo, two below the joint-stereo bound) are all valid (not 15), and the
 * lowest subbands are not all empty.
 */
function layer1AllocationsValid(b: Uint8Array, data: number, end: number, mode: number, modeExtension: number): boolean {
  const stereoSubbands = mode === MONO ? 0 : mode === JOINT_STEREO ? 4 * (modeExtension + 1) : SUBBANDS;
  const nibbles = SUBBANDS + stereoSubbands;
  const lowNibbles = mode === MONO ? LOW_SUBBANDS : 2 * LOW_SUBBANDS;
  if (data + nibbles / 2 > end) return false;
  let lowAllocated = false;
  for (let i = 0; i < nibbles; i++) {
    const allocation = (b[data + (i >> 1)]! >> (i & 1 ? 0 : 4)) & 0x0f;
    if (allocation === 0x0f) return false;
    if (allocation !== 0 && i < lowNibbles) lowAllocated = true;
  }
  return lowAllocated;
}

/** The first granule's big_values in layer III side information is in range. */
function layer3SideInfoValid(b: Uint8Array, data: number, version1: boolean, mono: boolean): boolean {
  // main_data_begin, private bits and (MPEG-1) scfsi come before part2_3_length (12 bits), then big_values
  const before = version1 ? (mono ? 18 : 20) : mono ? 9 : 10;
  return bits(b, data, before + 12, 9) <= MAX_BIG_VALUES;
}

/** An MPEG audio frame header at `at` with the first fields of its body checked; null when anything is reserved or invalid. */
export function mpegAudioFrame(b: Uint8Array, at: number, end: number): MpegFrame | null {
  if (at + 4 > end || b[at] !== 0xff || (b[at + 1]! & 0xe0) !== 0xe0) return null;
  const versionBits = (b[at + 1]! >> 3) & 3; // 0: 2.5, 2: 2, 3: 1
  const layerBits = (b[at + 1]! >> 1) & 3; // 1: III, 2: II, 3: I
  const bitrateIndex = b[at + 2]! >> 4;
  const rateIndex = (b[at + 2]! >> 2) & 3;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3 || (b[at + 3]! & 3) === 2) return null;
  const layer = 4 - layerBits;
  const version1 = versionBits === 3;
  const mode = b[at + 3]! >> 6;
  const mono = mode === MONO;
  const sampleRate = SAMPLE_RATES[rateIndex]! / (version1 ? 1 : versionBits === 2 ? 2 : 4);
  const bitrate = BITRATES_KBPS[version1 ? layer - 1 : layer === 1 ? 3 : 4]![bitrateIndex]! * 1000;
  const padding = (b[at + 2]! >> 1) & 1;
  const length =
    layer === 1
      ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4
      : Math.floor(((layer === 3 && !version1 ? 72 : 144) * bitrate) / sampleRate) + padding;
  const data = at + 4 + (b[at + 1]! & 1 ? 0 : 2); // a 16-bit CRC when the protection bit is 0
  if (data + MIN_BODY_BYTES > Math.min(end, at + length)) return null;
  if (layer === 1 && !layer1AllocationsValid(b, data, Math.min(end, at + length), mode, (b[at + 3]! >> 4) & 3)) return null;
  if (layer === 3 && !layer3SideInfoValid(b, data, version1, mono)) return null;
  return { length, shape: (versionBits << 4) | (layerBits << 2) | rateIndex, layer };
}

export const mpegAudioFormat = (frame: MpegFrame): MediaMatch => audio(frame.layer === 3 ? 'MP3' : `MPEG audio layer ${frame.layer === 2 ? 'II' : 'I'}`);

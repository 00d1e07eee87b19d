/**
 * Audio streams without a file header, a sequence of self-describing frames:
 * MPEG audio, AAC in ADTS and in LATM/LOAS, AC-3 and E-AC-3. Their sync words
 * are short, so each counts only as consecutive valid frames (see frames.ts):
 * three where content starts; at an arbitrary offset four when the sync word
 * has 11 bits, three when it has 14 fixed bits (ADTS) or 16 (AC-3).
 */

import { consecutiveFrames, type Frame, type FrameParser } from './frames.ts';
import { mpegAudioFormat, mpegAudioFrame } from './mpeg-audio.ts';
import { audio, type MediaMatch, type Signature, type Where } from './signature.ts';

const FRAMES = 3;
const FRAMES_AFTER_SHORT_SYNC = 4;

/** Second bytes of the sync words: 11 set bits (MPEG audio, LATM), 12 and layer 00 (ADTS), 0x0B77 (AC-3). */
const SYNC_11_BITS = Array.from({ length: 32 }, (_, i) => 0xe0 + i);
const ADTS_SECOND = [0xf0, 0xf1, 0xf8, 0xf9];

function frameStream<F extends Frame>(
  first: number,
  second: readonly number[],
  parse: FrameParser<F>,
  media: (frame: F) => MediaMatch,
  frames: number,
  where: Where,
): Signature {
  return {
    first: [first],
    second,
    where,
    match(b, at, end) {
      const frame = consecutiveFrames(parse, b, at, end, frames);
      return frame ? media(frame) : null;
    },
  };
}

const ADTS_SAMPLE_RATE_INDEXES = 13;

/** An AAC ADTS frame header: 12-bit sync, layer 00, a valid sampling index, a frame length past the header. */
function adtsFrame(b: Uint8Array, at: number, end: number): Frame | null {
  if (at + 7 > end || b[at] !== 0xff || (b[at + 1]! & 0xf6) !== 0xf0) return null;
  const rateIndex = (b[at + 2]! >> 2) & 0x0f;
  const length = ((b[at + 3]! & 0x03) << 11) | (b[at + 4]! << 3) | (b[at + 5]! >> 5);
  const headerLength = b[at + 1]! & 1 ? 7 : 9;
  if (rateIndex >= ADTS_SAMPLE_RATE_INDEXES || length <= headerLength) return null;
  return { length, shape: (b[at + 1]! << 8) | (b[at + 2]! & 0xfc) };
}
const ADTS = audio('AAC (ADTS)');

/** LOAS AudioSyncStream (AAC in LATM): an 11-bit sync 0x2B7, then 13 bits of length. */
function latmFrame(b: Uint8Array, at: number, end: number): Frame | null {
  if (at + 3 > end || b[at] !== 0x56 || (b[at + 1]! & 0xe0) !== 0xe0) return null;
  const length = ((b[at + 1]! & 0x1f) << 8) | b[at + 2]!;
  return length > 0 ? { length: 3 + length, shape: 0 } : null;
}
const LATM = audio('AAC (LATM)');

const AC3_BITRATES_KBPS = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 576, 640];
const AC3_SAMPLE_RATES = [48000, 44100, 32000];
const AC3_MAX_BSID = 10;
const EAC3_MIN_BSID = 11;
const EAC3_MAX_BSID = 16;

interface Ac3Frame extends Frame {
  readonly enhanced: boolean;
}

/** An AC-3 (bsid up to 10) or E-AC-3 (bsid 11-16) sync frame: sync word 0x0B77, valid rate and size codes. */
function ac3Frame(b: Uint8Array, at: number, end: number): Ac3Frame | null {
  if (at + 6 > end || b[at] !== 0x0b || b[at + 1] !== 0x77) return null;
  const bsid = b[at + 5]! >> 3;
  if (bsid >= EAC3_MIN_BSID && bsid <= EAC3_MAX_BSID) {
    const streamType = b[at + 2]! >> 6;
    const words = (((b[at + 2]! & 0x07) << 8) | b[at + 3]!) + 1;
    if (streamType === 3 || words < 4) return null;
    return { length: words * 2, shape: (bsid << 8) | (b[at + 4]! & 0xc0) | streamType, enhanced: true };
  }
  const rateCode = b[at + 4]! >> 6;
  const sizeCode = b[at + 4]! & 0x3f;
  if (bsid > AC3_MAX_BSID || rateCode === 3 || sizeCode >= 2 * AC3_BITRATES_KBPS.length) return null;
  const words = Math.floor((AC3_BITRATES_KBPS[sizeCode >> 1]! * 96000) / AC3_SAMPLE_RATES[rateCode]!) + (rateCode === 1 ? sizeCode & 1 : 0);
  return { length: words * 2, shape: (bsid << 8) | (rateCode << 6), enhanced: false };
}

export const AUDIO_FRAME_SIGNATURES: readonly Signature[] = [
  frameStream(0xff, SYNC_11_BITS, mpegAudioFrame, mpegAudioFormat, FRAMES, 'start'),
  frameStream(0xff, SYNC_11_BITS, mpegAudioFrame, mpegAudioFormat, FRAMES_AFTER_SHORT_SYNC, 'anywhere'),
  frameStream(0xff, ADTS_SECOND, adtsFrame, () => ADTS, FRAMES, 'anywhere'),
  frameStream(0x56, SYNC_11_BITS, latmFrame, () => LATM, FRAMES, 'start'),
  frameStream(0x56, SYNC_11_BITS, latmFrame, () => LATM, FRAMES_AFTER_SHORT_SYNC, 'anywhere'),
  frameStream(0x0b, [0x77], ac3Frame, (frame) => audio(frame.enhanced ? 'E-AC-3' : 'AC-3'), FRAMES, 'anywhere'),
];

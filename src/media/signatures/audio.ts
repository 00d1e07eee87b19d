/** Audio formats outside the containers: FLAC, ID3/MP3, MPEG audio, AAC ADTS, AMR, MIDI, AU, CAF, DSF, WavPack, APE. */

import { bytesOf, startsWith, u16be, u16le, u32be } from '../bytes.ts';
import { audio, magic, type Signature, type Where } from './signature.ts';

/** `fLaC`, then a STREAMINFO metadata block (type 0) of length 34. */
const flac = magic(bytesOf('fLaC'), 'anywhere', audio('FLAC'), (b, at, end) => at + 8 <= end && (b[at + 4]! & 0x7f) === 0 && b[at + 5] === 0 && u16be(b, at + 6) === 34);

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

const midi = magic(bytesOf('MThd\0\0\0\x06'), 'anywhere', audio('MIDI'));
const sunAu = magic(bytesOf('.snd'), 'anywhere', audio('AU'), (b, at, end) => at + 24 <= end && u32be(b, at + 4) >= 24 && u32be(b, at + 12) >= 1 && u32be(b, at + 12) <= 27);
const caf = magic(bytesOf('caff\0\x01\0\0'), 'anywhere', audio('CAF'));
const dsf = magic(bytesOf('DSD \x1c\0\0\0\0\0\0\0'), 'anywhere', audio('DSF'));
const wavpack = magic(bytesOf('wvpk'), 'start', audio('WavPack'), (b, at, end) => at + 10 <= end && u16le(b, at + 8) >= 0x402 && u16le(b, at + 8) <= 0x410);
const ape = magic(bytesOf('MAC '), 'start', audio("Monkey's Audio"), (b, at, end) => at + 6 <= end && u16le(b, at + 4) >= 3800 && u16le(b, at + 4) <= 4000);

export const AUDIO_SIGNATURES: readonly Signature[] = [
  flac, id3, mpegAudio(2, 'start'), mpegAudio(4, 'anywhere'), adts(2, 'start'), adts(3, 'anywhere'), amr, midi, sunAu, caf, dsf, wavpack, ape,
];

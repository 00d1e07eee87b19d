/**
 * Audio files with a header, outside the containers: FLAC, ID3/MP3, AMR, MIDI,
 * AU, CAF, DSF, WavPack, APE, Wave64, VOC, TTA, Codec2. Headerless frame
 * streams (MPEG audio, AAC, AC-3) are in audio-frames.ts.
 */

import { bytesOf, startsWith, u16be, u16le, u32be, u32le } from '../bytes.ts';
import { crc32 } from './crc32.ts';
import { audio, magic, type Signature } from './signature.ts';

const FLAC_MIN_BLOCK_SIZE = 16;

/**
 * `fLaC`, then a STREAMINFO metadata block (type 0) of length 34 whose block
 * sizes are in order and whose sample rate is not 0 (code that writes the
 * header has the magic and the length, but not a stream's parameters).
 */
const flac = magic(bytesOf('fLaC'), 'anywhere', audio('FLAC'), (b, at, end) => {
  if (at + 22 > end || (b[at + 4]! & 0x7f) !== 0 || b[at + 5] !== 0 || u16be(b, at + 6) !== 34) return false;
  const minBlock = u16be(b, at + 8);
  const sampleRate = (b[at + 18]! << 12) | (b[at + 19]! << 4) | (b[at + 20]! >> 4);
  return minBlock >= FLAC_MIN_BLOCK_SIZE && u16be(b, at + 10) >= minBlock && sampleRate > 0;
});

const ID3 = bytesOf('ID3');
/** An ID3v2 tag: version 2-4, no undefined flags, a syncsafe size. "ID3 tags" is text. */
const id3: Signature = {
  first: [0x49],
  second: [0x44],
  where: 'anywhere',
  match(b, at, end) {
    if (!startsWith(b, at, end, ID3) || at + 10 > end) return null;
    const version = b[at + 3]!;
    if (version < 2 || version > 4 || b[at + 4] === 0xff || (b[at + 5]! & 0x0f) !== 0) return null;
    for (let i = at + 6; i < at + 10; i++) if (b[i]! >= 0x80) return null;
    return audio('MP3');
  },
};

const AMR_NB_FRAME_BYTES = [12, 13, 15, 17, 19, 20, 26, 31, 5, -1, -1, -1, -1, -1, -1, 0];
const AMR_WB_FRAME_BYTES = [17, 23, 32, 36, 40, 46, 50, 58, 60, 5, -1, -1, -1, -1, 0, 0];
const AMR_NB = bytesOf('#!AMR\n');
const AMR_WB = bytesOf('#!AMR-WB\n');
/** Speech frames after the magic: a table of magic numbers has the magic but no frames. */
const AMR_FRAMES = 4;

/** `#!AMR\n` (or -WB), then AMR_FRAMES speech frame headers with valid frame types. */
const amr: Signature = {
  first: [0x23],
  second: [0x21],
  where: 'anywhere',
  match(b, at, end) {
    const wide = startsWith(b, at, end, AMR_WB);
    if (!wide && !startsWith(b, at, end, AMR_NB)) return null;
    const sizes = wide ? AMR_WB_FRAME_BYTES : AMR_NB_FRAME_BYTES;
    let offset = at + (wide ? AMR_WB.length : AMR_NB.length);
    for (let frame = 0; frame < AMR_FRAMES; frame++) {
      if (offset >= end || (b[offset]! & 0x83) !== 0) return null;
      const size = sizes[(b[offset]! >> 3) & 0x0f]!;
      if (size < 0) return null;
      offset += 1 + size;
    }
    return audio(wide ? 'AMR-WB' : 'AMR');
  },
};

const MTRK = bytesOf('MTrk');
/** MIDI: the header chunk (format 0-2, at least one track), then the first track chunk. */
const midi = magic(
  bytesOf('MThd\0\0\0\x06'),
  'anywhere',
  audio('MIDI'),
  (b, at, end) => at + 18 <= end && u16be(b, at + 8) <= 2 && u16be(b, at + 10) >= 1 && startsWith(b, at + 14, end, MTRK),
);
const sunAu = magic(
  bytesOf('.snd'),
  'anywhere',
  audio('AU'),
  (b, at, end) => at + 24 <= end && u32be(b, at + 4) >= 24 && u32be(b, at + 12) >= 1 && u32be(b, at + 12) <= 27,
);
const caf = magic(bytesOf('caff\0\x01\0\0'), 'anywhere', audio('CAF'));
const dsf = magic(bytesOf('DSD \x1c\0\0\0\0\0\0\0'), 'anywhere', audio('DSF'));
const wavpack = magic(bytesOf('wvpk'), 'start', audio('WavPack'), (b, at, end) => at + 10 <= end && u16le(b, at + 8) >= 0x402 && u16le(b, at + 8) <= 0x410);
const ape = magic(bytesOf('MAC '), 'start', audio("Monkey's Audio"), (b, at, end) => at + 6 <= end && u16le(b, at + 4) >= 3800 && u16le(b, at + 4) <= 4000);

const WAVE64_RIFF = [0x72, 0x69, 0x66, 0x66, 0x2e, 0x91, 0xcf, 0x11, 0xa5, 0xd6, 0x28, 0xdb, 0x04, 0xc1, 0x00, 0x00];
const WAVE64_WAVE = [0x77, 0x61, 0x76, 0x65, 0xf3, 0xac, 0xd3, 0x11, 0x8c, 0xd1, 0x00, 0xc0, 0x4f, 0x8e, 0xdb, 0x8a];
/** Sony Wave64: the `riff` GUID, a 64-bit size, the `wave` GUID. */
const wave64 = magic(WAVE64_RIFF, 'anywhere', audio('Wave64'), (b, at, end) => startsWith(b, at + 24, end, WAVE64_WAVE));

/** Creative VOC: the magic, header size 26, and the version's check word (~version + 0x1234). */
const voc = magic(
  bytesOf('Creative Voice File\x1a'),
  'anywhere',
  audio('VOC'),
  (b, at, end) => at + 26 <= end && u16le(b, at + 20) === 26 && u16le(b, at + 24) === ((~u16le(b, at + 22) + 0x1234) & 0xffff),
);

const TTA_HEADER_BYTES = 18;
/** True Audio: `TTA1`, a header of format, channels, bits, rate and length, then the header's CRC-32. */
const tta = magic(
  bytesOf('TTA1'),
  'anywhere',
  audio('TTA'),
  (b, at, end) => at + TTA_HEADER_BYTES + 4 <= end && u32le(b, at + TTA_HEADER_BYTES) === crc32(b, at, at + TTA_HEADER_BYTES),
);

const CODEC2_MAX_MODE = 10;
/** The header appeared with codec2 0.8; versions since are 0.8, 0.9 and 1.x. */
const codec2Version = (major: number, minor: number): boolean => (major === 0 && minor >= 8 && minor <= 9) || (major === 1 && minor <= 9);
/**
 * Codec2 (c2enc, ffmpeg): magic C0 DE C2, a released version, a known mode,
 * only the defined flag. Where content starts only: the frames after it have
 * no structure to confirm, and the seven bytes turn up in programs' data.
 */
const codec2 = magic(
  [0xc0, 0xde, 0xc2],
  'start',
  audio('Codec2'),
  (b, at, end) => at + 7 <= end && codec2Version(b[at + 3]!, b[at + 4]!) && b[at + 5]! <= CODEC2_MAX_MODE && b[at + 6]! <= 1,
);

export const AUDIO_SIGNATURES: readonly Signature[] = [flac, id3, amr, midi, sunAu, caf, dsf, wavpack, ape, wave64, voc, tta, codec2];

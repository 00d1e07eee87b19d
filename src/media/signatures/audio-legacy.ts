/**
 * Audio files of games, studios and old systems that ffmpeg and sox still
 * write: CRI ADX, Nintendo AST, IRCAM, Yamaha SMAF (MMF), SoX, Konami KVAG,
 * Westwood AUD, Ubisoft APM, Argonaut ASF, Audio Visual Research, Ensoniq
 * PARIS, Psion, Sndtool, Yamaha TX16W, FastTracker instruments, and the
 * text-headed NIST SPHERE, SampleVision and PVF (where content starts).
 */

import { ascii, bytesOf, isPrintableAscii, startsWith, u16be, u16le, u32be, u32le } from '../bytes.ts';
import { audio, magic, type Signature } from './signature.ts';

const CRI = bytesOf('(c)CRI');
/** CRI ADX: 0x8000, a copyright offset that points at "(c)CRI", ADPCM with 18-byte blocks of 4-bit samples. */
const adx = magic([0x80, 0x00], 'anywhere', audio('ADX'), (b, at, end) => {
  if (at + 12 > end) return false;
  const offset = u16be(b, at + 2);
  return (
    offset >= 0x0e &&
    b[at + 4]! >= 2 &&
    b[at + 4]! <= 4 &&
    b[at + 5] === 18 &&
    b[at + 6] === 4 &&
    b[at + 7]! >= 1 &&
    u32be(b, at + 8) > 0 &&
    startsWith(b, at + offset - 2, end, CRI)
  );
});

/** Nintendo AST: `STRM`, a PCM format, 16 bits, channels, a sample rate. */
const ast = magic(
  bytesOf('STRM'),
  'anywhere',
  audio('AST'),
  (b, at, end) => at + 20 <= end && u16be(b, at + 8) <= 1 && u16be(b, at + 10) === 16 && u16be(b, at + 12) >= 1 && u32be(b, at + 16) > 0,
);

const IRCAM_MAGICS = [0x0001a364, 0x0002a364, 0x0003a364, 0x0004a364];
const IRCAM_FORMATS: ReadonlySet<number> = new Set([0x1, 0x2, 0x3, 0x4, 0x10001, 0x20001, 0x40004]);
/** IRCAM/BICSF: one of the magic numbers (either byte order), then channels and a sample format in range. */
const ircam: Signature = {
  first: [0x64, 0x00],
  second: [0xa3, 0x01, 0x02, 0x03, 0x04],
  where: 'anywhere',
  match(b, at, end) {
    if (at + 16 > end) return null;
    const little = IRCAM_MAGICS.includes(u32le(b, at));
    if (!little && !IRCAM_MAGICS.includes(u32be(b, at))) return null;
    const read = little ? u32le : u32be;
    return read(b, at + 8) >= 1 && read(b, at + 8) <= 64 && IRCAM_FORMATS.has(read(b, at + 12)) ? audio('IRCAM') : null;
  },
};

/** Yamaha SMAF (MMF ringtones): `MMMD`, a size, then the contents info chunk. */
const CNTI = bytesOf('CNTI');
const mmf = magic(bytesOf('MMMD'), 'anywhere', audio('MMF'), (b, at, end) => startsWith(b, at + 8, end, CNTI));

const SOX_LITTLE = bytesOf('.SoX');
const SOX_BIG = bytesOf('XoS.');
/** SoX native: `.SoX` (or `XoS.` big-endian), a header size of at least 28, channels. */
const sox: Signature = {
  first: [0x2e, 0x58],
  second: [0x53, 0x6f],
  where: 'anywhere',
  match(b, at, end) {
    if (at + 28 > end) return null;
    const little = startsWith(b, at, end, SOX_LITTLE);
    if (!little && !startsWith(b, at, end, SOX_BIG)) return null;
    const read = little ? u32le : u32be;
    return read(b, at + 4) >= 28 && read(b, at + 24) >= 1 && read(b, at + 24) <= 64 ? audio('SoX') : null;
  },
};

/** Konami KVAG: the magic, a size, a sample rate, a stereo flag. */
const kvag = magic(bytesOf('KVAG'), 'anywhere', audio('KVAG'), (b, at, end) => at + 14 <= end && u32le(b, at + 8) > 0 && u16le(b, at + 12) <= 1);

const WESTWOOD_CHUNK = [0xaf, 0xde, 0x00, 0x00];
/** Westwood AUD: a sample rate, sizes, flags and a codec (1 or 99), then a chunk with the 0x0000DEAF magic. */
const westwoodAud: Signature = {
  first: [],
  where: 'start',
  match: (b, at, end) =>
    at + 20 <= end && u16le(b, at) > 0 && b[at + 10]! <= 3 && (b[at + 11] === 1 || b[at + 11] === 99) && startsWith(b, at + 16, end, WESTWOOD_CHUNK)
      ? audio('Westwood AUD')
      : null,
};

/** Ubisoft APM: the IMA ADPCM codec tag, channels, a sample rate, `vs12` at 20. */
const VS12 = bytesOf('vs12');
const apm = magic(
  [0x00, 0x20],
  'anywhere',
  audio('APM'),
  (b, at, end) => at + 24 <= end && u16le(b, at + 2) >= 1 && u32le(b, at + 4) > 0 && startsWith(b, at + 20, end, VS12),
);

/** Argonaut ASF (not Microsoft's): `ASF\0`, version 1 or 2, chunks, a printable name. Where content starts only: three letters and a zero. */
const argonautAsf = magic(
  bytesOf('ASF\0'),
  'start',
  audio('Argonaut ASF'),
  (b, at, end) =>
    at + 24 <= end && u16le(b, at + 4) >= 1 && u16le(b, at + 4) <= 2 && u32le(b, at + 8) > 0 && u32le(b, at + 12) >= 24 && isPrintableAscii(b, at + 16, 1),
);

/** Audio Visual Research: `2BIT`, then mono/stereo, depth 8 or 16 and signedness flags. */
const avr = magic(
  bytesOf('2BIT'),
  'anywhere',
  audio('AVR'),
  (b, at, end) =>
    at + 20 <= end &&
    (u16be(b, at + 12) === 0 || u16be(b, at + 12) === 0xffff) &&
    (u16be(b, at + 14) === 8 || u16be(b, at + 14) === 16) &&
    (u16be(b, at + 16) === 0 || u16be(b, at + 16) === 0xffff),
);

/** Ensoniq PARIS: ` paf`, byte order 0 or 1, then a sample rate. */
const paf = magic(
  bytesOf(' paf'),
  'anywhere',
  audio('PAF'),
  (b, at, end) => at + 16 <= end && u32le(b, at + 4) <= 1 && u32le(b, at + 8) <= 1 && (u32be(b, at + 12) > 0 || u32le(b, at + 12) > 0),
);

/** Psion PRC (sound record file): its three UIDs, where content starts (libsox holds the whole header as a template). */
const prc = magic([0x37, 0x00, 0x00, 0x10, 0x6d, 0x00, 0x00, 0x10, 0x7e, 0x00, 0x00, 0x10], 'start', audio('Psion PRC'));

const SNDTOOL_MIN_RATE = 2000;
const SNDTOOL_MAX_RATE = 96000;
/** Sndtool: `SOUND` and 0x1A, two zero bytes, a size, a zero, the size again as the end, a sample rate. */
const sndt = magic(
  bytesOf('SOUND\x1a\0\0'),
  'anywhere',
  audio('Sndtool'),
  (b, at, end) =>
    at + 24 <= end &&
    u32le(b, at + 12) === 0 &&
    u32le(b, at + 16) === u32le(b, at + 8) &&
    u16le(b, at + 20) >= SNDTOOL_MIN_RATE &&
    u16le(b, at + 20) <= SNDTOOL_MAX_RATE,
);

/** Yamaha TX16W: `LM8953` and two zero bytes, where content starts (libsox's messages follow the same bytes). */
const txw = magic(bytesOf('LM8953\0\0'), 'start', audio('TX16W'));

/** Psion A-law: `ALawSoundFile**`, a zero and the version, where content starts (libsox holds the header as a template). */
const wve = magic(bytesOf('ALawSoundFile**\0\x0f\x10'), 'start', audio('Psion WVE'));

const XI = bytesOf('Extended Instrument: ');
/** FastTracker II instrument: its text magic, a 22-byte name, then 0x1A (the binary byte, past the usual span). */
const xi: Signature = {
  first: [0x45],
  second: [0x78],
  where: 'anywhere',
  text: true,
  match: (b, at, end) => (startsWith(b, at, end, XI) && at + 44 <= end && b[at + 43] === 0x1a ? audio('FastTracker XI') : null),
};

/** Text-headed audio files, where content starts: NIST SPHERE, SampleVision, PVF. */
const TEXT_HEADED: readonly [Uint8Array, RegExp, string][] = [
  [bytesOf('NIST_1A\n'), /^NIST_1A\n +\d+\n[\s\S]*sample_/, 'NIST SPHERE'],
  [bytesOf('SOUND SAMPLE DATA '), /^SOUND SAMPLE DATA \d\.\d/, 'SampleVision'],
  [bytesOf('PVF'), /^PVF[12]\n\d+ \d+ \d+\n/, 'PVF'],
];
const TEXT_HEAD_BYTES = 256;
const textHeaded: Signature = {
  first: [0x4e, 0x53, 0x50],
  where: 'start',
  text: true,
  match(b, at, end) {
    for (const [prefix, pattern, format] of TEXT_HEADED) {
      if (startsWith(b, at, end, prefix) && pattern.test(ascii(b, at, Math.min(end - at, TEXT_HEAD_BYTES)))) return audio(format);
    }
    return null;
  },
};

export const LEGACY_AUDIO_SIGNATURES: readonly Signature[] = [
  adx,
  ast,
  ircam,
  mmf,
  sox,
  kvag,
  westwoodAud,
  apm,
  argonautAsf,
  avr,
  paf,
  prc,
  sndt,
  txw,
  wve,
  xi,
  textHeaded,
];

/**
 * What ffmpeg, sox and ImageMagick write, straight out of the tool: every
 * muxer or format of theirs that has a header or a structure to recognise,
 * made at test time into a temporary folder and streamed through the
 * inspector. Needs Debian's ffmpeg, sox (libsox-fmt-all) and imagemagick;
 * CONVERT names ImageMagick's convert if another one comes first in PATH.
 *
 * Not here, because nothing in their bytes says what they are (see
 * docs/media-inspection.md, "What remains unknowable"): raw PCM in any
 * sample format (ffmpeg alaw, mulaw, s8...f64be; sox raw, al, ul, la, lu,
 * sln, cdr), raw video and pixels (rawvideo; ImageMagick rgb, gray, cmyk,
 * uyvy, yuv, avs), and codec frames without a container or a strong sync
 * (g722, g723_1, g726, gsm, aptx, sbc, codec2raw, h261, h263, a64, filmstrip,
 * vidc; sox cvsd, ima, vox, lpc, sd2, sou, dat, sndr, dvms, hcom, htk, fssd,
 * fap; ImageMagick fax, mtv, otb, palm, pict, rgf, wbmp, ipl, uil).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMediaRefusal } from '../src/media/inspect.ts';
import { fixtures, inspect, options } from './helpers/inspect-stream.ts';

const lavfi = (source: string): string[] => ['-f', 'lavfi', '-i', source];
const CLIP = [...lavfi('testsrc=size=32x32:rate=12'), '-t', '0.5'];
const PAL = (size: string, seconds: string): string[] => [...lavfi(`testsrc=size=${size}:rate=25`), '-t', seconds];
const TONE = [...lavfi('sine=frequency=440:sample_rate=44100:duration=0.3')];
const TONE_48K = [...lavfi('sine=frequency=440:sample_rate=48000:duration=0.3')];
const TONE_8K_MONO = [...lavfi('sine=frequency=440:sample_rate=8000:duration=0.3'), '-ac', '1'];

/** ffmpeg muxer → the input and codec options it needs (by default a 32x32 clip or a 44.1 kHz tone). */
const FFMPEG_VIDEO: Readonly<Record<string, readonly string[]>> = {
  '3g2': [...PAL('176x144', '0.2'), '-c:v', 'libx264'],
  '3gp': [...PAL('176x144', '0.2'), '-c:v', 'libx264'],
  apng: CLIP,
  asf: CLIP,
  asf_stream: CLIP,
  avi: CLIP,
  avif: [...CLIP, '-cpu-used', '8'],
  avm2: CLIP,
  dirac: [...CLIP, '-t', '0.1'],
  dnxhd: [...PAL('1920x1080', '0.04'), '-c:v', 'dnxhd', '-b:v', '36M', '-pix_fmt', 'yuv422p'],
  dv: [...PAL('720x576', '0.04'), '-pix_fmt', 'yuv420p'],
  dvd: PAL('176x144', '0.2'),
  f4v: CLIP,
  flv: CLIP,
  gif: CLIP,
  h264: CLIP,
  hevc: [...CLIP, '-x265-params', 'log-level=error'],
  ipod: CLIP,
  ismv: CLIP,
  ivf: CLIP,
  m4v: CLIP,
  matroska: CLIP,
  mjpeg: CLIP,
  mov: CLIP,
  mp4: CLIP,
  mpeg: PAL('176x144', '0.2'),
  mpeg1video: PAL('176x144', '0.2'),
  mpeg2video: [...PAL('176x144', '0.2'), '-c:v', 'mpeg2video'],
  mpegts: CLIP,
  mpjpeg: CLIP,
  mxf: [...PAL('720x576', '0.08'), '-c:v', 'mpeg2video'],
  mxf_opatom: [...PAL('1920x1080', '0.04'), '-c:v', 'dnxhd', '-b:v', '36M', '-pix_fmt', 'yuv422p'],
  nut: CLIP,
  obu: [...CLIP, '-cpu-used', '8'],
  ogv: CLIP,
  rm: CLIP,
  roq: CLIP,
  smjpeg: CLIP,
  svcd: PAL('480x576', '0.12'),
  swf: CLIP,
  vcd: PAL('352x288', '0.12'),
  vob: PAL('176x144', '0.2'),
  webm: CLIP,
  webp: CLIP,
  wtv: CLIP,
  yuv4mpegpipe: [...CLIP, '-pix_fmt', 'yuv420p'],
};

const FFMPEG_AUDIO: Readonly<Record<string, readonly string[]>> = {
  ac3: TONE,
  adts: TONE,
  adx: TONE,
  aiff: TONE,
  apm: TONE,
  argo_asf: TONE,
  ast: TONE,
  au: TONE,
  caf: TONE,
  codec2: [...TONE_8K_MONO, '-c:a', 'libcodec2', '-mode', '3200'],
  dts: [...TONE_48K, '-strict', '-2', '-c:a', 'dca'],
  eac3: TONE,
  flac: TONE,
  ircam: TONE,
  kvag: TONE,
  latm: TONE,
  mlp: [...TONE_48K, '-strict', '-2'],
  mmf: TONE_8K_MONO,
  mp2: TONE,
  mp3: TONE,
  oga: TONE,
  ogg: TONE,
  opus: TONE_48K,
  sox: TONE,
  spdif: TONE_48K,
  spx: TONE,
  truehd: [...TONE_48K, '-strict', '-2'],
  tta: TONE,
  voc: TONE,
  w64: TONE,
  wav: TONE,
  wsaud: TONE,
  wv: TONE,
};

const SOX_TYPES = [
  '8svx',
  'aif',
  'aifc',
  'amr-nb',
  'au',
  'avr',
  'caf',
  'flac',
  'ircam',
  'maud',
  'nist',
  'ogg',
  'paf',
  'prc',
  'pvf',
  'sf',
  'smp',
  'sndt',
  'sph',
  'txw',
  'voc',
  'vorbis',
  'w64',
  'wav',
  'wv',
  'wve',
  'xi',
];

const IMAGEMAGICK_FORMATS = [
  'bmp',
  'bmp2',
  'bmp3',
  'cin',
  'dds',
  'dpx',
  'exr',
  'fits',
  'gif',
  'hdr',
  'icb',
  'ico',
  'j2k',
  'jng',
  'jp2',
  'jpeg',
  'miff',
  'mng',
  'pam',
  'pbm',
  'pcx',
  'pfm',
  'pgm',
  'pgx',
  'png',
  'pnm',
  'ppm',
  'psd',
  'ptif',
  'ras',
  'sgi',
  'sixel',
  'sun',
  'tga',
  'tiff',
  'vda',
  'vicar',
  'viff',
  'vips',
  'vst',
  'webp',
  'xbm',
  'xpm',
  'xv',
  'xwd',
];

let folder = '';
const run = (command: string, args: readonly string[]): void => {
  execFileSync(command, args, { cwd: folder, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
};
const ffmpeg = (args: readonly string[]): void => run('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args]);

before(() => {
  folder = mkdtempSync(join(tmpdir(), 'media-formats-raw-'));
  for (const [muxer, input] of [...Object.entries(FFMPEG_VIDEO), ...Object.entries(FFMPEG_AUDIO)])
    ffmpeg([...input, '-map_metadata', '-1', '-f', muxer, `ffmpeg.${muxer}`]);
  run('sox', ['-n', '-r', '8000', '-c', '1', 'tone.wav', 'synth', '0.3', 'sine', '440']);
  for (const type of SOX_TYPES) run('sox', ['tone.wav', '-t', type, `sox.${type}`]);
  writeFileSync(join(folder, 'picture.png'), fixtures('media').find((fixture) => fixture.name === 'image.png')!.bytes);
  for (const format of IMAGEMAGICK_FORMATS) run(process.env.CONVERT ?? 'convert', ['picture.png', `${format}:imagemagick.${format}`]);
});

after(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

async function assertRefused(file: string): Promise<void> {
  const bytes = new Uint8Array(readFileSync(join(folder, file)));
  assert.ok(bytes.length > 0, `${file} is empty`);
  const result = await inspect(bytes, options('application/octet-stream'), 'random');
  assert.equal(result.output, undefined, `${file} (${bytes.length} bytes) was stored`);
  assert.ok(isMediaRefusal(result.error), `${file}: expected media_refused, got ${String(result.error)}`);
}

describe('raw tool output is refused', () => {
  for (const muxer of [...Object.keys(FFMPEG_VIDEO), ...Object.keys(FFMPEG_AUDIO)]) test(`ffmpeg -f ${muxer}`, () => assertRefused(`ffmpeg.${muxer}`));
  for (const type of SOX_TYPES) test(`sox -t ${type}`, () => assertRefused(`sox.${type}`));
  for (const format of IMAGEMAGICK_FORMATS) test(`convert ${format}:`, () => assertRefused(`imagemagick.${format}`));
});

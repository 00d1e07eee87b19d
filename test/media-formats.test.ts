import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMediaRefusal } from '../src/media/inspect.ts';
import { concat, fixtures, inspect, options, seededRandom, utf8, type Chunking } from './helpers/inspect-stream.ts';

const MEDIA = new Map(fixtures('media').map((fixture) => [fixture.name, fixture.bytes]));
const CHUNKINGS: Chunking[] = ['whole', 1, 7, 'random'];

/**
 * The formats issue 11 found stored, each a real sample from ffmpeg or
 * ImageMagick (scripts/make-fixtures.sh). `anywhere`: also found after other
 * content (Y4M there by its FRAME lines, not its header).
 */
const FORMATS: readonly { file: string; kind: string; format: string; anywhere: boolean }[] = [
  { file: 'video.h264', kind: 'video', format: 'H.264', anywhere: true },
  { file: 'video.hevc', kind: 'video', format: 'HEVC', anywhere: true },
  { file: 'video.obu', kind: 'video', format: 'AV1', anywhere: true },
  { file: 'video-vp8.ivf', kind: 'video', format: 'IVF', anywhere: true },
  { file: 'video-vp9.ivf', kind: 'video', format: 'IVF', anywhere: true },
  { file: 'video.y4m', kind: 'video', format: 'Y4M', anywhere: true },
  { file: 'video.nut', kind: 'video', format: 'NUT', anywhere: true },
  { file: 'video.dv', kind: 'video', format: 'DV', anywhere: true },
  { file: 'video.smjpeg', kind: 'video', format: 'SMJPEG', anywhere: true },
  { file: 'audio.w64', kind: 'audio', format: 'Wave64', anywhere: true },
  { file: 'audio.voc', kind: 'audio', format: 'VOC', anywhere: true },
  { file: 'audio.ac3', kind: 'audio', format: 'AC-3', anywhere: true },
  { file: 'audio.tta', kind: 'audio', format: 'TTA', anywhere: true },
  { file: 'audio.latm', kind: 'audio', format: 'AAC (LATM)', anywhere: true },
  { file: 'audio.mp2', kind: 'audio', format: 'MPEG audio layer II', anywhere: true },
  { file: 'audio.c2', kind: 'audio', format: 'Codec2', anywhere: false },
  { file: 'image.xwd', kind: 'image', format: 'XWD', anywhere: true },
  { file: 'image-imagemagick.xwd', kind: 'image', format: 'XWD', anywhere: true },
  { file: 'image.ppm', kind: 'image', format: 'PPM', anywhere: true },
  { file: 'image.pgm', kind: 'image', format: 'PGM', anywhere: true },
  { file: 'image.pbm', kind: 'image', format: 'PBM', anywhere: true },
  // a text header longer than the span the scanner looks back from binary bytes: found where content starts only
  { file: 'image.pam', kind: 'image', format: 'PAM', anywhere: false },
  { file: 'image.phm', kind: 'image', format: 'PHM', anywhere: true },
  { file: 'image.pfm', kind: 'image', format: 'PFM', anywhere: true },
  { file: 'image-plain.ppm', kind: 'image', format: 'PPM', anywhere: false },
  { file: 'image-plain.pgm', kind: 'image', format: 'PGM', anywhere: false },
  { file: 'image-plain.pbm', kind: 'image', format: 'PBM', anywhere: false },
  { file: 'image.ras', kind: 'image', format: 'Sun raster', anywhere: true },
  { file: 'image.sgi', kind: 'image', format: 'SGI', anywhere: true },
  { file: 'image.pcx', kind: 'image', format: 'PCX', anywhere: true },
  { file: 'image.fits', kind: 'image', format: 'FITS', anywhere: false },
  { file: 'image.xbm', kind: 'image', format: 'XBM', anywhere: false },
];

const bytesOf = (file: string): Uint8Array => {
  const bytes = MEDIA.get(file);
  assert.ok(bytes, `missing fixture ${file}`);
  return bytes;
};

async function assertRefused(
  body: Uint8Array,
  expected: { kind: string; format: string },
  where: RegExp,
  chunking: Chunking,
  contentType = 'application/octet-stream',
): Promise<void> {
  const result = await inspect(body, options(contentType), chunking);
  assert.equal(result.output, undefined, 'nothing may pass through to the store');
  assert.ok(isMediaRefusal(result.error), `expected media_refused, got ${String(result.error)}`);
  assert.equal(result.error.status, 415);
  assert.deepEqual({ kind: result.error.finding.kind, format: result.error.finding.format }, expected);
  assert.match(result.error.finding.where, where);
}

async function assertStoredUnchanged(
  body: Uint8Array,
  contentType = 'application/octet-stream',
  chunkings: Chunking[] = ['whole', 7, 'random'],
): Promise<void> {
  for (const chunking of chunkings) {
    const result = await inspect(body, options(contentType), chunking);
    assert.equal(result.error, undefined, `refused (${String(chunking)}): ${String(result.error)}`);
    assert.deepEqual(result.output, body);
  }
}

/** Bytes that are neither text nor any format: the start of a made-up binary record. */
const BINARY_PREFIX = Uint8Array.from({ length: 61 }, (_, i) => (i * 7 + 3) % 32);

describe('the formats issue 11 found stored are refused', () => {
  for (const { file, kind, format, anywhere } of FORMATS) {
    test(`${file}: ${kind} ${format} as the whole body, in every chunking, under any label`, async () => {
      for (const chunking of CHUNKINGS) await assertRefused(bytesOf(file), { kind, format }, /^at byte 0$/, chunking);
      for (const contentType of ['', 'application/json', 'text/plain'])
        await assertRefused(bytesOf(file), { kind, format }, /^at byte 0$/, 'random', contentType);
    });
    if (anywhere) {
      test(`${file}: after other binary content`, async () => {
        const body = concat([BINARY_PREFIX, bytesOf(file)]);
        const where = file === 'video.y4m' ? /^at byte \d{3}$/ : new RegExp(`^at byte ${BINARY_PREFIX.length}$`);
        for (const chunking of CHUNKINGS) await assertRefused(body, { kind, format }, where, chunking);
      });
    }
  }

  test('every new fixture is listed here', () => {
    const listed = new Set(FORMATS.map(({ file }) => file));
    for (const file of ['video.h264', 'video.dv', 'audio.c2', 'image.xbm', 'image.fits']) assert.ok(listed.has(file));
    assert.equal(FORMATS.length, listed.size);
  });
});

/** Little- or big-endian integers of `bytes` bytes each. */
function integers(values: readonly number[], bytes: 2 | 4, littleEndian: boolean): Uint8Array {
  const view = new DataView(new ArrayBuffer(values.length * bytes));
  values.forEach((value, i) => (bytes === 2 ? view.setInt16(i * 2, value, littleEndian) : view.setInt32(i * 4, value, littleEndian)));
  return new Uint8Array(view.buffer);
}

const repeat = (pattern: readonly number[], times: number): Uint8Array =>
  Uint8Array.from({ length: pattern.length * times }, (_, i) => pattern[i % pattern.length]!);

describe('weak signatures count only when the structure confirms them', () => {
  const random = seededRandom(11);
  const smallNegatives = Array.from({ length: 1024 }, (_, i) => -1 - (i % 300));
  const randomSmallNegatives = Array.from({ length: 1024 }, () => -1 - Math.floor(random() * 256));
  const cases: Record<string, Uint8Array> = {
    '4 KiB of small negative int32 (little-endian)': integers(smallNegatives, 4, true),
    '4 KiB of small negative int32 (big-endian)': integers(smallNegatives, 4, false),
    'random small negative int32, both byte orders': concat([integers(randomSmallNegatives, 4, true), integers(randomSmallNegatives, 4, false)]),
    'small negative int16, both byte orders': concat([integers(smallNegatives, 2, true), integers(smallNegatives, 2, false)]),
    'FF FF every 4 bytes': repeat([0xff, 0xff, 0x12, 0x34], 2048),
    'FF FC 18 FF repeated (a table in tar: MPEG-1 layer II headers 144 bytes apart)': repeat([0xff, 0xfc, 0x18, 0xff], 2048),
    'a block of code repeated at a layer I frame length': repeat(
      [0xff, 0xff, 0x49, 0x8b, 0x77, 0x08, 0x48, 0x8d, 0x3d, 0x8b, 0x98, 0x03, 0x00, 0xe8, 0x1e, 0x88, 0x01, 0x00, ...new Array<number>(174).fill(0x90)],
      16,
    ),
    'a table of 16-bit values 0x47 0x00 ... (an MPEG-TS sync every 188 bytes)': Uint8Array.from({ length: 188 * 16 }, (_, i) =>
      i % 4 === 0 ? 0x47 : i % 4 === 1 ? 0 : i % 4 === 2 ? ((i >> 2) * 0x20) & 0xff : 0x10 + (((i >> 2) * 0x20) >> 8),
    ),
    // 48 kHz, 48 kbit/s: frames of 192 bytes
    'AC-3 sync words every 192 bytes in zeros': Uint8Array.from({ length: 192 * 16 }, (_, i) => [0x0b, 0x77, 0, 0, 0x04, 0x40][i % 192] ?? 0),
    'start codes and an H.264 SPS without the rest of a stream': concat([
      Uint8Array.of(0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x0a, 0xda, 0x7b),
      Uint8Array.from({ length: 600 }, () => Math.floor(random() * 256)),
    ]),
  };
  for (const [name, body] of Object.entries(cases)) {
    test(`${name} is stored unchanged`, async () => {
      await assertStoredUnchanged(body);
    });
  }

  test('MPEG audio layer I frames with valid bit allocations are audio; one allocation of 15 breaks the stream', async () => {
    // 32 kHz, 128 kbit/s, mono: 192-byte frames; allocations of 4 bits, then random samples
    const frame = (): number[] => [
      0xff,
      0xff,
      0x48,
      0xc0,
      ...Array.from({ length: 16 }, () => 0x44),
      ...Array.from({ length: 172 }, () => Math.floor(random() * 256)),
    ];
    const frames = Array.from({ length: 6 }, frame);
    await assertRefused(Uint8Array.from(frames.flat()), { kind: 'audio', format: 'MPEG audio layer I' }, /^at byte 0$/, 'whole');
    const broken = frames.map((bytes) => bytes.map((byte, i) => (i === 10 ? 0x4f : byte)));
    await assertStoredUnchanged(Uint8Array.from(broken.flat()));
  });

  test('an Ogg page of no known codec counts by its CRC', async () => {
    const page = bytesOf('chunk-ogg-page.ogg');
    await assertRefused(concat([BINARY_PREFIX, page]), { kind: 'audio', format: 'Ogg' }, new RegExp(`^at byte ${BINARY_PREFIX.length}$`), 'whole');
    const corrupted = page.slice();
    corrupted[22] = page[22]! ^ 1; // the first byte of the page's CRC
    await assertStoredUnchanged(concat([BINARY_PREFIX, corrupted]));
  });

  test('a real MP2 stream stops being audio when every frame is the same bytes', async () => {
    const mp2 = bytesOf('audio.mp2');
    const firstFrameLength = 144 * 2; // 32 kbit/s at 16 kHz (MPEG-2 layer II): 144 * 32000 / 16000
    await assertRefused(mp2, { kind: 'audio', format: 'MPEG audio layer II' }, /^at byte 0$/, 'whole');
    await assertStoredUnchanged(concat(Array.from({ length: 6 }, () => mp2.subarray(0, firstFrameLength))));
  });
});

describe('header templates and magic-number tables in programs are not media', () => {
  const templates: Record<string, Uint8Array> = {
    'a WAV header with an empty fmt chunk': utf8(`RIFF$\0\0\0WAVEfmt \x10\0\0\0${'\0'.repeat(16)}snd_pcm_file_write_bytes\0`),
    'fLaC and a STREAMINFO length followed by code': Uint8Array.of(
      ...utf8('fLaC\0\0\0\x22'),
      0x85,
      0xc9,
      0x48,
      0x89,
      0x04,
      0x24,
      0x0f,
      0x95,
      0xc0,
      0xc1,
      0xe0,
      0x07,
      0x88,
      0x44,
      0x24,
      0x04,
      0x83,
      0xfa,
      0x21,
      0x7e,
      0x3d,
      0x48,
    ),
    'an FLV header with no audio or video': Uint8Array.of(...utf8('FLV\x01\0\0\0\0\x09\0\0\0\0LNX 10,0,32,18'), ...new Array<number>(16).fill(0)),
    'a JPEG 2000 signature box in a table': Uint8Array.of(
      0,
      0,
      0,
      0x0c,
      0x6a,
      0x50,
      0x20,
      0x20,
      0x0d,
      0x0a,
      0x87,
      0x0a,
      ...new Array<number>(24).fill(0),
      1,
      0,
      0,
      0,
    ),
    'a JFIF header template without the segments after it': Uint8Array.of(
      0xff,
      0xd8,
      0xff,
      0xe0,
      0x00,
      0x10,
      ...utf8('JFIF\0'),
      1,
      1,
      0,
      0,
      0x46,
      0,
      1,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0xff,
      0xc4,
      1,
      0xa2,
      0,
      0,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
    ),
    'a table of magic numbers with AMR ones': utf8('#!AMR-WB\n\0NIST_1A\0#!AMR\n\0LM8953\0SOUND\x1a\0Speex\0snd\0application/octet-stream\0'),
    'pointers that begin with the Codec2 magic': Uint8Array.of(
      0xb8,
      0xf7,
      0xdf,
      0,
      0,
      0,
      0,
      0,
      0xc0,
      0xde,
      0xc2,
      1,
      0,
      0,
      0,
      0,
      0xc8,
      0xf7,
      0xdf,
      0,
      0,
      0,
      0,
      0,
    ),
    'an AV1 temporal delimiter before an extended sequence header': Uint8Array.of(
      0x12,
      0x00,
      0x0e,
      0x00,
      0x30,
      0x56,
      0x6a,
      0,
      0,
      0,
      0,
      0,
      0x0c,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0x57,
      0x49,
      0,
      0,
    ),
    'a PCX-like record without run-length encoding': Uint8Array.of(0x0a, 0, 0, 1, 0x82, 0x1b, 0, 0, 2, 0xa2, ...new Array<number>(70).fill(0)),
    'OggS in a string table': Uint8Array.of(
      ...utf8('OggS\0\0\0\0{\xef\xbd\xf7\xde\0\0\0none\0\0\0\0&#34;\0\0\0&#39;\0\0\0&amp;\0\0\0'),
      1,
      3,
      2,
      3,
      3,
      3,
      0,
      0,
    ),
    'objects whose header reads as MPEG layer I with nothing in the low subbands': concat(
      ['This subclass of IncrementalDecoder', 'An IncrementalEncoder that', 'Return the current state', 'Creates an IncrementalDecoder'].map((doc) =>
        concat([Uint8Array.of(0xff, 0xff, 0xe4, 0), new Uint8Array(14), utf8(`\n    ${doc}`.padEnd(448 - 18, ' '))]),
      ),
    ),
    'FORM and ILBM in code': Uint8Array.of(
      ...utf8('FORM'),
      0x0f,
      0x94,
      0xc2,
      0x3d,
      ...utf8('ILBM'),
      0x75,
      0x04,
      0x84,
      0xd2,
      0x75,
      0x1b,
      0x3d,
      0x41,
      0,
      0,
      0,
      0,
    ),
  };
  for (const [name, body] of Object.entries(templates)) {
    test(`${name}, inside binary content, is stored unchanged`, async () => {
      await assertStoredUnchanged(concat([BINARY_PREFIX, body, BINARY_PREFIX]));
    });
  }
});

describe('text that spells out a header is not media', () => {
  const texts: Record<string, string> = {
    'a Y4M header in a how-to':
      'Write "YUV4MPEG2 W16 H16 F25:1 Ip\\n" then "FRAME\\n" and the planes.\nYUV4MPEG2 W16 H16 F25:1\nFRAME\nthe pixels would go here, but this is text.\n',
    'a FITS card in a note': 'The first card reads SIMPLE  =                    T and then BITPIX.\n',
    'netpbm headers in a tutorial':
      'P6\n16 16\n255\nis a PPM header; P3 16 16 255 starts a plain one, P7\nWIDTH 16\nHEIGHT 16\nDEPTH 3\nMAXVAL 255\nENDHDR\nends a PAM header.\n',
    'magic strings of other formats': 'DKIF, TTA1, Creative Voice File, nut/multimedia container, SMJPEG, riff and wave GUIDs.\n',
  };
  for (const [name, text] of Object.entries(texts)) {
    test(`${name} is stored unchanged`, async () => {
      await assertStoredUnchanged(utf8(text), 'text/plain; charset=utf-8', ['whole', 1, 'random']);
    });
  }

  test('an X bitmap inside C source is code, as inline SVG markup is not an image; as the whole body it is an image', async () => {
    const xbm = bytesOf('image.xbm');
    await assertStoredUnchanged(concat([utf8('/* the icon of the about box */\n#include <stdio.h>\n'), xbm]), 'text/plain; charset=utf-8');
    await assertRefused(xbm, { kind: 'image', format: 'XBM' }, /^at byte 0$/, 'whole', 'text/plain; charset=utf-8');
  });

  test('a plain PPM counts where content starts only', async () => {
    const ppm = bytesOf('image-plain.ppm');
    await assertStoredUnchanged(concat([utf8('Here is the output:\n'), ppm]), 'text/plain; charset=utf-8');
  });
});

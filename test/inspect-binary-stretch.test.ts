/**
 * Binary content is read by a loop of its own (src/media/scanner/plain-text.ts,
 * `skipBinary`) that hands back to the text loop once 32 bytes pass without a
 * binary byte. These tests put media on both sides of that hand-over, and at
 * every distance from the last binary byte around it, cut into chunks every
 * way: the verdict and where it is reported must not depend on which loop
 * was reading.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMediaRefusal, type MediaRefusal } from '../src/media/inspect.ts';
import { concat, fixtures, inspect, options, utf8, type Chunking } from './helpers/inspect-stream.ts';
import { dataUrl, multipart, zip } from './helpers/wrappings.ts';

const fixture = (folder: 'media' | 'benign', name: string): Uint8Array => fixtures(folder).find((file) => file.name === name)!.bytes;
const PNG = fixture('media', 'image.png');
const MP3 = fixture('media', 'audio-noid3.mp3');
/** Numeric arrays: nearly every other byte is one text never holds. */
const SMALL_INT16 = fixture('benign', 'int16-small-le.bin');
const NEGATIVE_INT32 = fixture('benign', 'int32-small-negative-le.bin');
const RANDOM_INT16 = fixture('benign', 'int16-random-le.bin');

const CHUNKINGS: Chunking[] = ['whole', 7, 'random', 4096];
/** Text between a binary stretch and what follows it, across the 32 bytes after which the scanner reads text again. */
const GAPS = [0, 1, 5, 20, 30, 31, 32, 33, 34, 40, 64, 100];

const text = (length: number): Uint8Array => utf8('The quick brown fox jumps over the lazy dog. '.repeat(4).slice(0, length));

async function assertRefused(body: Uint8Array, contentType: string, where: RegExp, chunkings: readonly Chunking[] = CHUNKINGS): Promise<void> {
  for (const chunking of chunkings) {
    const result = await inspect(body, options(contentType), chunking);
    assert.ok(isMediaRefusal(result.error), `${chunking} chunks: expected media_refused, got ${String(result.error)}`);
    assert.match((result.error as MediaRefusal).finding.where, where, `${chunking} chunks`);
    assert.equal(result.output, undefined, `${chunking} chunks: something reached the store side`);
  }
}

async function assertStoredUnchanged(body: Uint8Array, contentType: string): Promise<void> {
  for (const chunking of CHUNKINGS) {
    const result = await inspect(body, options(contentType), chunking);
    assert.equal(result.error, undefined, `${chunking} chunks: refused: ${String(result.error)}`);
    assert.equal(Buffer.compare(Buffer.from(result.output!), Buffer.from(body)), 0, `${chunking} chunks: output differs from input`);
  }
}

describe('media next to binary content', () => {
  for (const gap of GAPS) {
    test(`a PNG ${gap} bytes of text after numeric arrays is refused where it starts`, async () => {
      const body = concat([SMALL_INT16, text(gap), PNG, text(50)]);
      await assertRefused(body, 'application/octet-stream', new RegExp(`^at byte ${SMALL_INT16.length + gap}$`));
    });
  }

  for (const gap of GAPS) {
    test(`MP3 frames ${gap} bytes of text after small negative int32 values are refused`, async () => {
      const body = concat([NEGATIVE_INT32, text(gap), MP3]);
      await assertRefused(body, 'application/octet-stream', new RegExp(`^at byte ${NEGATIVE_INT32.length + gap}$`));
    });
  }

  test('a PNG at every offset inside numeric arrays is refused where it starts', async () => {
    for (let offset = 0; offset < 80; offset += 3) {
      const body = concat([RANDOM_INT16.subarray(0, 4096 + offset), PNG, RANDOM_INT16.subarray(4096 + offset)]);
      await assertRefused(body, 'application/octet-stream', new RegExp(`^at byte ${4096 + offset}$`), ['whole', 'random']);
    }
  });

  test('a stored ZIP entry right after numeric arrays is opened (its PK header is read inside the binary stretch)', async () => {
    const body = concat([RANDOM_INT16, zip([{ name: 'shot.png', bytes: PNG }], 'stored')]);
    await assertRefused(body, 'application/octet-stream', /in ZIP entry "shot\.png"/);
  });

  test('a deflated ZIP entry right after numeric arrays is inflated and refused', async () => {
    const body = concat([SMALL_INT16, zip([{ name: 'shot.png', bytes: PNG }], 'deflated')]);
    await assertRefused(body, 'application/octet-stream', /ZIP entry "shot\.png"/);
  });

  for (const gap of [0, 31, 32, 33]) {
    test(`a data: URL ${gap} bytes of text after numeric arrays is refused`, async () => {
      const body = concat([SMALL_INT16, text(gap), utf8(`"${dataUrl({ name: 'image.png', bytes: PNG })}"`)]);
      await assertRefused(body, 'application/octet-stream', /^in a data: URL at byte \d+$/);
    });
  }

  test('media where a multipart part starts, after a binary part, is named by its part', async () => {
    const { body, contentType } = multipart([
      { headers: 'Content-Type: application/octet-stream', body: SMALL_INT16 },
      { headers: 'Content-Type: application/octet-stream', body: PNG },
    ]);
    await assertRefused(body, contentType, /^in multipart part 2 at byte \d+$/);
  });

  test('numeric arrays and text taking turns, without media, are stored byte-identical', async () => {
    const parts: Uint8Array[] = [];
    for (const gap of GAPS) parts.push(SMALL_INT16.subarray(0, 512 + gap * 7), text(gap), NEGATIVE_INT32.subarray(0, 300 + gap), text(100 - gap));
    await assertStoredUnchanged(concat(parts), 'application/octet-stream');
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMediaRefusal } from '../src/media/inspect.ts';
import { isRefusal } from '../src/policy/refusal.ts';
import { concat, inspect, seededRandom, utf8, type Chunking } from './helpers/inspect-stream.ts';
import { MATRIX_MEDIA, streamedZip } from './helpers/layers-wrappings.ts';
import { TEXT_FILE, UNOPENED_FORMATS } from './helpers/unopened-wrappings.ts';
import { base64, dataUrl, type MediaFile } from './helpers/wrappings.ts';
import { gzipSync } from './helpers/zlib.ts';

/**
 * Issue 11: decoded base64 or hex whose start is opaque (random, encrypted,
 * compressed bytes) is searched at every offset for what a raw body's scan
 * finds (src/media/scanner/opaque-search.ts): media after an opaque prefix
 * is refused however long the prefix, whether the run fits in the
 * scanner's view or streams past it; opaque bytes without media are stored.
 */

const random = seededRandom(424242);
const randomBytes = (length: number): Uint8Array => Uint8Array.from({ length }, () => Math.floor(random() * 256));
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Prefixes shorter than the decoded start that opaque.ts reads (10 KiB), longer than it, and longer than the scanner's view. */
const PREFIXES = [17, 1024, 9000, 11 * 1024, 48 * 1024].map((length) => ({ length, bytes: randomBytes(length) }));
const chunkingsFor = (body: Uint8Array): Chunking[] => (body.length <= 16 * 1024 ? ['whole', 1, 7, 'random'] : ['whole', 7, 'random']);

async function verdicts(body: Uint8Array, embeddedMedia: 'refuse' | 'redact' = 'refuse'): Promise<Set<string>> {
  const details = new Set<string>();
  for (const chunking of chunkingsFor(body)) {
    const result = await inspect(body, { contentType: 'application/json', contentEncoding: '', embeddedMedia }, chunking);
    assert.equal(result.output, undefined, `${chunking}: nothing may reach the store`);
    assert.ok(isRefusal(result.error), `${chunking}: expected a refusal, got ${String(result.error)}`);
    details.add(`${result.error.code}: ${result.error.detail}`);
  }
  assert.equal(details.size, 1, `verdicts differ between chunkings: ${[...details].join(' | ')}`);
  return details;
}

const inBase64 = (blob: Uint8Array): Uint8Array => utf8(JSON.stringify({ id: 'att-1', blob: base64(blob) }));
const inHex = (blob: Uint8Array): Uint8Array => utf8(JSON.stringify({ id: 'att-1', blob: hex(blob) }));

describe('media after opaque bytes in decoded base64 or hex is refused, however long the prefix', () => {
  for (const { length, bytes } of PREFIXES) {
    test(`${length} random bytes, then each media file`, async () => {
      for (const file of MATRIX_MEDIA) {
        for (const encode of [inBase64, inHex]) {
          const [verdict] = await verdicts(encode(concat([bytes, file.bytes])));
          assert.match(verdict!, /^media_refused: /, file.name);
          assert.match(verdict!, new RegExp(`at byte ${length} of a (base64|hex) string at byte 22$`), file.name);
        }
      }
    });
  }

  test('the refusal names the media and where it is', async () => {
    const png = MATRIX_MEDIA.find((file) => file.name === 'image.png')!;
    const [verdict] = await verdicts(inBase64(concat([PREFIXES[1]!.bytes, png.bytes])));
    assert.equal(verdict, 'media_refused: PNG image at byte 1024 of a base64 string at byte 22');
  });
});

describe('what a raw body scan finds after opaque bytes, found there too', () => {
  const png: MediaFile = MATRIX_MEDIA.find((file) => file.name === 'image.png')!;
  const long = PREFIXES[3]!.bytes;
  const cases: Record<string, Uint8Array> = {
    'a gzip file': gzipSync(png.bytes),
    'a ZIP': streamedZip([{ name: 'shot.png', bytes: png.bytes }]),
    'JSON with a data: URL': utf8(JSON.stringify({ events: [{ type: 'snapshot', src: dataUrl(png) }] })),
    'base64 of the file, as text': utf8(`attachment=${base64(png.bytes)}`),
  };
  for (const [what, inner] of Object.entries(cases)) {
    test(`${what} after 11 KiB of random bytes`, async () => {
      const [verdict] = await verdicts(inBase64(concat([long, inner])));
      assert.match(verdict!, /^media_refused: PNG image/);
    });
  }

  test('an archive that is not opened, after random bytes, is refused as uninspectable', async () => {
    for (const [format, pack] of Object.entries(UNOPENED_FORMATS)) {
      if (format === 'compress (.Z)') continue;
      const [verdict] = await verdicts(inBase64(concat([long, pack(TEXT_FILE)])));
      assert.match(verdict!, /^body_uninspectable: /, format);
    }
  });

  test('redaction cannot cut media out of the middle of opaque bytes: refused', async () => {
    const [verdict] = await verdicts(inBase64(concat([PREFIXES[1]!.bytes, png.bytes])), 'redact');
    assert.match(verdict!, /^media_refused: PNG image at byte 1024/);
  });
});

describe('opaque bytes without media are stored as sent', () => {
  const bodies: Record<string, Uint8Array> = {
    'base64 of random bytes of every prefix length': utf8(JSON.stringify(PREFIXES.map(({ bytes }) => base64(bytes)))),
    'hex of random bytes': inHex(PREFIXES[2]!.bytes),
    'random bytes, then text without media': inBase64(
      concat([PREFIXES[3]!.bytes, TEXT_FILE.bytes, utf8(' and a mention of data:image/png;base64, nothing more')]),
    ),
    'random bytes with a gzip file of text after them': inBase64(concat([PREFIXES[3]!.bytes, gzipSync(TEXT_FILE.bytes)])),
  };
  for (const [what, body] of Object.entries(bodies)) {
    test(what, async () => {
      for (const chunking of chunkingsFor(body)) {
        for (const embeddedMedia of ['refuse', 'redact'] as const) {
          const result = await inspect(body, { contentType: 'application/json', contentEncoding: '', embeddedMedia }, chunking);
          assert.equal(result.error, undefined, `${chunking}, ${embeddedMedia}: ${String(result.error)}`);
          assert.deepEqual(result.output, body);
        }
      }
    });
  }

  test('a media refusal is a media refusal', async () => {
    const result = await inspect(inBase64(concat([PREFIXES[0]!.bytes, MATRIX_MEDIA[0]!.bytes])), {
      contentType: 'application/json',
      contentEncoding: '',
      embeddedMedia: 'refuse',
    });
    assert.ok(isMediaRefusal(result.error));
  });
});

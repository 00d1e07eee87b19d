import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createInspection, inspectSample, isMediaRefusal } from '../src/media/inspect.ts';
import { isRefusal } from '../src/policy/refusal.ts';
import { fixtures, inspect, options, utf8 } from './helpers/inspect-stream.ts';

const MEDIA = fixtures('media');
const KIND_BY_PREFIX = { image: 'image', audio: 'audio', video: 'video', chunk: undefined } as const;

function assertMediaRefused(error: unknown, expectedKind?: string): void {
  assert.ok(isMediaRefusal(error), `expected a media refusal, got ${String(error)}`);
  assert.equal(error.code, 'media_refused');
  assert.equal(error.status, 415);
  if (expectedKind) assert.equal(error.finding.kind, expectedKind);
}

describe('declared Content-Type', () => {
  const refused = [
    'image/png',
    'IMAGE/JPEG; q=1',
    'audio/mpeg',
    'video/webm;codecs="vp8, opus"',
    'image/svg+xml',
    'application/ogg',
    'application/mp4',
    'application/x-shockwave-flash',
    'application/vnd.rn-realmedia',
    'application/dicom',
    'application/json, image/png',
  ];
  for (const contentType of refused) {
    test(`refuses ${contentType} before reading the body`, () => {
      assert.throws(
        () => createInspection(options(contentType)),
        (error) => {
          assertMediaRefused(error);
          assert.match((error as Error).message, /declared by Content-Type/);
          return true;
        },
      );
    });
  }

  for (const contentType of [
    'application/json',
    'text/plain; charset=utf-8',
    'application/sdp',
    'application/vnd.apple.mpegurl',
    'multipart/form-data; boundary=x',
    '',
  ]) {
    test(`accepts ${contentType || 'no Content-Type'}`, () => {
      assert.doesNotThrow(() => createInspection(options(contentType)));
    });
  }
});

describe('magic numbers at the start of the body', () => {
  for (const { name, bytes } of MEDIA) {
    const expectedKind = KIND_BY_PREFIX[name.split(/[-.]/)[0] as keyof typeof KIND_BY_PREFIX];
    for (const contentType of ['', 'application/octet-stream', 'application/json', 'text/plain']) {
      test(`${name} labelled "${contentType}" is refused at byte 0 and nothing passes through`, async () => {
        const result = await inspect(bytes, options(contentType));
        assertMediaRefused(result.error, expectedKind);
        assert.match((result.error as Error).message, /at byte 0/);
        assert.equal(result.output, undefined);
      });
    }
  }
});

describe('text that mentions formats is not media', () => {
  const texts = [
    'PNG',
    'BMW 320d for sale',
    'GIF is pronounced with a hard G',
    'ID3 tags hold the title and artist',
    'FORMAT: PNG, 16x16',
    'data:',
    'RIFF....WAVE is how a WAV file starts, and OggS starts an Ogg page.',
    'BM',
    'G'.repeat(2000),
    '#!AMR\n is the AMR magic',
    '{"note":"embed it as a data:image/png;base64, URI"}',
  ];
  for (const text of texts) {
    test(`passes ${JSON.stringify(text.slice(0, 40))} through unchanged`, async () => {
      const bytes = utf8(text);
      const result = await inspect(bytes, options('text/plain'));
      assert.equal(result.error, undefined);
      assert.deepEqual(result.output, bytes);
    });
  }
});

describe('inspectSample', () => {
  test('reports media instead of throwing', async () => {
    const png = MEDIA.find((fixture) => fixture.name === 'image.png')!;
    const report = await inspectSample(png.bytes, options('application/json'));
    assert.deepEqual(report.media, { kind: 'image', format: 'PNG', where: 'at byte 0' });
  });

  test('reports a declared media type', async () => {
    const report = await inspectSample(utf8('hello'), options('video/mp4'));
    assert.equal(report.media?.kind, 'video');
    assert.match(report.media!.where, /Content-Type/);
  });

  test('reports nothing for text', async () => {
    assert.deepEqual(await inspectSample(utf8('{"a":1}'), options('application/json')), { media: null });
  });

  test('still throws refusals that are not about media', async () => {
    await assert.rejects(
      inspectSample(utf8('x'), options('text/plain', { contentEncoding: 'compress' })),
      (error) => isRefusal(error) && !isMediaRefusal(error),
    );
  });
});

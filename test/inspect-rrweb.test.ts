import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectSample, isMediaRefusal } from '../src/media/inspect.ts';
import { fixtures, inspect, options, utf8, type Chunking } from './helpers/inspect-stream.ts';
import { dataUrl, rrwebPack } from './helpers/wrappings.ts';

const png = fixtures('media').find((fixture) => fixture.name === 'image.png')!;

/** A canvas 2D putImageData call as rrweb records it: raw RGBA pixels as a JSON array. */
const putImageData = (width: number, height: number) => ({
  type: 3,
  timestamp: 1763719200123,
  data: {
    source: 9,
    id: 8,
    type: 0,
    commands: [
      {
        property: 'putImageData',
        args: [
          {
            rr_type: 'ImageData',
            args: [{ rr_type: 'Uint8ClampedArray', args: [Array.from({ length: width * height * 4 }, (_, i) => (i * 31) % 256)] }, width, height],
          },
          0,
          0,
        ],
      },
    ],
  },
});

async function assertRefusedAsImage(body: Uint8Array, chunkings: Chunking[] = ['whole', 1, 7, 'random']): Promise<string> {
  const details = new Set<string>();
  for (const chunking of chunkings) {
    const result = await inspect(body, options('application/json'), chunking);
    assert.ok(isMediaRefusal(result.error), String(result.error));
    assert.equal(result.error.finding.kind, 'image');
    assert.equal(result.output, undefined);
    details.add(result.error.detail);
  }
  assert.equal(details.size, 1);
  return [...details][0]!;
}

describe('rrweb canvas pixels (ImageData)', () => {
  test('a putImageData event is refused as raw pixels', async () => {
    const detail = await assertRefusedAsImage(utf8(JSON.stringify(putImageData(16, 16))));
    assert.match(detail, /^raw pixels \(rrweb ImageData\) image at byte \d+$/);
  });

  test('also with spaces, and when the event is itself a JSON string (escaped quotes)', async () => {
    await assertRefusedAsImage(utf8(JSON.stringify(putImageData(2, 2), null, 2)));
    await assertRefusedAsImage(utf8(JSON.stringify({ payload: JSON.stringify(putImageData(2, 2)) })));
  });

  test('inside an rrweb packed (zlib) event', async () => {
    const detail = await assertRefusedAsImage(utf8(JSON.stringify([rrwebPack(putImageData(8, 8))])), ['whole', 7, 'random']);
    assert.match(detail, /of a zlib-packed string at byte 1$/);
  });

  test('other typed arrays (WebGL vertex data) are not pixels', async () => {
    const event = {
      type: 3,
      data: { source: 9, commands: [{ property: 'bufferData', args: [34962, { rr_type: 'Float32Array', args: [[-1, -1, 3, -1, -1, 3]] }, 35044] }] },
    };
    const body = utf8(JSON.stringify(event));
    assert.deepEqual((await inspect(body, options('application/json'), 7)).output, body);
  });
});

describe('inspectSample (POST /v1/explain)', () => {
  test('says what it found and where, for embedded media too', async () => {
    const sample = utf8(JSON.stringify({ events: [{ rr_dataURL: dataUrl(png) }] }));
    const { media } = await inspectSample(sample, options('application/json'));
    assert.deepEqual(media, { kind: 'image', format: 'PNG', where: 'in a data: URL at byte 26' });
  });

  test('reports embedded media for a data class that redacts (the write would store it redacted)', async () => {
    const sample = utf8(JSON.stringify(putImageData(2, 2)));
    const { media } = await inspectSample(sample, options('application/json', { embeddedMedia: 'redact' }));
    assert.equal(media?.format, 'raw pixels (rrweb ImageData)');
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMediaRefusal, REDACTION_MARKER } from '../src/media/inspect.ts';
import { fixtures, inspect, utf8, type Chunking } from './helpers/inspect-stream.ts';
import { base64, dataUrl, multipart, rrwebPack, WRAPPINGS } from './helpers/wrappings.ts';
import { gzipSync } from './helpers/zlib.ts';

const MEDIA = fixtures('media');
const file = (name: string) => MEDIA.find((fixture) => fixture.name === name)!;
const png = file('image.png');
const mp3 = file('audio-id3.mp3');
const webm = file('video.webm');
const svg = file('image.svg');

const redact = (contentType = 'application/json', contentEncoding = '') => ({ contentType, contentEncoding, embeddedMedia: 'redact' as const });
const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);

async function redacted(document: string, contentType = 'application/json'): Promise<{ output: string; redactions: number }> {
  const outputs = new Set<string>();
  let redactions = -1;
  for (const chunking of ['whole', 1, 7, 'random'] as Chunking[]) {
    const result = await inspect(utf8(document), redact(contentType), chunking);
    assert.equal(result.error, undefined, String(result.error));
    outputs.add(text(result.output));
    redactions = result.redactions;
  }
  assert.equal(outputs.size, 1, 'redaction differs between chunkings');
  return { output: [...outputs][0]!, redactions };
}

describe('embeddedMedia: redact', () => {
  test('replaces a data: URL in JSON with the marker and keeps everything else', async () => {
    const document = JSON.stringify({ before: 1, shot: dataUrl(png), after: 'kept' });
    const { output, redactions } = await redacted(document);
    assert.deepEqual(JSON.parse(output), { before: 1, shot: REDACTION_MARKER, after: 'kept' });
    assert.equal(redactions, 1);
  });

  test('replaces each of several items and counts them', async () => {
    const document = JSON.stringify([dataUrl(png), 'keep me', { rr_type: 'ArrayBuffer', base64: base64(mp3.bytes) }, dataUrl(webm)]);
    const { output, redactions } = await redacted(document);
    assert.deepEqual(JSON.parse(output), [REDACTION_MARKER, 'keep me', { rr_type: 'ArrayBuffer', base64: REDACTION_MARKER }, REDACTION_MARKER]);
    assert.equal(redactions, 3);
  });

  test('keeps JSON valid around data: URLs in escaped HTML, in SVG data: URLs, and in CSS', async () => {
    const document = JSON.stringify({
      html: `<p>see</p><img src="${dataUrl(png)}" alt="x">`,
      icon: `data:image/svg+xml;utf8,${text(svg.bytes)}`,
    });
    const { output, redactions } = await redacted(document);
    assert.deepEqual(JSON.parse(output), { html: `<p>see</p><img src="${REDACTION_MARKER}" alt="x">`, icon: REDACTION_MARKER });
    assert.equal(redactions, 2);
    const css = await redacted(`.hero { background: url(${dataUrl(png)}) no-repeat; }`, 'text/css');
    assert.equal(css.output, `.hero { background: url(${REDACTION_MARKER}) no-repeat; }`);
  });

  test('replaces an rrweb ImageData pixel array with the marker as a JSON string', async () => {
    const pixels = Array.from({ length: 4 * 64 }, (_, i) => (i * 37) % 256);
    const event = {
      type: 3,
      data: {
        source: 9,
        id: 8,
        type: 0,
        commands: [{ property: 'putImageData', args: [{ rr_type: 'ImageData', args: [{ rr_type: 'Uint8ClampedArray', args: [pixels] }, 8, 8] }, 0, 0] }],
      },
    };
    const { output, redactions } = await redacted(JSON.stringify(event));
    const parsed = JSON.parse(output);
    assert.deepEqual(parsed.data.commands[0].args[0], { rr_type: 'ImageData', args: REDACTION_MARKER });
    assert.deepEqual(parsed.data.commands[0].args.slice(1), [0, 0]);
    assert.equal(redactions, 1);
  });

  test('a document without media is stored unchanged with no redactions', async () => {
    const document = JSON.stringify({ messages: ['a PNG?', 'data: none'], data: 'data:text/plain,hello' });
    assert.deepEqual(await redacted(document), { output: document, redactions: 0 });
  });

  const stillRefused: [string, Parameters<typeof inspect>][] = [
    ['media as the whole body', [png.bytes, redact('application/octet-stream')]],
    ['base64 media as the whole body', [utf8(base64(png.bytes)), redact('text/plain')]],
    ['media as a multipart part', [WRAPPINGS['multipart part']!(png).body, redact(WRAPPINGS['multipart part']!(png).contentType)]],
    [
      'base64 media as a whole multipart part',
      [multipart([{ headers: 'Content-Type: text/plain', body: utf8(base64(mp3.bytes)) }]).body, redact(multipart([]).contentType)],
    ],
    ['media inside a compressed packed string', [utf8(JSON.stringify([rrwebPack({ src: dataUrl(png) })])), redact()]],
    [
      'embedded media in a gzip-encoded body (stored as sent, so not rewritable)',
      [gzipSync(utf8(JSON.stringify({ shot: dataUrl(png) }))), redact('application/json', 'gzip')],
    ],
    ['media inside a ZIP entry', [WRAPPINGS['ZIP stored']!(png).body, redact('application/zip')]],
  ];
  for (const [name, [body, options]] of stillRefused) {
    test(`still refuses ${name}`, async () => {
      const result = await inspect(body, options);
      assert.ok(isMediaRefusal(result.error), String(result.error));
      assert.equal(result.output, undefined);
    });
  }
});

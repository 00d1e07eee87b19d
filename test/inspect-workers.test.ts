import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { benignContentType } from './helpers/benign-types.ts';
import { fixtures, utf8 } from './helpers/inspect-stream.ts';
import { buildWorker, startWorker, type BuiltWorker, type RunningWorker } from './helpers/miniflare.ts';
import { BENIGN_CONTENT, LAYER_WRAPPINGS, MATRIX_MEDIA, UNINSPECTABLE } from './helpers/layers-wrappings.ts';
import { asBody, UNOPENED_FORMATS } from './helpers/unopened-wrappings.ts';
import { base64, dataUrl, START_ONLY_FORMATS, WRAPPINGS, type Payload } from './helpers/wrappings.ts';
import { gzipSync } from './helpers/zlib.ts';

/**
 * The inspector in workerd (src/policy runs on Workers too): DecompressionStream,
 * TransformStream and TextDecoder there, not Node's. A worker that only
 * inspects is built by wrangler and served by miniflare on a loopback port.
 */

interface Answer {
  ok: boolean;
  code?: string;
  media?: boolean;
  detail?: string;
  bytes?: number;
  redactions?: number;
}

let built: BuiltWorker;
let worker: RunningWorker;

before(async () => {
  built = await buildWorker('test/fixtures/inspect-worker/wrangler.toml');
  worker = await startWorker(built);
});

after(async () => {
  await worker?.stop();
  await built?.remove();
});

async function send(payload: Payload, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(worker.url, {
    method: 'POST',
    body: payload.body,
    headers: { 'content-type': payload.contentType, ...(payload.contentEncoding && { 'content-encoding': payload.contentEncoding }), ...headers },
  });
  return (await response.json()) as Answer;
}

const MEDIA = fixtures('media');

/** The answer is a refusal with `code` (and, for media, a media refusal). */
function assertRefused(answer: Answer, code: string, what: string): void {
  assert.equal(answer.ok, false, `${what} passed`);
  assert.equal(answer.code, code, `${what}: ${answer.detail}`);
  assert.equal(answer.media, code === 'media_refused', `${what}: ${answer.detail}`);
}
const WORKER_WRAPPINGS = [
  'raw',
  'gzip',
  'deflate',
  'multipart part',
  'data: URL in JSON',
  'JSON-escaped base64 with \\/',
  'ZIP deflated',
  'rrweb packed (zlib in latin1)',
  'after a text prefix',
];

describe('in workerd', () => {
  for (const wrapping of WORKER_WRAPPINGS) {
    test(`every media fixture, ${wrapping}, is refused`, async () => {
      for (const file of MEDIA) {
        if (START_ONLY_FORMATS.includes(file.name) && wrapping === 'after a text prefix') continue;
        const answer = await send(WRAPPINGS[wrapping]!(file));
        assert.equal(answer.ok, false, `${file.name} passed`);
        assert.equal(answer.code, 'media_refused', `${file.name}: ${answer.detail}`);
        assert.equal(answer.media, true, `${file.name}: ${answer.detail}`);
      }
    });
  }

  test('every benign fixture passes byte-identical', async () => {
    for (const file of fixtures('benign')) {
      const response = await fetch(`${worker.url}/?echo`, { method: 'POST', body: file.bytes, headers: { 'content-type': benignContentType(file.name) } });
      assert.equal(response.status, 200, file.name);
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), file.bytes, file.name);
    }
  });

  test('redaction rewrites embedded media', async () => {
    const png = MEDIA.find((file) => file.name === 'image.png')!;
    const document = JSON.stringify({ shot: dataUrl(png), blob: base64(png.bytes), text: 'kept' });
    const response = await fetch(`${worker.url}/?echo`, {
      method: 'POST',
      body: document,
      headers: { 'content-type': 'application/json', 'x-embedded-media': 'redact' },
    });
    assert.deepEqual(await response.json(), { shot: '[media redacted]', blob: '[media redacted]', text: 'kept' });
  });

  test('a decompression bomb is refused', async () => {
    const answer = await send({ body: gzipSync(new Uint8Array(32 * 1024 * 1024)), contentType: 'application/json', contentEncoding: 'gzip' });
    assert.equal(answer.code, 'body_uninspectable');
    assert.match(answer.detail!, /decompresses more than/);
  });

  describe('the layers matrix decides as on Node', () => {
    // workerd's DecompressionStream has no brotli: `br` is refused there before reading, never stored unseen
    const lacksBrotli = (payload: Payload): boolean => payload.contentEncoding === 'br';

    test('Content-Encoding br is refused in workerd, whatever the body holds', async () => {
      for (const payload of [
        LAYER_WRAPPINGS['Content-Encoding br (runtime decoder)']!(BENIGN_CONTENT[0]!),
        UNINSPECTABLE['Content-Encoding br, then bytes']!(BENIGN_CONTENT[0]!.bytes),
      ]) {
        const answer = await send(payload);
        assert.equal(answer.ok, false);
        assert.equal(answer.code, 'media_refused');
        assert.match(answer.detail!, /"br" cannot be inspected/);
      }
    });

    for (const [wrapping, wrap] of Object.entries(LAYER_WRAPPINGS)) {
      if (lacksBrotli(wrap(BENIGN_CONTENT[0]!))) continue;
      test(wrapping, async () => {
        for (const file of MATRIX_MEDIA) assertRefused(await send(wrap(file)), 'media_refused', file.name);
        for (const file of BENIGN_CONTENT) {
          const payload = wrap(file);
          const response = await fetch(`${worker.url}/?echo`, {
            method: 'POST',
            body: payload.body,
            headers: { 'content-type': payload.contentType, ...(payload.contentEncoding && { 'content-encoding': payload.contentEncoding }) },
          });
          const stored = new Uint8Array(await response.arrayBuffer());
          assert.equal(response.status, 200, file.name);
          assert.deepEqual(stored, payload.body, `${file.name}: ${stored.length < 2000 ? new TextDecoder().decode(stored) : ''}`);
        }
      });
    }
    test('media packed in a format that is not opened is refused', async () => {
      for (const [format, pack] of Object.entries(UNOPENED_FORMATS)) {
        for (const file of MATRIX_MEDIA) {
          const answer = await send(asBody(pack(file)));
          assert.equal(answer.ok, false, `${format} of ${file.name} passed`);
          assert.ok(answer.code === 'body_uninspectable' || answer.code === 'media_refused', `${format} of ${file.name}: ${answer.detail}`);
        }
      }
    });
    for (const [what, wrap] of Object.entries(UNINSPECTABLE)) {
      if (lacksBrotli(wrap(BENIGN_CONTENT[0]!.bytes))) continue;
      test(`${what} is refused as uninspectable`, async () => {
        assertRefused(await send(wrap(BENIGN_CONTENT[0]!.bytes)), 'body_uninspectable', what);
      });
    }
  });

  test('invalid UTF-8 in JSON is a bad request', async () => {
    const answer = await send({ body: new Uint8Array([...utf8('{"a":"'), 0xff, 0xfe, ...utf8('"}')]), contentType: 'application/json', contentEncoding: '' });
    assert.equal(answer.code, 'bad_request');
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createInspection, DEFAULT_BUDGETS, isMediaRefusal, type InspectionOptions, runtimeDecodes } from '../src/media/inspect.ts';
import { InspectionContext } from '../src/media/context.ts';
import { isRefusal, type Refusal } from '../src/policy/refusal.ts';
import { fixtures, inspect, options, utf8 } from './helpers/inspect-stream.ts';
import { chatText, multipart, zip } from './helpers/wrappings.ts';
import { brotliCompressSync, gzipSync } from './helpers/zlib.ts';

/** `text` in a UTF-16 or UTF-32 charset (big-endian where the name does not say). */
function wide(text: string, charset: string): Uint8Array {
  const unit = charset.startsWith('utf-32') ? 4 : 2;
  const littleEndian = charset.endsWith('le');
  const units = unit === 4 ? [...text].map((char) => char.codePointAt(0)!) : Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));
  const view = new DataView(new ArrayBuffer(units.length * unit));
  units.forEach((value, i) => (unit === 4 ? view.setUint32(i * 4, value, littleEndian) : view.setUint16(i * 2, value, littleEndian)));
  return new Uint8Array(view.buffer);
}

const png = fixtures('media').find((fixture) => fixture.name === 'image.png')!;
const MiB = 1024 * 1024;

async function refusal(body: Uint8Array, inspectionOptions: InspectionOptions): Promise<Refusal> {
  const result = await inspect(body, inspectionOptions, 'random');
  assert.ok(isRefusal(result.error), `expected a refusal, got ${String(result.error)}`);
  assert.equal(result.output, undefined, 'the stream must error so that the store write is aborted');
  return result.error;
}

function refusedAtOnce(inspectionOptions: InspectionOptions): Refusal {
  let caught: unknown;
  try {
    createInspection(inspectionOptions);
  } catch (error) {
    caught = error;
  }
  assert.ok(isRefusal(caught), `expected createInspection to throw a refusal, got ${String(caught)}`);
  return caught;
}

describe('budgets: bounded work, failing closed', () => {
  test('a gzip decompression bomb is refused by the expansion ratio', async () => {
    const bomb = gzipSync(new Uint8Array(32 * MiB));
    const refused = await refusal(bomb, options('application/json', { contentEncoding: 'gzip' }));
    assert.equal(refused.code, 'body_uninspectable');
    assert.equal(refused.status, 422);
    assert.match(refused.detail, /decompresses more than 200 times/);
  });

  test('a deflated ZIP entry of zeros is refused by the same budget', async () => {
    const refused = await refusal(zip([{ name: 'zeros.bin', bytes: new Uint8Array(32 * MiB) }], 'deflated'), options('application/zip'));
    assert.match(refused.detail, /decompresses more than/);
  });

  test('decoded bytes past the absolute budget are refused', async () => {
    const body = gzipSync(utf8(chatText(2 * MiB)));
    const refused = await refusal(body, options('application/json', { contentEncoding: 'gzip', budgets: { maxDecodedBytes: MiB, maxExpansionRatio: 1e9 } }));
    assert.match(refused.detail, /past the budget of 1048576 bytes/);
  });

  test('the same body within budget passes', async () => {
    const body = gzipSync(utf8(chatText(2 * MiB)));
    const result = await inspect(body, options('application/json', { contentEncoding: 'gzip' }), 'random');
    assert.equal(result.error, undefined);
    assert.deepEqual(result.output, body);
  });

  test('more nested Content-Encodings than the depth budget are refused before reading', () => {
    const refused = refusedAtOnce(options('application/octet-stream', { contentEncoding: 'gzip, gzip, gzip, gzip', budgets: { maxDepth: 3 } }));
    assert.equal(refused.code, 'body_uninspectable');
    assert.match(refused.detail, /nests 4 codings/);
  });

  test('ZIP inside ZIP inside ZIP inside gzip is refused past a depth budget of 3', async () => {
    const inner = zip([{ name: 'note.txt', bytes: utf8('hello') }], 'deflated');
    const middle = zip([{ name: 'inner.zip', bytes: inner }], 'deflated');
    const outer = zip([{ name: 'middle.zip', bytes: middle }], 'deflated');
    const refused = await refusal(gzipSync(outer), options('application/zip', { contentEncoding: 'gzip', budgets: { maxDepth: 3 } }));
    assert.equal(refused.code, 'body_uninspectable');
    assert.match(refused.detail, /nested 4 layers deep/);
    const allowed = await inspect(gzipSync(outer), options('application/zip', { contentEncoding: 'gzip' }), 'random');
    assert.equal(allowed.error, undefined, 'the default depth inspects it');
  });
});

describe('what cannot be inspected is refused, not waved through', () => {
  for (const coding of ['compress', 'x-custom']) {
    test(`Content-Encoding ${coding}`, () => {
      const refused = refusedAtOnce(options('application/json', { contentEncoding: coding }));
      assert.equal(refused.code, 'media_refused');
      assert.match(refused.detail, new RegExp(`"${coding}" cannot be inspected`));
    });
  }

  test('Content-Encoding br works with an injected decoder, and without one only where the runtime has it', async () => {
    const body = brotliCompressSync(png.bytes);
    if (runtimeDecodes('br')) {
      assert.ok(isMediaRefusal((await inspect(body, options('application/octet-stream', { contentEncoding: 'br' }))).error));
    } else {
      assert.match(refusedAtOnce(options('application/octet-stream', { contentEncoding: 'br' })).detail, /"br" cannot be inspected/);
    }
  });

  test('a body that is not valid gzip is refused as a bad request', async () => {
    const refused = await refusal(utf8('this is not gzip at all, just text'), options('text/plain', { contentEncoding: 'gzip' }));
    assert.equal(refused.code, 'bad_request');
    assert.match(refused.detail, /not valid gzip/);
  });

  test('JSON that is not valid UTF-8 is refused with the offset', async () => {
    const body = utf8('{"name":"caf\u00e9","note":"ok"}');
    const broken = new Uint8Array([...body.subarray(0, 12), 0xe9, ...body.subarray(14)]);
    const refused = await refusal(broken, options('application/json'));
    assert.equal(refused.code, 'bad_request');
    assert.match(refused.detail, /not valid UTF-8 at byte 12/);
  });

  test('text in an ASCII-compatible charset, and binary bodies, are not held to UTF-8', async () => {
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9]);
    assert.deepEqual((await inspect(latin1, options('text/plain; charset=iso-8859-1'))).output, latin1);
    assert.deepEqual((await inspect(latin1, options('application/octet-stream'))).output, latin1);
  });

  test('text declared in UTF-16 or UTF-32 is decoded and inspected, and stored as sent', async () => {
    const shot = JSON.stringify({ shot: `data:image/png;base64,${Buffer.from(png.bytes).toString('base64')}` });
    const chat = JSON.stringify({ text: '\u4f60\u597d, a chat in several scripts: caf\u00e9 \ud83d\ude42' });
    for (const charset of ['utf-16le', 'utf-16be', 'utf-16', 'utf-32le', 'utf-32be']) {
      const encode = (text: string): Uint8Array => wide(text, charset);
      const refused = await refusal(encode(shot), options(`application/json; charset=${charset}`));
      assert.ok(isMediaRefusal(refused), `${charset}: ${refused.detail}`);
      // a body that starts with characters outside ASCII still follows the declared charset
      assert.ok(isMediaRefusal(await refusal(encode(`\u4f60\u597d${shot}`), options(`text/plain; charset=${charset}`))), charset);
      const passed = await inspect(encode(chat), options(`application/json; charset=${charset}`), 'random');
      assert.deepEqual(passed.output, encode(chat), charset);
    }
  });

  test('text in a charset that is neither ASCII-compatible nor UTF-16/32 is refused before reading', () => {
    assert.match(refusedAtOnce(options('text/plain; charset=utf-7')).detail, /charset "utf-7" cannot be inspected/);
  });

  test('an encrypted ZIP entry is refused', async () => {
    const archive = zip([{ name: 'secret.bin', bytes: utf8('hidden') }], 'stored');
    archive[6] = 0x01; // general purpose flag: encrypted
    assert.match((await refusal(archive, options('application/zip'))).detail, /"secret.bin" at byte 0 is encrypted/);
  });

  test('a ZIP entry with a compression method the gateway cannot open is refused', async () => {
    const archive = zip([{ name: 'data.bin', bytes: utf8('imploded, once') }], 'stored');
    archive[8] = 6; // implode
    assert.match((await refusal(archive, options('application/zip'))).detail, /compression method 6/);
  });

  test('a ZIP entry of bzip2 (method 12) that is not bzip2 data is refused', async () => {
    const archive = zip([{ name: 'data.bz2', bytes: utf8('BZh91AY&SY') }], 'stored');
    archive[8] = 12;
    assert.match((await refusal(archive, options('application/zip'))).detail, /bzip2 data is truncated/);
  });

  test('multipart without a boundary is a bad request', () => {
    assert.equal(refusedAtOnce(options('multipart/form-data')).code, 'bad_request');
  });

  test('a multipart part that declares an image is refused whatever its bytes', async () => {
    const form = multipart([{ headers: 'Content-Disposition: form-data; name="f"\r\nContent-Type: image/png', body: utf8('not really a png') }]);
    const refused = await refusal(form.body, options(form.contentType));
    assert.ok(isMediaRefusal(refused));
    assert.match(refused.detail, /^image\/png image declared for multipart part 1/);
  });

  test('multipart part headers without end are refused', async () => {
    const form = multipart([{ headers: `X-Long: ${'a'.repeat(20_000)}`, body: utf8('x') }]);
    assert.match((await refusal(form.body, options(form.contentType))).detail, /headers of multipart part 1 are longer/);
  });
});

describe('streaming', () => {
  for (const embeddedMedia of ['refuse', 'redact'] as const) {
    test(`output flows before the body has ended (${embeddedMedia}): nothing waits for the whole body`, async () => {
      const { stream } = createInspection(options('application/json', { embeddedMedia }));
      const writer = stream.writable.getWriter();
      const reader = stream.readable.getReader();
      let received = 0;
      const reading = (async () => {
        for (let next = await reader.read(); !next.done; next = await reader.read()) received += next.value.length;
      })();
      const chunk = utf8(chatText(64 * 1024).slice(0, 64 * 1024));
      for (let i = 0; i < 32; i++) {
        await writer.write(chunk);
        if (i === 8) {
          await new Promise((resolve) => setImmediate(resolve));
          assert.ok(received >= 64 * 1024, `only ${received} bytes out after 9 chunks in`);
        }
      }
      await writer.close();
      await reading;
      assert.equal(received, 32 * chunk.length);
    });
  }

  test('a decoder that has finished is let go of: stopping stops only those still running', async () => {
    // a recording may hold thousands of packed strings, each inflated by a decoder of its own
    const context = new InspectionContext(DEFAULT_BUDGETS);
    const stopped: string[] = [];
    context.track(Promise.resolve(), () => stopped.push('finished'));
    let finish = (): void => undefined;
    context.track(new Promise<void>((resolve) => (finish = resolve)), () => stopped.push('running'));
    await new Promise((resolve) => setImmediate(resolve));
    context.stopAll();
    assert.deepEqual(stopped, ['running']);
    finish();
    await context.settle();
  });

  test('media found mid-stream errors both sides of the transform', async () => {
    const { stream } = createInspection(options('application/json'));
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    const reading = (async () => {
      while (!(await reader.read()).done);
    })();
    const writing = (async () => {
      for (let i = 0; i < 20; i++) await writer.write(utf8(`[${chatText(64 * 1024)}`));
      await writer.write(utf8(`,"data:image/png;base64,${Buffer.from(png.bytes).toString('base64')}"]`));
      for (let i = 0; i < 5; i++) await writer.write(utf8(' '.repeat(64 * 1024)));
      await writer.close();
    })();
    await assert.rejects(reading, (error) => isMediaRefusal(error) && /PNG image in a data: URL at byte \d+/.test(error.detail));
    await assert.rejects(writing, (error) => isMediaRefusal(error));
  });
});

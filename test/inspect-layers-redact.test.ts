import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTION_MARKER } from '../src/media/inspect.ts';
import { fixtures, inspect, utf8, type Chunking } from './helpers/inspect-stream.ts';
import { base64, mediaTypeOf } from './helpers/wrappings.ts';

/**
 * Redaction removes every byte of embedded media however its base64 is
 * folded: no 16-character window of the media's base64, and no 8-byte
 * window of its raw bytes, survives in what is stored.
 */

const MEDIA = fixtures('media').filter((file) => ['image.png', 'image.jpg', 'audio.wav', 'video.webm'].includes(file.name));

const FOLDS: Readonly<Record<string, string>> = {
  'CRLF every 76': '\r\n',
  'CRLF and a tab every 76': '\r\n\t',
  'LF and spaces every 76': '\n    ',
  'a space every 76': ' ',
  'a space every 64': ' ',
};
const foldEvery = (text: string, fold: string, width: number): string => text.replace(new RegExp(`.{${width}}(?=.)`, 'g'), `$&${fold}`);
const widthOf = (name: string): number => (name.endsWith('64') ? 64 : 76);

/** Where folded base64 is carried: the document around it, and its content type. */
const CARRIERS: Readonly<Record<string, (folded: string, type: string) => { document: string; contentType: string }>> = {
  'bare base64 in text': (folded) => ({
    document: `kept: the attachment follows\r\n${folded}\r\n-- kept after the attachment --\r\n`,
    contentType: 'text/plain',
  }),
  'bare base64 in a JSON string': (folded) => ({
    document: JSON.stringify({ before: 'kept', blob: folded, after: 'kept too' }),
    contentType: 'application/json',
  }),
  'a data: URL in a JSON string': (folded, type) => ({
    document: JSON.stringify({ before: 'kept', src: `data:${type};base64,${folded}`, after: 'kept too' }),
    contentType: 'application/json',
  }),
  'a data: URL in an HTML attribute': (folded, type) => ({
    document: `<p>kept</p><img src="data:${type};base64,${folded}" alt="x"><p>kept too</p>`,
    contentType: 'text/html',
  }),
  'an unquoted data: URL in text': (folded, type) => ({
    document: `see data:${type};base64,${folded}\r\n\r\nkept after a blank line`,
    contentType: 'text/plain',
  }),
};

/** Every `size`-long window of `whole` that is found in `output`. */
function survivingWindows(whole: Uint8Array | string, output: Uint8Array | string, size: number): number {
  let found = 0;
  if (typeof whole === 'string' && typeof output === 'string') {
    for (let at = 0; at + size <= whole.length; at++) if (output.includes(whole.slice(at, at + size))) found++;
    return found;
  }
  const haystack = Buffer.from(output as Uint8Array);
  for (let at = 0; at + size <= whole.length; at++) if (haystack.includes(Buffer.from((whole as Uint8Array).subarray(at, at + size)))) found++;
  return found;
}

describe('redaction leaves nothing of folded base64', () => {
  for (const [carrier, carry] of Object.entries(CARRIERS)) {
    for (const [foldName, fold] of Object.entries(FOLDS)) {
      test(`${carrier}, folded by ${foldName}`, async () => {
        for (const file of MEDIA) {
          const encoded = base64(file.bytes);
          const { document, contentType } = carry(foldEvery(encoded, fold, widthOf(foldName)), mediaTypeOf(file.name));
          const outputs = new Set<string>();
          for (const chunking of ['whole', 7, 'random'] as Chunking[]) {
            const result = await inspect(utf8(document), { contentType, contentEncoding: '', embeddedMedia: 'redact' }, chunking);
            assert.equal(result.error, undefined, `${file.name}: ${String(result.error)}`);
            assert.equal(result.redactions, 1, file.name);
            const output = new TextDecoder().decode(result.output);
            assert.ok(output.includes(REDACTION_MARKER), file.name);
            assert.equal(survivingWindows(encoded, output, 16), 0, `${file.name}: base64 of the media survives: ${output.slice(0, 300)}`);
            assert.equal(survivingWindows(file.bytes, result.output!, 8), 0, `${file.name}: raw bytes of the media survive`);
            assert.match(output, /kept/, 'the text around it is kept');
            outputs.add(output);
          }
          assert.equal(outputs.size, 1, `${file.name}: redaction differs between chunkings`);
        }
      });
    }
  }

  test('text after a redacted run is kept: a short word after a fold is not base64', async () => {
    const png = MEDIA.find((file) => file.name === 'image.png')!;
    const result = await inspect(utf8(`Screenshot: ${base64(png.bytes)} and then more words`), {
      contentType: 'text/plain',
      contentEncoding: '',
      embeddedMedia: 'redact',
    });
    assert.equal(new TextDecoder().decode(result.output), `Screenshot: ${REDACTION_MARKER} and then more words`);
  });
});

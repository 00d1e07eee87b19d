import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMediaRefusal } from '../src/media/inspect.ts';
import { readFileSync } from 'node:fs';
import { inspect, options } from './helpers/inspect-stream.ts';

/**
 * Frame streams whose frames are long (a 320 kbit/s MP3 has 1 KiB frames and
 * is confirmed only over several of them): wrapped in base64 or hex, the
 * decoded run must be read as far as a raw body would be before it is judged.
 */
// Made by ffmpeg: sine=sample_rate=44100:duration=1, libmp3lame -b:a 320k -write_xing 0 -id3v2_version 0.
// Kept apart from test/fixtures/media: mid-stream (after other content) its frames are longer than the scanner's look-back.
const mp3 = { bytes: new Uint8Array(readFileSync(new URL('./fixtures/long-frames/audio-320k-noid3.mp3', import.meta.url))) };
const base64 = Buffer.from(mp3.bytes).toString('base64');

const wrappings: Array<[string, string, string]> = [
  ['raw', 'application/octet-stream', Buffer.from(mp3.bytes).toString('latin1')],
  ['base64 in a JSON string', 'application/json', JSON.stringify({ blob: base64 })],
  ['a data: URL in JSON', 'application/json', JSON.stringify({ src: `data:audio/mpeg;base64,${base64}` })],
  ['base64 folded every 76 characters', 'text/plain', base64.replace(/.{76}/g, '$&\r\n')],
  ['hex in JSON', 'application/json', JSON.stringify({ hex: Buffer.from(mp3.bytes).toString('hex') })],
];

for (const [name, contentType, body] of wrappings) {
  for (const chunking of ['whole', 7] as const) {
    test(`a 320 kbit/s MP3 without ID3, ${name} (${chunking}): refused as audio, nothing passes`, async () => {
      const bytes = name === 'raw' ? Buffer.from(body, 'latin1') : new TextEncoder().encode(body);
      const result = await inspect(bytes, options(contentType), chunking);
      assert.ok(isMediaRefusal(result.error), `stored: ${String(result.error)}`);
      assert.equal(result.error.finding.kind, 'audio');
      assert.equal(result.output, undefined);
    });
  }
}

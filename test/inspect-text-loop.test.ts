import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRefusal } from '../src/policy/refusal.ts';
import { inspect, options } from './helpers/inspect-stream.ts';

/**
 * The text loop reads eight bytes a step and counts a run of base64
 * alphabet a block at a time; a run must still be decided at its
 * MIN_RUN_CHARS-th byte wherever the blocks fall. Short base64 strings (16
 * to 24 characters: only the media sniff of their start sees them) are put
 * at every offset modulo the block, after a run of words, so that the run's
 * decision falls in a block that begins with its last characters and ends
 * with other bytes. The first version of counting runs a block at a time
 * (6b512f4) skipped that decision, and PNG starts in these layouts were stored.
 */

const encoder = new TextEncoder();
/** Base64 of the first bytes of a PNG (signature and IHDR) and a JPEG (SOI, APP0 JFIF). */
const MEDIA_STARTS = { png: 'iVBORw0KGgoAAAANSUhEUg', 'png, longer': 'iVBORw0KGgoAAAANSUhEUgAA', jpeg: '/9j/4AAQSkZJRgABAQ' };
/** Alphabet bytes before the string (a comma between), so that a run is counted before it. */
const LEADS = ['', 'x', 'ab', 'Longword'];

const body = (run: string, shift: number, lead: string): Uint8Array =>
  encoder.encode(`{"pad":"${'a '.repeat(shift >> 1)}${shift & 1 ? 'z' : ''}","v":"${lead ? `${lead},` : ''}${run}","n":1}`);

describe('text loop: short base64 at every offset of its blocks', () => {
  for (const [name, run] of Object.entries(MEDIA_STARTS)) {
    it(`refuses ${name} base64 after 0 to 23 bytes of padding, with and without a word before it`, async () => {
      for (let shift = 0; shift < 24; shift++) {
        for (const lead of LEADS) {
          const result = await inspect(body(run, shift, lead), options('application/json'));
          assert.equal(result.output, undefined, `shift ${shift}, lead '${lead}': stored`);
          assert.ok(isRefusal(result.error) && result.error.code === 'media_refused', `shift ${shift}, lead '${lead}': ${String(result.error)}`);
        }
      }
    });
  }

  it('stores the same layouts byte-identical with a word of the same length that is not media', async () => {
    for (const run of ['ABCDEFGHIJKLMNOPQRSTUV', 'abcdefghijklmnopqrstuvwx', 'Zm9vYmFyYmF6cXV1eA']) {
      for (let shift = 0; shift < 24; shift++) {
        for (const lead of LEADS) {
          const bytes = body(run, shift, lead);
          const result = await inspect(bytes, options('application/json'));
          assert.deepEqual(result.output, bytes, `shift ${shift}, lead '${lead}': ${String(result.error)}`);
        }
      }
    }
  });
});

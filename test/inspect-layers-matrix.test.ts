import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMediaRefusal, runtimeDecodes } from '../src/media/inspect.ts';
import { isRefusal } from '../src/policy/refusal.ts';
import { inspect, type Chunking, type InspectionResult } from './helpers/inspect-stream.ts';
import { BENIGN_CONTENT, LAYER_WRAPPINGS, MATRIX_MEDIA, MEDIA_NAMES, UNINSPECTABLE } from './helpers/layers-wrappings.ts';
import type { Payload } from './helpers/wrappings.ts';

/**
 * Issue 11's matrix: every layer a body can be disguised in, by its bytes
 * and whatever its headers say, times the media that co-browsing produces.
 * Every cell is refused and nothing reaches the store; the same wrappings
 * of benign content pass byte-identical; what cannot be inspected to its
 * last byte is refused with 422.
 */

const CHUNKINGS: Chunking[] = ['whole', 7, 'random'];

/** The inspection's verdict, including a refusal it makes before reading (a coding this runtime cannot judge). */
const run = async (payload: Payload, chunking: Chunking): Promise<InspectionResult> => {
  try {
    return await inspect(payload.body, { contentType: payload.contentType, contentEncoding: payload.contentEncoding, embeddedMedia: 'refuse' }, chunking);
  } catch (error) {
    return { error, redactions: 0 };
  }
};

/** A br body where the runtime cannot judge br (Node 22, workerd) is refused unread: nothing is stored either way. */
const refusedUnread = (payload: { contentEncoding?: string }): boolean => payload.contentEncoding === 'br' && !runtimeDecodes('br');

test('the matrix has every media kind it promises', () => {
  assert.deepEqual(MATRIX_MEDIA.map((file) => file.name).sort(), [...MEDIA_NAMES].sort());
});

describe('media in every layer is refused (415), whatever the chunking', () => {
  for (const [wrapping, wrap] of Object.entries(LAYER_WRAPPINGS)) {
    describe(wrapping, () => {
      for (const file of MATRIX_MEDIA) {
        test(file.name, async () => {
          const payload = wrap(file);
          const details = new Set<string>();
          for (const chunking of CHUNKINGS) {
            const result = await run(payload, chunking);
            assert.equal(result.output, undefined, 'nothing may reach the store');
            if (refusedUnread(payload)) {
              assert.ok(isRefusal(result.error), `${chunking}: br must be refused unread here`);
              assert.equal(result.error.code, 'media_refused');
              details.add(result.error.detail);
              continue;
            }
            assert.ok(isMediaRefusal(result.error), `${chunking}: expected media_refused, got ${String(result.error)}`);
            assert.equal(result.error.status, 415);
            details.add(result.error.detail);
          }
          assert.equal(details.size, 1, `verdicts differ between chunkings: ${[...details].join(' | ')}`);
        });
      }
    });
  }
});

describe('benign content in the same layers passes byte-identical', () => {
  for (const [wrapping, wrap] of Object.entries(LAYER_WRAPPINGS)) {
    test(wrapping, async () => {
      for (const file of BENIGN_CONTENT) {
        const payload = wrap(file);
        for (const chunking of CHUNKINGS) {
          const result = await run(payload, chunking);
          if (refusedUnread(payload)) {
            assert.ok(
              isRefusal(result.error) && result.error.code === 'media_refused' && result.output === undefined,
              `${file.name}: br must be refused unread here`,
            );
            continue;
          }
          assert.equal(result.error, undefined, `${file.name} (${chunking}): ${String(result.error)}`);
          assert.deepEqual(result.output, payload.body, `${file.name} must be stored as sent`);
        }
      }
    });
  }
});

describe('what cannot be inspected to its last byte is refused (422), never stored unseen', () => {
  for (const [what, wrap] of Object.entries(UNINSPECTABLE)) {
    test(what, async () => {
      const payload = wrap(BENIGN_CONTENT[0]!.bytes);
      for (const chunking of CHUNKINGS) {
        const result = await run(payload, chunking);
        assert.equal(result.output, undefined, 'nothing may reach the store');
        assert.ok(isRefusal(result.error), `${chunking}: expected a refusal, got ${String(result.error)}`);
        if (refusedUnread(payload)) {
          assert.equal(result.error.code, 'media_refused', result.error.detail);
          continue;
        }
        assert.equal(result.error.code, 'body_uninspectable', result.error.detail);
        assert.equal(result.error.status, 422);
      }
    });
  }
});

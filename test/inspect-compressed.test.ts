import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMediaRefusal } from '../src/media/inspect.ts';
import { BZIP2 } from '../src/media/layers/bzip2.ts';
import { UninspectableLayer, type LayerKind, type LayerLimits, type LayerOutput, type LayerStream } from '../src/media/layers/layer.ts';
import { LZMA_ALONE } from '../src/media/layers/lzma.ts';
import { XZ } from '../src/media/layers/xz.ts';
import { ZSTD } from '../src/media/layers/zstd.ts';
import { entryDecoder, localHeaderAt, type ZipEntry } from '../src/media/zip.ts';
import { isRefusal } from '../src/policy/refusal.ts';
import { compressed } from './helpers/compressed.ts';
import { concat, fixtures, inspect, utf8 } from './helpers/inspect-stream.ts';
import { crc32 } from './helpers/zlib.ts';
import { BENIGN_CONTENT, MATRIX_MEDIA, zstdSync } from './helpers/layers-wrappings.ts';

/**
 * The bzip2, xz and lzma layers (issue 11): each decoder alone against files
 * made by the real tools, then what the inspector makes of what they decode
 * and of what follows them. The matrix (inspect-layers-matrix, and
 * inspect-workers in workerd) wraps every media file in them.
 */

const LIMITS: LayerLimits = { maxMemoryBytes: 16 * 1024 * 1024 };
const KINDS = { bz2: BZIP2, xz: XZ, lzma: LZMA_ALONE } as const;
const CONTENTS = [...MATRIX_MEDIA, ...BENIGN_CONTENT];
const notes = BENIGN_CONTENT.find((file) => file.name === 'notes.txt')!.bytes;
const png = fixtures('media').find((file) => file.name === 'image.png')!.bytes;

type Open = (output: LayerOutput, limits: LayerLimits) => LayerStream;

/** Runs a decoder over `input` in `size`-byte chunks: what it handed on and where it said its data ended. */
function decode(open: Open, input: Uint8Array, size: number, limits = LIMITS): { data: Uint8Array; endedAt: number } {
  const pieces: Uint8Array[] = [];
  const stream = open({ data: (bytes) => pieces.push(bytes.slice()), field: () => assert.fail('these formats have no side fields') }, limits);
  for (let at = 0; at < input.length && stream.endedAt < 0; at += size) stream.write(input.subarray(at, at + size));
  if (stream.endedAt < 0) stream.finish();
  return { data: concat(pieces), endedAt: stream.endedAt };
}

const openOf = (kind: LayerKind): Open => kind.open.bind(kind);
const zeros = (length: number): Uint8Array => new Uint8Array(length);

describe('each decoder alone', () => {
  for (const [format, kind] of Object.entries(KINDS)) {
    test(`${format}: every fixture is recognised and decodes to the content it was made from, in any chunking`, () => {
      for (const file of CONTENTS) {
        const input = compressed(file.name, format as keyof typeof KINDS);
        assert.ok(kind.recognise(input, 0, input.length), `${file.name}.${format} is not recognised`);
        for (const size of [1, 7, 4096]) {
          const { data, endedAt } = decode(openOf(kind), input, size);
          assert.deepEqual(data, file.bytes, `${file.name}.${format} in ${size}-byte chunks`);
          assert.ok(endedAt === -1 || endedAt === input.length, `${file.name}.${format}: no bytes follow, yet it ended at ${endedAt}`);
        }
      }
    });
  }

  test('xz: several blocks, each check type (none, CRC32, CRC64, SHA-256), sizes in the block headers', () => {
    for (const name of ['notes-blocks.xz', 'notes-check-none.xz', 'notes-check-crc32.xz', 'notes.txt.xz', 'notes-check-sha256.xz', 'notes-sizes.xz']) {
      for (const size of [1, 5, 4096]) assert.deepEqual(decode(openOf(XZ), compressed(name), size).data, notes, `${name} in ${size}-byte chunks`);
    }
  });

  test('bzip2: concatenated streams decode as one; the data ends where bytes that are not another stream begin', () => {
    const first = compressed('chat.json', 'bz2');
    const second = compressed('image.png', 'bz2');
    for (const size of [1, 3, 4096]) {
      const { data, endedAt } = decode(openOf(BZIP2), concat([first, second, utf8('BZh9 and then text')]), size);
      assert.deepEqual(data, concat([BENIGN_CONTENT[0]!.bytes, png]));
      assert.equal(endedAt, first.length + second.length);
    }
  });

  test('xz: streams with stream padding between them decode as one; padding not in fours, or other bytes, end the data', () => {
    const first = compressed('chat.json', 'xz');
    const second = compressed('image.png', 'xz');
    for (const size of [1, 5, 4096]) {
      assert.deepEqual(decode(openOf(XZ), concat([first, zeros(8), second, zeros(4)]), size), { data: concat([BENIGN_CONTENT[0]!.bytes, png]), endedAt: -1 });
      assert.equal(decode(openOf(XZ), concat([first, zeros(4), utf8('text')]), size).endedAt, first.length + 4);
      assert.equal(decode(openOf(XZ), concat([first, zeros(3), utf8('text')]), size).endedAt, first.length);
      assert.equal(decode(openOf(XZ), concat([first, zeros(6)]), size).endedAt, first.length + 4);
      // the start of something that is not a stream header
      assert.equal(decode(openOf(XZ), concat([first, Uint8Array.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 0, 9)]), size).endedAt, first.length);
    }
  });

  test('lzma: the data ends at its end marker', () => {
    const input = compressed('notes.txt', 'lzma');
    for (const size of [1, 7, 4096]) assert.deepEqual(decode(openOf(LZMA_ALONE), concat([input, png]), size), { data: notes, endedAt: input.length });
  });

  test('a bomb stops decoding as soon as its output is refused', () => {
    for (const [name, kind] of [
      ['zeros.bz2', BZIP2],
      ['zeros.xz', XZ],
      ['zeros.lzma', LZMA_ALONE],
    ] as const) {
      let pieces = 0;
      let bytes = 0;
      const stream = kind.open(
        {
          data: (piece) => {
            pieces++;
            bytes += piece.length;
            return false;
          },
          field: () => undefined,
        },
        LIMITS,
      );
      const input = compressed(name);
      stream.write(input);
      stream.write(input);
      stream.finish();
      assert.equal(pieces, 1, `${name} went on after its output was refused`);
      // a piece is 64 KiB, and the match that crossed that mark
      assert.ok(bytes <= 64 * 1024 + 273, `${name} handed on ${bytes} bytes at once`);
    }
  });

  test('memory: what a layer would need beyond its budget is refused before decoding', () => {
    const small: LayerLimits = { maxMemoryBytes: 1024 * 1024 };
    // bzip2 -9 blocks (900 kB) need 3.6 MB of transform state; -1 blocks fit
    assert.throws(() => decode(openOf(BZIP2), compressed('notes.txt', 'bz2'), 4096, small), UninspectableLayer);
    // xz's 8 MiB dictionary, unless a block header says the block is smaller
    assert.throws(() => decode(openOf(XZ), compressed('notes.txt', 'xz'), 4096, small), /8388608-byte dictionary/);
    assert.deepEqual(decode(openOf(XZ), compressed('notes-sizes.xz'), 4096, small).data, notes);
    assert.throws(() => decode(openOf(LZMA_ALONE), compressed('notes.txt', 'lzma'), 4096, small), UninspectableLayer);
    // 64 MiB dictionaries (xz -9) are over the default budget
    assert.throws(() => decode(openOf(XZ), compressed('notes-dict64m.xz'), 4096), /67108864-byte dictionary/);
    assert.throws(() => decode(openOf(LZMA_ALONE), compressed('notes-dict64m.lzma'), 4096), /67108864-byte dictionary/);
  });

  test('xz: a block must decode to the sizes its header declares (they size its dictionary)', () => {
    const input = compressed('notes-sizes.xz');
    // the first block header: size byte, flags (both sizes), compressed size 92, uncompressed size 1000 (e8 07), LZMA2, padding, CRC32
    assert.deepEqual([...input.subarray(12, 18)], [0x03, 0xc0, 0x5c, 0xe8, 0x07, 0x21]);
    const declaring = (at: number, value: number): Uint8Array => {
      const changed = input.slice();
      changed[at] = value;
      new DataView(changed.buffer).setUint32(24, crc32(changed.subarray(12, 24)), true);
      return changed;
    };
    for (const [what, changed] of [
      ['fewer decoded bytes', declaring(15, 0xe7)],
      ['more decoded bytes', declaring(15, 0xe9)],
      ['more compressed bytes', declaring(14, 0x5d)],
    ] as const) {
      assert.throws(() => decode(openOf(XZ), changed, 7), /sizes its header declares|more than its header declares/, what);
    }
  });

  for (const format of ['bz2', 'xz'] as const) {
    test(`${format}: a changed byte anywhere is refused, or changes nothing decoded (its checks see to that)`, () => {
      const input = compressed('notes.txt', format);
      let refused = 0;
      for (let at = 0; at < input.length; at++) {
        const changed = input.map((byte, i) => (i === at ? byte ^ 0x04 : byte));
        try {
          const { data } = decode(openOf(KINDS[format]), changed, 4096);
          assert.deepEqual(data, notes, `a change at byte ${at} decoded to other content without a refusal`);
        } catch (error) {
          if (error instanceof assert.AssertionError) throw error;
          refused++;
        }
      }
      assert.ok(refused > input.length / 2, `only ${refused} of ${input.length} changes were refused`);
    });
  }

  for (const format of ['bz2', 'xz', 'lzma'] as const) {
    test(`${format}: every truncation is refused as uninspectable`, () => {
      const input = compressed('notes.txt', format);
      for (let length = 14; length < input.length; length++) {
        assert.throws(() => decode(openOf(KINDS[format]), input.subarray(0, length), 7), UninspectableLayer, `${format} cut at ${length} bytes`);
      }
    });
  }
});

describe('ZIP members compressed with bzip2 (method 12) and LZMA (method 14)', () => {
  /** The first entry of a ZIP, its decoder and its compressed bytes. */
  function member(zip: Uint8Array): { entry: ZipEntry; open: Open; data: Uint8Array } {
    const entry = localHeaderAt(zip, 0, zip.length)!;
    const open = entryDecoder(entry);
    assert.ok(open, `method ${entry.method} has no decoder`);
    return { entry, open, data: zip.subarray(entry.dataStart, entry.dataStart + entry.compressedSize!) };
  }

  test("Python's zipfile members decode to their content", () => {
    for (const file of CONTENTS) {
      for (const [format, method] of [
        ['bzip2.zip', 12],
        ['lzma.zip', 14],
      ] as const) {
        const { entry, open, data } = member(compressed(file.name, format));
        assert.equal(entry.method, method);
        for (const size of [1, 4096]) assert.deepEqual(decode(open, data, size).data, file.bytes, `${file.name}.${format}`);
      }
    }
  });

  test("an LZMA member without an end marker (7-Zip's -meos=off) ends at its declared size", () => {
    const zip = compressed('notes-no-end-marker.lzma.zip');
    const { entry, open, data } = member(zip);
    assert.equal(entry.endMarker, false);
    for (const size of [1, 7, 4096]) assert.deepEqual(decode(open, concat([data, utf8('PK')]), size), { data: notes, endedAt: data.length });
  });

  test('an LZMA member that has an end marker though none is announced ends after it', () => {
    const zip = compressed('notes.txt', 'lzma.zip').slice();
    zip[6]! &= ~0x02;
    const { entry, open, data } = member(zip);
    assert.equal(entry.endMarker, false);
    assert.deepEqual(decode(open, data, 7).data, notes);
  });

  test('an LZMA member with neither a size nor an end marker is refused', () => {
    const zip = compressed('notes.txt', 'lzma.zip').slice();
    zip[6] = (zip[6]! & ~0x02) | 0x08;
    const entry = localHeaderAt(zip, 0, zip.length)!;
    assert.throws(() => decode(entryDecoder(entry)!, zip.subarray(entry.dataStart, entry.dataStart + 200), 7), /neither a size nor an end marker/);
  });

  test('data labelled bzip2 that is not is refused, not passed over', () => {
    assert.throws(() => decode(entryDecoder({ ...member(compressed('notes.txt', 'bzip2.zip')).entry })!, utf8('{"not":"bzip2"}'), 7), UninspectableLayer);
  });

  test('stored entries and unknown methods have no decoder', () => {
    const entry = member(compressed('notes.txt', 'bzip2.zip')).entry;
    assert.equal(entryDecoder({ ...entry, method: 0 }), null);
    assert.equal(entryDecoder({ ...entry, method: 99 }), null);
  });
});

describe('what the inspector makes of them', () => {
  const run = (body: Uint8Array, contentType = 'application/octet-stream', budgets = {}) =>
    inspect(body, { contentType, contentEncoding: '', embeddedMedia: 'refuse', budgets }, 'random');

  for (const format of ['bz2', 'xz', 'lzma'] as const) {
    test(`${format}: media after the end of the stream is found; text after it is content, stored as sent`, async () => {
      const input = compressed('notes.txt', format);
      const withMedia = await run(concat([input, png]));
      assert.ok(isMediaRefusal(withMedia.error), `${format}: ${String(withMedia.error)}`);
      assert.match(withMedia.error.detail, /PNG image/);
      assert.equal(withMedia.output, undefined);
      const withText = concat([input, utf8('\n-- end of upload --\n')]);
      assert.deepEqual((await run(withText)).output, withText);
    });
  }

  test('a bzip2 block over maxLayerMemoryBytes is refused (422) and nothing is stored', async () => {
    const result = await run(compressed('notes.txt', 'bz2'), 'application/octet-stream', { maxLayerMemoryBytes: 2 * 1024 * 1024 });
    assert.ok(isRefusal(result.error) && result.error.code === 'body_uninspectable', String(result.error));
    assert.match(result.error.detail, /bzip2 blocks of 900000 bytes/);
    assert.equal(result.output, undefined);
  });

  test('a bomb is refused (422) by the expansion budget and nothing is stored', async () => {
    for (const name of ['zeros.bz2', 'zeros.xz', 'zeros.lzma']) {
      const result = await run(compressed(name));
      assert.ok(isRefusal(result.error) && result.error.code === 'body_uninspectable', `${name}: ${String(result.error)}`);
      assert.match(result.error.detail, /decompresses more than 200 times/);
      assert.equal(result.output, undefined);
    }
  });
});

describe('zstd frames are told from the magic number alone', () => {
  test("a table of magic numbers (libmagic's) is content, stored as sent; real frames are frames", async () => {
    // as in libmagic.so: the zstd magic, then the names of other compressors; read as a frame it would ask for a 40 MiB window
    const table = concat([Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0), utf8('zstd\0-cd\0lz4\0lrzip\0ZI\0'), Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0x7f, 0x45)]);
    assert.equal(ZSTD.recognise(table, 0, table.length), false);
    const body = concat([new Uint8Array(64).fill(0x90), table, new Uint8Array(64).fill(0x90)]);
    assert.deepEqual((await inspect(body, { contentType: 'application/octet-stream', contentEncoding: '', embeddedMedia: 'refuse' }, 7)).output, body);
    const random = new Uint8Array(300 * 1024).map((_, i) => (i * 2654435761) >>> 24);
    for (const content of [new Uint8Array(0), notes, random, new Uint8Array(300 * 1024)]) {
      const frame = zstdSync(content);
      assert.ok(ZSTD.recognise(frame, 0, frame.length), `a frame of ${content.length} bytes is not recognised`);
    }
  });
});

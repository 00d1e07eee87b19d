import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { layerAt } from '../src/media/layers/registry.ts';
import { UNOPENED } from '../src/media/layers/unopened/index.ts';
import { xxh32Short } from '../src/media/layers/unopened/xxhash32.ts';
import { isRefusal } from '../src/policy/refusal.ts';
import { concat, inspect, seededRandom, utf8, type Chunking, type InspectionResult } from './helpers/inspect-stream.ts';
import { gzipMember, MATRIX_MEDIA, tar } from './helpers/layers-wrappings.ts';
import { asBody, START_ONLY_UNOPENED, TEXT_FILE, UNOPENED_FORMATS } from './helpers/unopened-wrappings.ts';
import { base64, multipart, zip, type MediaFile, type Payload } from './helpers/wrappings.ts';

/**
 * Issue 11: compressed and archive formats the gateway recognises but does
 * not open are refused wherever content starts, and at any offset where
 * their magic and header are strong enough, whatever they hold, a text file
 * too: a body that cannot be inspected to its last byte is never stored.
 * Media that shows through stored data may be refused as media first.
 */

const CHUNKINGS: Chunking[] = ['whole', 1, 7, 'random'];

const run = (payload: Payload, chunking: Chunking): Promise<InspectionResult> =>
  inspect(payload.body, { contentType: payload.contentType, contentEncoding: payload.contentEncoding, embeddedMedia: 'refuse' }, chunking);

/** Refused as uninspectable (or as media, where it shows through), nothing stored, the same verdict in every chunking. */
async function assertRefused(payload: Payload, chunkings: readonly Chunking[], codes = ['body_uninspectable', 'media_refused']): Promise<string> {
  const details = new Set<string>();
  for (const chunking of chunkings) {
    const result = await run(payload, chunking);
    assert.equal(result.output, undefined, `${chunking}: nothing may reach the store`);
    assert.ok(isRefusal(result.error), `${chunking}: expected a refusal, got ${String(result.error)}`);
    assert.ok(codes.includes(result.error.code), `${chunking}: ${result.error.code}: ${result.error.detail}`);
    details.add(result.error.detail);
  }
  assert.equal(details.size, 1, `verdicts differ between chunkings: ${[...details].join(' | ')}`);
  return [...details][0]!;
}

async function assertStored(payload: Payload, chunkings: readonly Chunking[]): Promise<void> {
  for (const chunking of chunkings) {
    const result = await run(payload, chunking);
    assert.equal(result.error, undefined, `${chunking}: ${String(result.error)}`);
    assert.deepEqual(result.output, payload.body, `${chunking}: must be stored as sent`);
  }
}

const random = seededRandom(1111);
const randomBytes = (length: number): Uint8Array => Uint8Array.from({ length }, () => Math.floor(random() * 256));
const PREFIX = randomBytes(1024);

/** Where content starts, and where the bytes are merely somewhere in the body. */
const CONTEXTS: Readonly<Record<string, (packed: Uint8Array, file: MediaFile) => Payload>> = {
  'a multipart part': (packed, file) =>
    multipart([
      { headers: 'Content-Disposition: form-data; name="note"', body: utf8('see attachment') },
      { headers: `Content-Disposition: form-data; name="f"; filename="${file.name}.pack"`, body: packed },
    ]),
  'a stored ZIP entry': (packed, file) => asBody(zip([{ name: `${file.name}.pack`, bytes: packed }], 'stored'), 'application/zip'),
  'a deflated ZIP entry': (packed, file) => asBody(zip([{ name: `${file.name}.pack`, bytes: packed }], 'deflated'), 'application/zip'),
  'a tar member': (packed, file) => asBody(tar([{ name: `${file.name}.pack`, bytes: packed }]), 'application/x-tar'),
  'a gzip file': (packed) => asBody(gzipMember(packed)),
  'base64 in JSON': (packed) => asBody(utf8(JSON.stringify({ attachment: base64(packed) })), 'application/json'),
  'hex in JSON': (packed) => asBody(utf8(JSON.stringify({ blob: Buffer.from(packed).toString('hex') })), 'application/json'),
};
const ANYWHERE_CONTEXTS: Readonly<Record<string, (packed: Uint8Array) => Payload>> = {
  'after a text prefix': (packed) => asBody(concat([utf8('attachment follows:\n'), packed]), 'text/plain'),
  'after 1 KiB of random bytes': (packed) => asBody(concat([PREFIX, packed])),
  'after 1 KiB of random bytes, base64 in JSON': (packed) => asBody(utf8(JSON.stringify({ blob: base64(concat([PREFIX, packed])) })), 'application/json'),
};

const PNG = MATRIX_MEDIA.find((file) => file.name === 'image.png')!;

describe('media packed in a format that is not opened is refused, whatever the chunking', () => {
  for (const [format, pack] of Object.entries(UNOPENED_FORMATS)) {
    test(format, async () => {
      for (const file of MATRIX_MEDIA) await assertRefused(asBody(pack(file)), CHUNKINGS);
    });
  }
});

describe('a text file packed in them is refused too (422): it cannot be inspected to its last byte', () => {
  for (const [format, pack] of Object.entries(UNOPENED_FORMATS)) {
    test(format, async () => {
      const detail = await assertRefused(asBody(pack(TEXT_FILE)), CHUNKINGS, ['body_uninspectable']);
      assert.match(detail, /cannot be unpacked for inspection here/);
    });
  }
});

describe('where content starts: parts, entries, members, decoded layers', () => {
  for (const [context, wrap] of Object.entries(CONTEXTS)) {
    test(context, async () => {
      for (const [format, pack] of Object.entries(UNOPENED_FORMATS)) {
        await assertRefused(wrap(pack(TEXT_FILE), TEXT_FILE), ['whole', 7, 'random'], ['body_uninspectable']).catch((error: unknown) => {
          throw new Error(`${format}: ${String(error)}`);
        });
        await assertRefused(wrap(pack(PNG), PNG), ['whole', 'random']);
      }
    });
  }
});

describe('anywhere in a body, for the formats whose magic and header are strong enough', () => {
  for (const [context, wrap] of Object.entries(ANYWHERE_CONTEXTS)) {
    test(context, async () => {
      for (const [format, pack] of Object.entries(UNOPENED_FORMATS)) {
        if (START_ONLY_UNOPENED.includes(format)) continue;
        await assertRefused(wrap(pack(TEXT_FILE)), ['whole', 7, 'random'], ['body_uninspectable']).catch((error: unknown) => {
          throw new Error(`${format}: ${String(error)}`);
        });
      }
    });
  }
});

describe('their magic numbers by chance inside benign data are stored', () => {
  /** The first bytes of each format's header, as they may occur by chance: no valid header follows them. */
  const magics = Object.entries(UNOPENED_FORMATS).map(([format, pack]) => {
    const packed = pack(TEXT_FILE);
    const at = format.startsWith('LZH') ? 2 : 0;
    return { format, magic: packed.subarray(at, at + (START_ONLY_UNOPENED.includes(format) ? 5 : 4)) };
  });

  test('in random bytes, many times over', async () => {
    const parts: Uint8Array[] = [];
    for (let round = 0; round < 8; round++) for (const { magic } of magics) parts.push(randomBytes(97 + round), magic);
    await assertStored(asBody(concat(parts)), ['whole', 7, 'random']);
  });

  test('a whole compress (.Z) header after other bytes: three bytes of magic count only where content starts', async () => {
    const packed = UNOPENED_FORMATS['compress (.Z)']!(PNG);
    await assertStored(asBody(concat([randomBytes(300), packed.subarray(0, 64), randomBytes(300)])), ['whole', 7]);
  });

  test('in JSON text, as escapes and words', async () => {
    const text = magics
      .map(({ format, magic }) => `${format}: ${JSON.stringify(String.fromCharCode(...magic))} ${Buffer.from(magic).toString('hex')}`)
      .join('\n');
    await assertStored(
      asBody(utf8(JSON.stringify({ notes: text, python: "b'Rar!\\x1a\\x07\\x00' and b'7z\\xbc\\xaf\\x27\\x1c'" })), 'application/json'),
      CHUNKINGS,
    );
  });
});

describe('the recognisers alone', () => {
  test('each is recognised at the start of its real samples (LZH at its method id, 2 bytes in)', () => {
    for (const [format, pack] of Object.entries(UNOPENED_FORMATS)) {
      for (const file of [TEXT_FILE, ...MATRIX_MEDIA]) {
        const packed = pack(file);
        const at = format.startsWith('LZH') ? 2 : 0;
        const where = START_ONLY_UNOPENED.includes(format) ? 'start' : 'anywhere';
        assert.ok(UNOPENED.includes(layerAt(packed, at, packed.length, where)!), `${format} of ${file.name}`);
      }
    }
  });

  test('none is recognised at any offset of 4 MiB of random bytes', () => {
    const noise = randomBytes(4 * 1024 * 1024);
    for (let at = 0; at < noise.length; at++) {
      const layer = layerAt(noise, at, noise.length, 'anywhere');
      assert.ok(!layer || !UNOPENED.includes(layer), `${layer?.name} at ${at}`);
    }
  });

  test("lz4's descriptor checksum is xxHash32", () => {
    const text = (value: string): Uint8Array => utf8(value);
    assert.equal(xxh32Short(text(''), 0, 0), 0x02cc5d05);
    assert.equal(xxh32Short(text('a'), 0, 1), 0x550d7456);
    assert.equal(xxh32Short(text('abc'), 0, 3), 0x32d153ff);
    // the descriptor `lz4 --content-size` wrote for a 189-byte file, and its checksum byte
    const descriptor = Uint8Array.of(0x6c, 0x40, 0xbd, 0, 0, 0, 0, 0, 0, 0);
    assert.equal((xxh32Short(descriptor, 0, descriptor.length) >>> 8) & 0xff, 0x67);
  });
});

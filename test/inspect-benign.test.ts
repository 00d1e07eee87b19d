import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { benignContentType } from './helpers/benign-types.ts';
import { chunksOf, fixtures, inspect, seededRandom, utf8, type Chunking } from './helpers/inspect-stream.ts';
import { chatText, rrwebPack } from './helpers/wrappings.ts';
import { deflateSync, gzipSync } from './helpers/zlib.ts';

const BENIGN = fixtures('benign');

async function assertPassesUnchanged(body: Uint8Array, contentType: string, chunking: Chunking, contentEncoding = ''): Promise<void> {
  for (const embeddedMedia of ['refuse', 'redact'] as const) {
    const result = await inspect(body, { contentType, contentEncoding, embeddedMedia }, chunking);
    assert.equal(result.error, undefined, `refused (${embeddedMedia}): ${String(result.error)}`);
    assert.ok(result.output, 'no output');
    assert.equal(Buffer.compare(Buffer.from(result.output), Buffer.from(body)), 0, `output differs from input (${embeddedMedia})`);
    assert.equal(result.redactions, 0);
  }
}

describe('every benign fixture passes through byte-identical', () => {
  for (const { name, bytes } of BENIGN) {
    // byte-by-byte streaming costs milliseconds per kilobyte: done for the fixtures up to 64 KiB
    const chunkings: Chunking[] = bytes.length <= 64 * 1024 ? ['whole', 1, 7, 'random'] : ['whole', 7, 'random'];
    test(`${name}, in ${chunkings.join(', ')} chunks`, async () => {
      for (const chunking of chunkings) await assertPassesUnchanged(bytes, benignContentType(name), chunking);
    });
    test(`${name}, gzip and deflate Content-Encoding (stored as sent)`, async () => {
      await assertPassesUnchanged(gzipSync(bytes), benignContentType(name), 'random', 'gzip');
      await assertPassesUnchanged(deflateSync(bytes), benignContentType(name), 'random', 'deflate');
    });
  }

  test('the corpus holds every kind of body issue 11 lists, real where it says real', () => {
    const names = BENIGN.map(({ name }) => name);
    const count = (pattern: RegExp): number => names.filter((name) => pattern.test(name)).length;
    const startsWithBytes = (name: string, magic: readonly number[]): boolean =>
      magic.every((byte, i) => BENIGN.find((file) => file.name === name)!.bytes[i] === byte);
    assert.ok(count(/^elf-/) >= 5 && count(/^lib-.*\.so$/) >= 5, 'programs and shared libraries');
    for (const name of names.filter((name) => /^(elf-|lib-)/.test(name))) assert.ok(startsWithBytes(name, [0x7f, 0x45, 0x4c, 0x46]), `${name} is an ELF file`);
    assert.ok(count(/^font-/) >= 2, 'fonts');
    assert.ok(
      names.filter((name) => name.endsWith('.wasm')).every((name) => startsWithBytes(name, [0, 0x61, 0x73, 0x6d])) && count(/\.wasm$/) >= 1,
      'WebAssembly',
    );
    assert.ok(count(/\.min\.js$|^minified\.js$/) >= 3, 'minified bundles');
    for (const type of ['int16', 'int32', 'float32'])
      for (const order of ['le', 'be']) assert.ok(count(new RegExp(`^${type}-.*-${order}\\.bin$`)) >= 1, `${type} ${order}`);
    assert.ok(count(/^int32-small-negative-/) === 2, 'small negative int32 values');
    for (const pattern of [/\.csv$/, /\.log$/, /^chat-/, /^rrweb-/]) assert.ok(count(pattern) >= 1, String(pattern));
  });

  test('the chunkings really cut the body differently', () => {
    const body = utf8('x'.repeat(100));
    assert.equal([...chunksOf(body, 1)].length, 100);
    assert.equal([...chunksOf(body, 7)].length, 15);
    assert.ok([...chunksOf(new Uint8Array(50_000), 'random')].length > 5);
  });
});

describe('text that looks a little like media', () => {
  const texts: Record<string, string> = {
    'the names of formats': 'PNG, JPEG, GIF, WebP, BMP, TIFF, HEIC, AVIF, ICO, MP4, MOV, WebM, Ogg, WAV, AVI, MP3, AAC, FLAC, AMR, AIFF, FLV, MPEG-TS',
    'BMW and BM': 'BMW 320d, BM 42, BMP?',
    'GIF is': 'GIF is a format; GIF89a is its newer header; GIF87a the older one.',
    'ID3 tags': 'ID3 tags hold the title. ID3v2.4 too.',
    'FORMAT:': 'FORMAT: PNG\nFORMAT: MP4\n',
    'data: without media': 'data: none\ndata:text/plain,hello\nmetadata:image/png\n{"data":"image/png"}\ndata:image/png;base64,\ndata:image/png;base64,"',
    'magic numbers spelt out': 'RIFF....WAVEfmt , OggS, fLaC, ftypisom, #!AMR\n, FLV, \\x89PNG\\r\\n\\x1a\\n, ÿØÿà',
    'long words and identifiers':
      'Pneumonoultramicroscopicsilicovolcanoconiosis supercalifragilisticexpialidocious_and_more QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo',
    'hex digests': 'ffd8ffe000104a46494600010100 89504e470d0a1a0a0000000d49484452 474946383961',
    'G every 188 bytes': `G${'a'.repeat(187)}`.repeat(10),
    'x^2 and HKG strings': JSON.stringify(['x^2 + y^2', 'x\u0001y', 'HKG', 'x\u009cz']),
    'inline svg markup': '<div><svg viewBox="0 0 10 10"><path d="M0 0h10v10z"/></svg></div>',
    'a large chat log': chatText(512 * 1024),
  };
  for (const [name, text] of Object.entries(texts)) {
    test(name, async () => {
      await assertPassesUnchanged(utf8(text), 'text/plain; charset=utf-8', 'whole');
      await assertPassesUnchanged(utf8(text), 'application/json', 7);
    });
  }

  test('a packed rrweb event without media is decoded, scanned and passes', async () => {
    const body = utf8(JSON.stringify([rrwebPack({ type: 3, data: { source: 5, text: 'hello', id: 3 }, timestamp: 1 })]));
    await assertPassesUnchanged(body, 'application/json', 'random');
  });

  test('random bytes, as a binary body and as base64 runs, pass', async () => {
    const random = seededRandom(7);
    const bytes = Uint8Array.from({ length: 1024 * 1024 }, () => Math.floor(random() * 256));
    await assertPassesUnchanged(bytes, 'application/octet-stream', 'random');
    const runs = Array.from({ length: 2000 }, (_, i) =>
      Buffer.from(bytes.subarray(i * 400, i * 400 + 24 + (i % 300))).toString(i % 2 ? 'base64' : 'base64url'),
    );
    await assertPassesUnchanged(utf8(JSON.stringify(runs)), 'application/json', 'whole');
  });
});

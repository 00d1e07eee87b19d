import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HexDump } from '../src/media/hex-dumps.ts';
import { isMediaRefusal, type InspectionOptions } from '../src/media/inspect.ts';
import { isRefusal } from '../src/policy/refusal.ts';
import { base32, hexdumpC, hexLiterals, odHex, pythonRepr, quotedPrintable, uuencoded, xxd, xxdPlain } from './helpers/byte-spellings.ts';
import { concat, inspect, utf8, type Chunking } from './helpers/inspect-stream.ts';
import { BENIGN_CONTENT, BYTE_SPELLING_WRAPPINGS, MATRIX_MEDIA } from './helpers/layers-wrappings.ts';
import { base64, dataUrl } from './helpers/wrappings.ts';
import { ensureDebianPackages } from './helpers/debian.ts';

/**
 * Bytes spelt out in text (issue 11): lists of byte values, escaped
 * literals and hex dumps are layers, decoded into a nested scanner where
 * they start. The layers matrix runs them in whole, 7-byte and random
 * chunks (and in workerd); here they also go through 1 byte at a time, look-alikes
 * without media pass, the thresholds and budgets hold, and redaction,
 * which cannot rewrite part of these layers, refuses instead.
 */

const CHUNKINGS: Chunking[] = ['whole', 1, 7, 'random'];
const png = MATRIX_MEDIA.find((file) => file.name === 'image.png')!;

const refuse = (contentType: string): InspectionOptions => ({ contentType, contentEncoding: '', embeddedMedia: 'refuse' });
const redact = (contentType: string): InspectionOptions => ({ contentType, contentEncoding: '', embeddedMedia: 'redact' });

async function assertStoredAsSent(body: Uint8Array, contentType: string, chunkings: readonly Chunking[] = CHUNKINGS): Promise<void> {
  for (const options of [refuse(contentType), redact(contentType)]) {
    for (const chunking of chunkings) {
      const result = await inspect(body, options, chunking);
      assert.equal(result.error, undefined, `${options.embeddedMedia}, ${chunking}: ${String(result.error)}`);
      assert.deepEqual(result.output, body, `${options.embeddedMedia}, ${chunking}: must be stored as sent`);
      assert.equal(result.redactions, 0);
    }
  }
}

/** Refused as `code` in every chunking, with one detail, and nothing stored. */
async function assertRefused(body: Uint8Array, options: InspectionOptions, code: string): Promise<string> {
  const details = new Set<string>();
  for (const chunking of CHUNKINGS) {
    const result = await inspect(body, options, chunking);
    assert.equal(result.output, undefined, `${chunking}: nothing may reach the store`);
    assert.ok(isRefusal(result.error), `${chunking}: expected ${code}, got ${String(result.error)}`);
    assert.equal(result.error.code, code, result.error.detail);
    details.add(result.error.detail);
  }
  assert.equal(details.size, 1, `verdicts differ between chunkings: ${[...details].join(' | ')}`);
  return [...details][0]!;
}

/** The Debian packages of the tools the helpers imitate, installed when missing so that the comparison never skips. */
const TOOL_PACKAGES = { '/usr/bin/xxd': 'xxd', '/usr/bin/hexdump': 'bsdextrautils', '/usr/bin/od': 'coreutils', '/usr/bin/python3': 'python3' };

describe('the helpers spell bytes as the tools do', () => {
  const tools: Record<string, { program: string; args: string[]; spell: (bytes: Uint8Array) => string }> = {
    xxd: { program: 'xxd', args: [], spell: xxd },
    'xxd -p': { program: 'xxd', args: ['-p'], spell: xxdPlain },
    'hexdump -C': { program: 'hexdump', args: ['-C'], spell: hexdumpC },
    'od -An -tx1': { program: 'od', args: ['-An', '-tx1'], spell: odHex },
    'python3 repr': { program: 'python3', args: ['-c', 'import sys; sys.stdout.write(repr(open(sys.argv[1], "rb").read()))'], spell: pythonRepr },
    'python3 b2a_uu (as uuencode writes it)': {
      program: 'python3',
      args: [
        '-c',
        'import sys, binascii; d = open(sys.argv[1], "rb").read(); sys.stdout.buffer.write(b"begin 644 shot.bin\\n" + b"".join(binascii.b2a_uu(d[i:i + 45], backtick=True) for i in range(0, len(d), 45)) + b"`\\nend\\n")',
      ],
      spell: (bytes) => uuencoded(bytes),
    },
    'python3 b32encode': {
      program: 'python3',
      args: ['-c', 'import sys, base64; sys.stdout.buffer.write(base64.b32encode(open(sys.argv[1], "rb").read()))'],
      spell: base32,
    },
    'python3 b2a_qp': {
      program: 'python3',
      args: ['-c', 'import sys, binascii; sys.stdout.buffer.write(binascii.b2a_qp(open(sys.argv[1], "rb").read(), istext=False))'],
      spell: quotedPrintable,
    },
  };
  for (const [tool, { program, args, spell }] of Object.entries(tools)) {
    test(tool, () => {
      ensureDebianPackages(TOOL_PACKAGES);
      const dir = mkdtempSync(join(tmpdir(), 'spellings-'));
      try {
        for (const file of [...MATRIX_MEDIA, { name: 'zeros', bytes: new Uint8Array(100) }, { name: 'quotes', bytes: utf8('it\'s \\ "x"') }]) {
          const path = join(dir, file.name);
          writeFileSync(path, file.bytes);
          assert.equal(spell(file.bytes), execFileSync(program, [...args, path]).toString('latin1'), file.name);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('media spelt out as bytes is refused in every chunking, 1 byte at a time too', () => {
  for (const [spelling, spell] of Object.entries(BYTE_SPELLING_WRAPPINGS)) {
    test(spelling, async () => {
      for (const file of MATRIX_MEDIA) {
        const payload = spell(file);
        const detail = await assertRefused(payload.body, refuse(payload.contentType), 'media_refused');
        assert.match(detail, /(list of|array of|escaped bytes|hex dump)/, `${file.name}: found by its spelling, not by chance: ${detail}`);
      }
    });
  }
});

describe('where spellings hide: in other text, in JSON in JSON, in rows, in other layouts', () => {
  const rows = (values: readonly string[], perRow: number, separator: string): string =>
    Array.from({ length: Math.ceil(values.length / perRow) }, (_, row) => values.slice(row * perRow, row * perRow + perRow).join(separator)).join('\n');
  /** A C string literal as `xxd -i`-minded tools write one: printable ASCII as itself, the rest as three octal digits. */
  const cString = (bytes: Uint8Array): string =>
    `"${Array.from(bytes, (byte) => (byte === 0x22 || byte === 0x5c ? `\\${String.fromCharCode(byte)}` : byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\${byte.toString(8).padStart(3, '0')}`)).join('')}"`;
  const spellings: Record<string, (bytes: Uint8Array) => { text: string; contentType: string }> = {
    'a Python repr after text in another script, in a JSON string': (bytes) => ({
      text: JSON.stringify({ log: `用户上传了截图 ${pythonRepr(bytes)} 完成` }),
      contentType: 'application/json',
    }),
    'a Python repr in JSON in JSON': (bytes) => ({
      text: JSON.stringify({ event: JSON.stringify({ payload: pythonRepr(bytes) }) }),
      contentType: 'application/json',
    }),
    'an xxd dump after a line of text, in a JSON string': (bytes) => ({
      text: JSON.stringify({ note: `Dump attached:\n${xxd(bytes)}` }),
      contentType: 'application/json',
    }),
    'a CSV of bytes, 16 to a row': (bytes) => ({ text: `${rows(Array.from(bytes, String), 16, ',')}\n`, contentType: 'text/csv' }),
    'a CSV of bytes separated by semicolons, in a log line': (bytes) => ({
      text: `INFO frame=${Array.from(bytes, String).join(';')} ok\n`,
      contentType: 'text/plain',
    }),
    'od -An -v -tu1 (decimal, right-aligned)': (bytes) => ({
      text: `${rows(
        Array.from(bytes, (byte) => String(byte).padStart(4)),
        16,
        '',
      )}\n`,
      contentType: 'text/plain',
    }),
    'a C string literal with octal escapes': (bytes) => ({ text: `static const char shot[] = ${cString(bytes)};\n`, contentType: 'text/x-c' }),
  };
  for (const [name, spell] of Object.entries(spellings)) {
    test(name, async () => {
      for (const file of MATRIX_MEDIA) {
        const { text, contentType } = spell(file.bytes);
        await assertRefused(utf8(text), refuse(contentType), 'media_refused');
      }
    });
  }
});

describe('benign bytes spelt out pass byte-identical, 1 byte at a time', () => {
  for (const [spelling, spell] of Object.entries(BYTE_SPELLING_WRAPPINGS)) {
    test(spelling, async () => {
      for (const file of BENIGN_CONTENT) {
        const payload = spell(file);
        await assertStoredAsSent(payload.body, payload.contentType, [1]);
      }
    });
  }
});

describe('text that looks like bytes spelt out but holds no media passes', () => {
  const sha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  const texts: Record<string, string> = {
    'a list of small integers': JSON.stringify({ ids: Array.from({ length: 40 }, (_, i) => i), scores: Array.from({ length: 40 }, (_, i) => (i * 7) % 100) }),
    'small integers in text': `${Array.from({ length: 60 }, (_, i) => (i * 13) % 256).join(' ')}\nand ${Array.from({ length: 60 }, (_, i) => i).join(', ')}\n`,
    'a numeric CSV': `x,y,z\n${Array.from({ length: 50 }, (_, i) => `${i},${(i * 37) % 1000},${(i * 0.25).toFixed(2)}`).join('\n')}\n`,
    'a hex SHA-256 and a UUID in a log': `2026-12-03T10:00:00Z PUT key=2f1c7e0a-9b6d-4c3e-8a51-0d4e6f7a8b9c sha256=${sha256} 201 took 12 ms\n`,
    'the PNG header as 15 decimal values': `header: ${Array.from(png.bytes.subarray(0, 15)).join(',')}\n`,
    'the PNG signature as 0x literals': `static const unsigned char PNG_MAGIC[] = {${hexLiterals(png.bytes.subarray(0, 8)).join(', ')}};\n`,
    'a short Python bytes repr of text': `>>> sock.recv(16)\nb'hello world\\r\\n'\n>>> bytes(4)\nb'\\x00\\x00\\x00\\x00'\n`,
    'the PNG signature as a Python repr': `MAGIC = ${pythonRepr(png.bytes.subarray(0, 8))}  # then IHDR\n`,
    'ANSI colour escapes': 'const RED = "\\x1b[31m", BOLD = "\\x1b[1m", RESET = "\\x1b[0m";\n',
    'an xxd dump of text': xxd(utf8('The gateway never stores screenshots, audio or video: only text about them.\n')),
    'a quoted-printable email in French':
      "Content-Transfer-Encoding: quoted-printable\r\n\r\nJ'ai re=C3=A7u la facture, merci. =C3=80 bient=C3=B4t !\r\nLes octets 137, 80, 78, 71 =C3=A9taient affich=C3=A9s.\r\n",
    'timestamps, versions and addresses': 'v1.2.3 at 10:22:29 from 192.168.0.1, 10.0.0.2 and [2001:db8::1]:443; sizes 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n',
    'zero-padded numbers: a timetable and the digit-only lines of a hex dump': `07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23\n${'00 01 00 00 01 00 00 00 00 00 00 00 00 00 00 00\n'.repeat(3)}`,
    'JSON arrays of short strings': JSON.stringify({ tags: ['10', '20', '30', 'ab', 'cd'], codes: Array.from({ length: 20 }, (_, i) => String(i)) }),
  };
  for (const [name, text] of Object.entries(texts)) {
    test(name, async () => {
      await assertStoredAsSent(utf8(text), 'text/plain; charset=utf-8', ['whole', 1, 7]);
      await assertStoredAsSent(utf8(text), 'application/json', ['random']);
    });
  }
});

describe('thresholds: how many values or escapes make a run bytes', () => {
  // decoding anything at all spends a budget of 1 byte: below the threshold nothing is decoded
  const decodesNothing = { maxDecodedBytes: 1 };
  const cases: Record<string, [below: string, at: string]> = {
    'decimal values: 16': [Array.from({ length: 15 }, (_, i) => i + 100).join(','), Array.from({ length: 16 }, (_, i) => i + 100).join(',')],
    '0x literals: 8': [hexLiterals(Uint8Array.of(1, 2, 3, 4, 5, 6, 7)).join(', '), hexLiterals(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)).join(', ')],
    'JSON byte strings: 8': [JSON.stringify(['1', '2', '3', '4', '5', '6', '7']), JSON.stringify(['1', '2', '3', '4', '5', '6', '7', '8'])],
    'signed JSON numbers: 8': [JSON.stringify([-1, -2, -3, -4, -5, -6, -7]), JSON.stringify([-1, -2, -3, -4, -5, -6, -7, -8])],
    'escapes: 4 within 32 characters': ["s = b'\\x01\\x02 and some words \\x03'", "s = b'\\x01\\x02\\x03\\x04'"],
    'hex dump: a first line of 8 bytes': [' 01 02 03 04 05 06 07\n', ' 01 02 03 04 05 06 07 08\n'],
  };
  for (const [name, [below, at]] of Object.entries(cases)) {
    test(name, async () => {
      const options = { ...refuse('text/plain'), budgets: decodesNothing };
      const stored = await inspect(utf8(below), options);
      assert.equal(stored.error, undefined, `below the threshold: ${String(stored.error)}`);
      const decoded = await inspect(utf8(at), options);
      assert.ok(isRefusal(decoded.error) && decoded.error.code === 'body_uninspectable', `at the threshold it is decoded: ${String(decoded.error)}`);
    });
  }
});

test('zero-padded values open no decimal list: a hex dump line of digits only is not decoded as decimal bytes', async () => {
  const line = '00 01 00 00 01 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00\n';
  // after a first line of text, where no hex dump starts
  const stored = await inspect(utf8(`counts by hour:\n${line.repeat(4)}`), { ...refuse('text/plain'), budgets: { maxDecodedBytes: 1 } });
  assert.equal(stored.error, undefined, String(stored.error));
});

describe('the budgets apply to what is decoded', () => {
  test('depth: a Python repr in a JSON string is two layers deep', async () => {
    const body = utf8(JSON.stringify({ payload: pythonRepr(png.bytes) }));
    const detail = await assertRefused(body, { ...refuse('application/json'), budgets: { maxDepth: 1 } }, 'body_uninspectable');
    assert.match(detail, /nested 2 layers deep/);
    assert.ok(isMediaRefusal((await inspect(body, { ...refuse('application/json'), budgets: { maxDepth: 2 } })).error));
  });

  test('a `*` line of hexdump -C stands for as many lines as the next offset says, counted too', async () => {
    const zeros = new Uint8Array(16 * 1024);
    const bytes = concat([png.bytes.subarray(0, 16), zeros, png.bytes.subarray(16)]);
    const dump = hexdumpC(bytes);
    assert.ok(dump.includes('\n*\n'), 'the dump leaves the repeated lines out');
    const decoder = new HexDump('hexdump -C');
    const text = utf8(dump);
    const decoded: Uint8Array[] = [];
    for (let at = 0; at < text.length && !decoder.ended; ) {
      const out = new Uint8Array(text.length);
      const { next, written, repeat } = decoder.decode(text, at, text.length, out);
      decoded.push(out.slice(0, written));
      if (repeat) for (let n = 0; n < repeat.times; n++) decoded.push(repeat.line);
      if (next === at) break;
      at = next;
    }
    assert.deepEqual(concat(decoded), bytes);
    // a PNG whose IDAT follows 16 KiB of zeros inside its data is still a PNG, found past the `*`
    const padded = concat([utf8('x'.repeat(16)), zeros, png.bytes]);
    assert.ok(isMediaRefusal((await inspect(utf8(hexdumpC(padded)), refuse('text/plain'))).error));
    await assertRefused(utf8(hexdumpC(padded)), { ...refuse('text/plain'), budgets: { maxDecodedBytes: 8 * 1024 } }, 'body_uninspectable');
  });

  test('total decoded bytes: a long list of byte values is counted', async () => {
    const body = utf8(Array.from({ length: 5000 }, (_, i) => i % 200).join(','));
    await assertRefused(body, { ...refuse('text/csv'), budgets: { maxDecodedBytes: 4096 } }, 'body_uninspectable');
    await assertStoredAsSent(body, 'text/csv', ['whole', 'random']);
  });
});

describe('redact mode refuses what these layers carry: their text cannot be rewritten in part', () => {
  test('media spelt out is refused, nothing stored', async () => {
    for (const [spelling, spell] of Object.entries(BYTE_SPELLING_WRAPPINGS)) {
      const payload = spell(png);
      for (const chunking of ['whole', 7] as Chunking[]) {
        const result = await inspect(payload.body, redact(payload.contentType), chunking);
        assert.equal(result.output, undefined, `${spelling}: nothing may be stored`);
        assert.ok(isMediaRefusal(result.error), `${spelling}: ${String(result.error)}`);
      }
    }
  });

  const chat = JSON.stringify({ text: 'see my screen', shot: dataUrl(png), raw: base64(png.bytes) });
  const carriers: Record<string, string> = {
    'a data: URL and base64 in decimal values': Array.from(utf8(chat)).join(','),
    'a data: URL and base64 in a Python repr': `payload = ${pythonRepr(concat([Uint8Array.of(0, 1, 2, 3), utf8(chat)]))}`,
    'a data: URL and base64 in an xxd dump': xxd(utf8(chat)),
    'a data: URL and base64 in a JSON array of hex strings': JSON.stringify(Array.from(utf8(chat), (byte) => byte.toString(16).padStart(2, '0'))),
  };
  for (const [name, text] of Object.entries(carriers)) {
    test(`${name}: refused where outside these layers it would be redacted`, async () => {
      const detail = await assertRefused(utf8(text), redact('text/plain'), 'media_refused');
      assert.match(detail, /(list of|array of|escaped bytes|hex dump)/, detail);
    });
  }
});

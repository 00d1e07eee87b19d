/**
 * Measures the bzip2, xz and lzma layer decoders (src/media/layers/) in MB/s
 * of decoded output per second of CPU time, on chat-like JSON it generates
 * (seeded) and on the files given (say, a few MiB of programs from /usr/bin),
 * each compressed by the real tools. Not part of the test suite.
 *
 *   node --import tsx scripts/measure-decoders.ts /usr/bin/[a-c]*
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BZIP2 } from '../src/media/layers/bzip2.ts';
import type { LayerKind } from '../src/media/layers/layer.ts';
import { LZMA_ALONE } from '../src/media/layers/lzma.ts';
import { XZ } from '../src/media/layers/xz.ts';
import { seededRandom } from '../test/helpers/inspect-stream.ts';

const CHUNK = 64 * 1024;
const TARGET_BYTES = 24 * 1024 * 1024;

function chatJson(): Uint8Array {
  const random = seededRandom(11);
  const words = 'the quick brown fox screen share visitor agent hello please click the button on this page form submit thanks'.split(' ');
  const events: string[] = [];
  let length = 0;
  for (let i = 0; length < TARGET_BYTES; i++) {
    const text = Array.from({ length: 3 + Math.floor(random() * 28) }, () => words[Math.floor(random() * words.length)]).join(' ');
    const event = JSON.stringify({ type: 'message', id: i, ts: 1_700_000_000 + i * 7, user: `u${Math.floor(random() * 500)}`, text });
    events.push(event);
    length += event.length + 1;
  }
  return new TextEncoder().encode(`[${events.join(',')}]`);
}

function files(paths: readonly string[]): Uint8Array {
  const buffers = paths.map((path) => readFileSync(path));
  return new Uint8Array(Buffer.concat(buffers).subarray(0, TARGET_BYTES));
}

const FORMATS: readonly { name: string; kind: LayerKind; compress: (bytes: Uint8Array) => Buffer }[] = [
  { name: 'bzip2 -9', kind: BZIP2, compress: (bytes) => execFileSync('bzip2', ['-c', '-9'], { input: bytes, maxBuffer: 1 << 30 }) },
  { name: 'xz -6', kind: XZ, compress: (bytes) => execFileSync('xz', ['-c', '-6', '-T1'], { input: bytes, maxBuffer: 1 << 30 }) },
  { name: 'lzma -6', kind: LZMA_ALONE, compress: (bytes) => execFileSync('xz', ['-c', '-6', '--format=lzma'], { input: bytes, maxBuffer: 1 << 30 }) },
];

/** Decodes `input` in 64 KiB chunks; returns the decoded length. */
function decode(kind: LayerKind, input: Uint8Array): number {
  let decoded = 0;
  const stream = kind.open({ data: (bytes) => (decoded += bytes.length), field: () => undefined }, { maxMemoryBytes: 16 * 1024 * 1024 });
  for (let at = 0; at < input.length; at += CHUNK) stream.write(input.subarray(at, at + CHUNK));
  stream.finish();
  return decoded;
}

const corpora = { 'chat JSON': chatJson(), ...(process.argv.length > 2 && { 'given files': files(process.argv.slice(2)) }) };
for (const [corpus, content] of Object.entries(corpora)) {
  for (const format of FORMATS) {
    const input = new Uint8Array(format.compress(content));
    decode(format.kind, input);
    const speeds = Array.from({ length: 3 }, () => {
      const start = process.cpuUsage();
      const decoded = decode(format.kind, input);
      const used = process.cpuUsage(start);
      return decoded / 1e6 / ((used.user + used.system) / 1e6);
    }).sort((a, b) => a - b);
    const ratio = (content.length / input.length).toFixed(1);
    console.log(JSON.stringify({ corpus, bytes: content.length, format: format.name, ratio, decodedMBps: Number(speeds[1]!.toFixed(1)) }));
  }
}

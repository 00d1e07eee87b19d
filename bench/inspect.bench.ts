/**
 * Micro-benchmark of the media inspector on one core: MB/s (of wall-clock
 * and of CPU time) on 100 MiB of generated JSON without media, 100 MiB of
 * mixed chat JSON and 100 MiB of benign binary (numeric arrays and random
 * bytes), each made on the fly and never stored, streamed in 64 KiB chunks
 * as an HTTP body is.
 * Also measures the same pipeline with a pass-through stream instead of the
 * inspector, and the peak RSS, to show that memory does not grow with size.
 *
 *   node --import tsx bench/inspect.bench.ts      # prints one JSON line
 *
 * Environment: INSPECT_BENCH_CASES=json,chat,binary (default: all three),
 * INSPECT_BENCH_RUNS=3 (runs per case, median reported; default 1),
 * INSPECT_BENCH_MIB=100 (bytes per case).
 *
 * bench/run.ts can import `benchInspector` instead.
 */
import { pathToFileURL } from 'node:url';
import { createInspection } from '../src/media/inspect.ts';
import { summarize, type Summary } from './lib/stats.ts';

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

export interface InspectorBenchCase {
  bytes: number;
  /** Through createInspection(...).stream. */
  inspectMBps: Summary;
  /** The same per second of this process's CPU time: steadier than the wall clock when other work shares the machine. */
  inspectCpuMBps: Summary;
  /** The same pipeline through an identity TransformStream: the cost of streaming alone. */
  passThroughMBps: Summary;
}

export const INSPECTOR_CASES = ['json', 'chat', 'binary'] as const;
export type InspectorCaseName = (typeof INSPECTOR_CASES)[number];

export interface InspectorBenchResult {
  bench: 'inspector';
  node: string;
  cases: Partial<Record<InspectorCaseName, InspectorBenchCase>>;
  peakRssMiB: number;
}

/** A deterministic generator, so each run inspects the same bytes. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

const random = seeded(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const base64Of = (length: number): string => Buffer.from(Uint8Array.from({ length }, () => Math.floor(random() * 256))).toString('base64');

/** Records of an API dump: numbers, short strings, nested arrays. */
function jsonRecord(i: number): string {
  return JSON.stringify({
    id: i,
    uuid: `${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}-7a1c-4e2b-9f00-${i.toString(16).padStart(12, '0')}`,
    createdAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    price: Math.round(random() * 100_000) / 100,
    tags: [pick(['new', 'sale', 'eu', 'uk']), pick(['red', 'blue', 'green'])],
    dimensions: { w: Math.floor(random() * 2000), h: Math.floor(random() * 2000), unit: 'px' },
    active: random() > 0.5,
    description: pick(['Standard item', 'Item with a longer description that goes on for a while', 'Refurbished, PNG label printed']),
  });
}

const SENTENCES = [
  'Hi, the checkout page shows an error when I press pay.',
  'Could you send me a screenshot? Oh wait, we do not keep those.',
  'The PNG export still fails, and data: is empty in the log.',
  'Grüße aus München, merci beaucoup, 谢谢, ありがとう 😊',
  'Order 4471 was charged twice; reference RIFF-2291.',
  'I pasted data:image/png;base64, but nothing happened.',
];

/** Chat and co-browse events: messages in several scripts, JWTs, base64 PDFs and random blobs, DOM mutations. */
function chatRecord(i: number): string {
  switch (i % 5) {
    case 0:
    case 1:
      return JSON.stringify({ type: 'message', at: 1_700_000_000_000 + i, from: pick(['visitor', 'agent']), text: `${pick(SENTENCES)} ${pick(SENTENCES)}` });
    case 2:
      return JSON.stringify({ type: 'auth', token: `eyJhbGciOiJIUzI1NiJ9.${base64Of(120).replace(/=+$/, '')}.${base64Of(32).replace(/=+$/, '')}` });
    case 3:
      return JSON.stringify({ type: 'attachment', name: 'invoice.pdf', mime: 'application/pdf', base64: `JVBERi0xLjQK${base64Of(pick([600, 3000, 12_000]))}` });
    default:
      return JSON.stringify({
        type: 3,
        data: {
          source: 0,
          adds: [
            {
              parentId: i,
              node: {
                type: 2,
                tagName: 'svg',
                isSVG: true,
                attributes: { viewBox: '0 0 24 24' },
                childNodes: [{ type: 2, tagName: 'path', attributes: { d: 'M12 2C6.48 2 2 6.48 2 12s4.48 10 10 10z' } }],
              },
            },
          ],
        },
      });
  }
}

/** About 1 MiB of records, cycled to make a large body without holding it. */
function pool(record: (i: number) => string): Uint8Array {
  const lines: string[] = [];
  for (let i = 0, size = 0; size < MiB; i++) {
    const line = record(i);
    lines.push(line);
    size += line.length + 1;
  }
  return new TextEncoder().encode(`${lines.join(',')},`);
}

const BINARY_BLOCK = 16 * 1024;

/**
 * One block of benign binary, of the kinds in the benign corpus
 * (test/fixtures/benign): numeric arrays in both byte orders (random and
 * small int16, small negative int32, float32 samples) and random bytes.
 */
function binaryBlock(kind: number): Uint8Array {
  const block = new Uint8Array(BINARY_BLOCK);
  const view = new DataView(block.buffer);
  const littleEndian = kind % 2 === 0;
  switch (kind % 10) {
    case 0:
    case 1:
      for (let at = 0; at < BINARY_BLOCK; at += 2) view.setInt16(at, Math.floor(random() * 65536) - 32768, littleEndian);
      break;
    case 2:
    case 3:
      for (let at = 0; at < BINARY_BLOCK; at += 2) view.setInt16(at, Math.floor(random() * 600) - 300, littleEndian);
      break;
    case 4:
    case 5:
      for (let at = 0; at < BINARY_BLOCK; at += 4) view.setInt32(at, -1 - Math.floor(random() * 1000), littleEndian);
      break;
    case 6:
    case 7:
      for (let at = 0; at < BINARY_BLOCK; at += 4) view.setFloat32(at, random() * 2 - 1, littleEndian);
      break;
    default:
      for (let at = 0; at < BINARY_BLOCK; at++) block[at] = Math.floor(random() * 256);
  }
  return block;
}

/** 1 MiB of benign binary blocks, cycled like the records. */
function binaryPool(): Uint8Array {
  const bytes = new Uint8Array(MiB);
  for (let at = 0, kind = 0; at < MiB; at += BINARY_BLOCK, kind++) bytes.set(binaryBlock(kind), at);
  return bytes;
}

interface BodyKind {
  readonly contentType: string;
  readonly pool: Uint8Array;
  /** Bytes before and after the cycled pool: JSON's brackets. */
  readonly opening: Uint8Array;
  readonly closing: Uint8Array;
}

const NOTHING = new Uint8Array(0);
const json = (records: Uint8Array): BodyKind => ({
  contentType: 'application/json',
  pool: records,
  opening: new TextEncoder().encode('['),
  closing: new TextEncoder().encode('{}]'),
});

const BODIES: Readonly<Record<InspectorCaseName, () => BodyKind>> = {
  json: () => json(pool(jsonRecord)),
  chat: () => json(pool(chatRecord)),
  binary: () => ({ contentType: 'application/octet-stream', pool: binaryPool(), opening: NOTHING, closing: NOTHING }),
};

function body(bytes: number, kind: BodyKind): ReadableStream<Uint8Array> {
  let sent = -1;
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      // every pull enqueues something: a pull that enqueues nothing is not called again
      if (sent < 0 && kind.opening.length > 0) {
        controller.enqueue(kind.opening.slice());
        sent = kind.opening.length;
        return;
      }
      sent = Math.max(sent, 0);
      if (sent >= bytes) {
        if (kind.closing.length > 0) controller.enqueue(kind.closing.slice());
        controller.close();
        return;
      }
      if (at + CHUNK > kind.pool.length) at = 0;
      controller.enqueue(kind.pool.slice(at, at + CHUNK));
      at += CHUNK;
      sent += CHUNK;
    },
  });
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stream.getReader();
  let total = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) total += next.value.length;
  return total;
}

async function measure(
  bytes: number,
  kind: BodyKind,
  transform: () => TransformStream<Uint8Array, Uint8Array>,
): Promise<{ total: number; mbps: number; cpuMbps: number }> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const total = await drain(body(bytes, kind).pipeThrough(transform()));
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - started) / 1000;
  return { total, mbps: Math.round(total / 1e6 / seconds), cpuMbps: Math.round(total / (cpu.user + cpu.system || 1)) };
}

async function benchCase(bytes: number, kind: BodyKind, runs: number): Promise<InspectorBenchCase> {
  const inspect = () => createInspection({ contentType: kind.contentType, contentEncoding: '', embeddedMedia: 'refuse' }).stream;
  const passThrough = () => new TransformStream<Uint8Array, Uint8Array>();
  await measure(8 * MiB, kind, inspect); // warm-up
  const inspected: { total: number; mbps: number; cpuMbps: number }[] = [];
  const passed: number[] = [];
  for (let run = 0; run < runs; run++) {
    inspected.push(await measure(bytes, kind, inspect));
    passed.push((await measure(bytes, kind, passThrough)).mbps);
  }
  return {
    bytes: inspected[0]!.total,
    inspectMBps: summarize(inspected.map((each) => each.mbps)),
    inspectCpuMBps: summarize(inspected.map((each) => each.cpuMbps)),
    passThroughMBps: summarize(passed),
  };
}

export async function benchInspector(bytes = 100 * MiB, options: { cases?: readonly InspectorCaseName[]; runs?: number } = {}): Promise<InspectorBenchResult> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const cases: Partial<Record<InspectorCaseName, InspectorBenchCase>> = {};
    for (const name of options.cases ?? INSPECTOR_CASES) cases[name] = await benchCase(bytes, BODIES[name](), options.runs ?? 1);
    return { bench: 'inspector', node: process.version, cases, peakRssMiB: Math.round(peak / MiB) };
  } finally {
    clearInterval(sampler);
  }
}

function casesFromEnvironment(): InspectorCaseName[] | undefined {
  const listed = process.env.INSPECT_BENCH_CASES?.split(',').map((name) => name.trim());
  if (!listed) return undefined;
  const unknown = listed.filter((name) => !(INSPECTOR_CASES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`INSPECT_BENCH_CASES: unknown case ${unknown.join(', ')} (known: ${INSPECTOR_CASES.join(', ')})`);
  return listed as InspectorCaseName[];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const bytes = Number(process.env.INSPECT_BENCH_MIB ?? 100) * MiB;
  const cases = casesFromEnvironment();
  console.log(JSON.stringify(await benchInspector(bytes, { ...(cases && { cases }), runs: Number(process.env.INSPECT_BENCH_RUNS ?? 1) })));
}

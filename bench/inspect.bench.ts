/**
 * Micro-benchmark of the media inspector on one core: MB/s (of wall-clock
 * and of CPU time) on 100 MiB of generated JSON without media and on 100 MiB
 * of mixed chat JSON (both made on the fly, never stored), streamed in 64 KiB
 * chunks as an HTTP body is.
 * Also measures the same pipeline with a pass-through stream instead of the
 * inspector, and the peak RSS, to show that memory does not grow with size.
 *
 *   node --import tsx bench/inspect.bench.ts      # prints one JSON line
 *
 * bench/run.ts can import `benchInspector` instead.
 */
import { pathToFileURL } from 'node:url';
import { createInspection } from '../src/media/inspect.ts';

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

export interface InspectorBenchCase {
  bytes: number;
  /** Through createInspection(...).stream. */
  inspectMBps: number;
  /** The same per second of this process's CPU time: steadier than the wall clock when other work shares the machine. */
  inspectCpuMBps: number;
  /** The same pipeline through an identity TransformStream: the cost of streaming alone. */
  passThroughMBps: number;
}

export interface InspectorBenchResult {
  bench: 'inspector';
  node: string;
  json: InspectorBenchCase;
  chat: InspectorBenchCase;
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

function body(bytes: number, records: Uint8Array): ReadableStream<Uint8Array> {
  let sent = 0;
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) {
        controller.enqueue(new TextEncoder().encode('['));
        sent = 1;
        return;
      }
      if (sent >= bytes) {
        controller.enqueue(new TextEncoder().encode('{}]'));
        controller.close();
        return;
      }
      if (at + CHUNK > records.length) at = 0;
      controller.enqueue(records.slice(at, at + CHUNK));
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
  records: Uint8Array,
  transform: () => TransformStream<Uint8Array, Uint8Array>,
): Promise<{ total: number; mbps: number; cpuMbps: number }> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const total = await drain(body(bytes, records).pipeThrough(transform()));
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - started) / 1000;
  return { total, mbps: Math.round(total / 1e6 / seconds), cpuMbps: Math.round(total / (cpu.user + cpu.system || 1)) };
}

async function benchCase(bytes: number, records: Uint8Array): Promise<InspectorBenchCase> {
  const inspect = () => createInspection({ contentType: 'application/json', contentEncoding: '', embeddedMedia: 'refuse' }).stream;
  await measure(8 * MiB, records, inspect); // warm-up
  const inspected = await measure(bytes, records, inspect);
  const passed = await measure(bytes, records, () => new TransformStream<Uint8Array, Uint8Array>());
  return { bytes: inspected.total, inspectMBps: inspected.mbps, inspectCpuMBps: inspected.cpuMbps, passThroughMBps: passed.mbps };
}

export async function benchInspector(bytes = 100 * MiB): Promise<InspectorBenchResult> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const json = await benchCase(bytes, pool(jsonRecord));
    const chat = await benchCase(bytes, pool(chatRecord));
    return { bench: 'inspector', node: process.version, json, chat, peakRssMiB: Math.round(peak / MiB) };
  } finally {
    clearInterval(sampler);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchInspector()));
}

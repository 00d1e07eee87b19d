import { readdirSync, readFileSync } from 'node:fs';
import { createInspection, type InspectionOptions } from '../../src/media/inspect.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url);

export interface Fixture {
  name: string;
  bytes: Uint8Array;
}

export function fixtures(folder: 'media' | 'benign'): Fixture[] {
  const dir = new URL(`${folder}/`, FIXTURES);
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(new URL(name, dir))) }));
}

/** How a body is cut into chunks on its way through the inspector. */
export type Chunking = 'whole' | 1 | 7 | 'random' | number;

/** A deterministic generator (mulberry32) so random chunkings and payloads repeat run to run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function* chunksOf(bytes: Uint8Array, chunking: Chunking, seed = 1): Generator<Uint8Array> {
  if (chunking === 'whole') {
    yield bytes;
    return;
  }
  const random = seededRandom(seed);
  for (let at = 0; at < bytes.length; ) {
    const size = chunking === 'random' ? 1 + Math.floor(random() * 9000) : chunking;
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

export function bodyStream(bytes: Uint8Array, chunking: Chunking = 'whole'): ReadableStream<Uint8Array> {
  const chunks = chunksOf(bytes, chunking);
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value.slice());
    },
  });
}

export interface InspectionResult {
  /** What reached the store side of the transform, when it completed. */
  output?: Uint8Array;
  error?: unknown;
  redactions: number;
}

export const options = (contentType: string, extra: Partial<InspectionOptions> = {}): InspectionOptions => ({
  contentType,
  contentEncoding: '',
  embeddedMedia: 'refuse',
  ...extra,
});

/** Streams `bytes` through a fresh inspection, as the gateway does between a request and a store. */
export async function inspect(bytes: Uint8Array, inspectionOptions: InspectionOptions, chunking: Chunking = 'whole'): Promise<InspectionResult> {
  const inspection = createInspection(inspectionOptions);
  const parts: Uint8Array[] = [];
  try {
    for await (const chunk of bodyStream(bytes, chunking).pipeThrough(inspection.stream)) parts.push(chunk);
  } catch (error) {
    return { error, redactions: inspection.redactions };
  }
  return { output: concat(parts), redactions: inspection.redactions };
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

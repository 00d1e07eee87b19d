import { readFileSync } from 'node:fs';
import { createMasking, type MaskingOptions } from '../../src/masking/stream.ts';
import { MASK_KINDS, type MaskCounts } from '../../src/masking/kinds.ts';
import { seededRandom } from './inspect-stream.ts';

export const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/masking/${name}`, import.meta.url)));

/** How a body is cut on its way in: whole, every byte alone, or random small pieces (seeded). */
export type Cut = 'whole' | 'bytes' | { seed: number };

export const CUTS: readonly Cut[] = ['whole', 'bytes', { seed: 1 }, { seed: 2 }, { seed: 3 }, { seed: 4 }, { seed: 5 }];

export const cutName = (cut: Cut): string => (typeof cut === 'string' ? cut : `random#${cut.seed}`);

function pieces(bytes: Uint8Array, cut: Cut): Uint8Array[] {
  if (cut === 'whole') return [bytes];
  const random = cut === 'bytes' ? () => 0 : seededRandom(cut.seed);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(random() * 48);
    out.push(bytes.slice(at, at + size));
    at += size;
  }
  return out;
}

export interface Masked {
  text: string;
  counts: MaskCounts;
}

export async function mask(input: string | Uint8Array, options: Partial<MaskingOptions> & { contentType: string }, cut: Cut = 'whole'): Promise<Masked> {
  const masking = createMasking({ kinds: MASK_KINDS, custom: [], ...options });
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces(bytes, cut)) controller.enqueue(piece);
      controller.close();
    },
  });
  const text = await new Response(body.pipeThrough(masking.stream)).text();
  return { text, counts: masking.counts() };
}

import { LAYERS, layerAt, MAY_START_LAYER } from './layers/registry.ts';
import { BINARY_BYTE, MAY_START_SIGNATURE, sniffAt, type MediaMatch } from './signatures/index.ts';
import { tarHeaderAt } from './tar.ts';
import { isLocalHeader } from './zip.ts';

/**
 * Decoded base64 or hex is scanned whole as content, except where its first
 * bytes show opaque binary: random or encrypted bytes, compressed data in no
 * format recognised here. Scanning opaque bytes as content costs as much as
 * scanning a binary body (tens of MB/s) for nothing a scanner could find
 * that the signatures near its start would not: media put after opaque
 * bytes inside base64 (further than MEDIA_OFFSETS) is a known limit.
 */

/** Offsets of the decoded start sniffed for media: a few bytes put before media to shift it off the start, and more. */
const MEDIA_OFFSETS = 16;

/** How the decoded start of a run is to be inspected. */
export type DecodedStart = { kind: 'content' } | { kind: 'opaque'; media: { match: MediaMatch; at: number } | null };

const CONTENT: DecodedStart = { kind: 'content' };
const OPAQUE: DecodedStart = { kind: 'opaque', media: null };

const P = 0x50;
/** 1 for the bytes that can begin a layer found anywhere, or a ZIP local header (`PK`): a decoder can note where they are (RunDecoder's `watch`). */
export const ANYWHERE_START: Uint8Array = Uint8Array.from({ length: 256 }, (_, byte) => (MAY_START_LAYER[byte] === 1 || byte === P ? 1 : 0));

/**
 * One bit for each pair of bytes (`first << 8 | second`) that `marked`
 * picks: 8 KiB, which stays in the CPU's first cache where a byte for each
 * pair would not.
 */
export const pairBits = (marked: (pair: number) => boolean): Int32Array => {
  const bits = new Int32Array(65536 / 32);
  for (let pair = 0; pair < 65536; pair++) if (marked(pair)) bits[pair >>> 5]! |= 1 << (pair & 31);
  return bits;
};

export const isPairIn = (bits: Int32Array, pair: number): boolean => (bits[pair >>> 5]! & (1 << (pair & 31))) !== 0;

const ANYWHERE_LAYERS = LAYERS.filter((layer) => layer.where === 'anywhere');
/** The pairs of bytes that can begin an `anywhere` layer or a ZIP local header. */
export const ANYWHERE_LAYER_PAIRS: Int32Array = pairBits(
  (pair) =>
    pair === ((P << 8) | 0x4b) || ANYWHERE_LAYERS.some((layer) => layer.first.includes(pair >>> 8) && (!layer.second || layer.second.includes(pair & 0xff))),
);

/** Whether a layer or a ZIP local header begins at `b[t]`, `b[0, length)` in view. */
function wrapsHere(b: Uint8Array, t: number, length: number): boolean {
  // most bytes that can begin one are not followed by a byte that can go on with it
  if (t + 1 < length && !isPairIn(ANYWHERE_LAYER_PAIRS, (b[t]! << 8) | b[t + 1]!)) return false;
  return b[t] === P ? isLocalHeader(b, t) : layerAt(b, t, length, 'anywhere') !== null;
}

/** Where a decoder noted the ANYWHERE_START bytes of what it decoded: the first `watchedCount` of `watched`. */
export interface AnywhereStarts {
  readonly watched: Int32Array;
  readonly watchedCount: number;
}

/** Whether a layer or a ZIP local header begins at one of the noted `starts` of `b[0, length)`. */
function wrapsAt(b: Uint8Array, length: number, starts: AnywhereStarts): boolean {
  const { watched, watchedCount } = starts;
  for (let i = 0; i < watchedCount; i++) if (wrapsHere(b, watched[i]!, length)) return true;
  return false;
}

/** Whether a layer or a ZIP local header begins anywhere in `b[0, length)`. */
function wrapsAnywhere(b: Uint8Array, length: number): boolean {
  let t = 0;
  while (t < length) {
    // eight bytes a step while none can begin anything: most decoded bytes
    const blocks = t + ((length - t) & ~7);
    while (
      t < blocks &&
      (ANYWHERE_START[b[t]!]! |
        ANYWHERE_START[b[t + 1]!]! |
        ANYWHERE_START[b[t + 2]!]! |
        ANYWHERE_START[b[t + 3]!]! |
        ANYWHERE_START[b[t + 4]!]! |
        ANYWHERE_START[b[t + 5]!]! |
        ANYWHERE_START[b[t + 6]!]! |
        ANYWHERE_START[b[t + 7]!]!) ===
        0
    )
      t += 8;
    const stop = Math.min(t + 8, length);
    for (; t < stop; t++) if (ANYWHERE_START[b[t]!] === 1 && wrapsHere(b, t, length)) return true;
  }
  return false;
}

function hasBinaryByte(b: Uint8Array, length: number): boolean {
  for (let t = 0; t < length; t++) if (BINARY_BYTE[b[t]!] === 1) return true;
  return false;
}

/**
 * Reads the decoded start `b[0, length)`: content to scan whole (text, a
 * layer or a ZIP anywhere in it, a tar), or opaque bytes, sniffed here for
 * media in their first MEDIA_OFFSETS offsets. `anywhereStarts`, when the
 * decoder noted them: every position of an ANYWHERE_START byte.
 */
export function decodedStart(b: Uint8Array, length: number, anywhereStarts?: AnywhereStarts): DecodedStart {
  if (!hasBinaryByte(b, length)) return CONTENT;
  if (anywhereStarts ? wrapsAt(b, length, anywhereStarts) : wrapsAnywhere(b, length)) return CONTENT;
  if (layerAt(b, 0, length, 'start') || tarHeaderAt(b, 0, length)) return CONTENT;
  for (let t = 0; t < MEDIA_OFFSETS && t < length; t++) {
    if (!MAY_START_SIGNATURE[b[t]!] && t > 0) continue;
    const match = sniffAt(b, t, length, t < 4 ? 'start' : 'anywhere');
    if (match) return { kind: 'opaque', media: { match, at: t } };
  }
  return OPAQUE;
}

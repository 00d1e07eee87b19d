import { layerAt, MAY_START_LAYER } from './layers/registry.ts';
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

/**
 * Reads the decoded start `b[0, length)`: content to scan whole (text, a
 * layer or a ZIP anywhere in it, a tar), or opaque bytes, sniffed here for
 * media in their first MEDIA_OFFSETS offsets.
 */
export function decodedStart(b: Uint8Array, length: number): DecodedStart {
  let binary = false;
  for (let t = 0; t < length; t++) {
    const byte = b[t]!;
    binary ||= BINARY_BYTE[byte] === 1;
    if (MAY_START_LAYER[byte] && layerAt(b, t, length, 'anywhere')) return CONTENT;
    if (byte === 0x50 && isLocalHeader(b, t)) return CONTENT;
  }
  if (!binary || layerAt(b, 0, length, 'start') || tarHeaderAt(b, 0, length)) return CONTENT;
  for (let t = 0; t < MEDIA_OFFSETS && t < length; t++) {
    if (!MAY_START_SIGNATURE[b[t]!] && t > 0) continue;
    const match = sniffAt(b, t, length, t < 4 ? 'start' : 'anywhere');
    if (match) return { kind: 'opaque', media: { match, at: t } };
  }
  return OPAQUE;
}

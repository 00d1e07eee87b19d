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

const P = 0x50;
/** 1 for the bytes that can begin a layer found anywhere, or a ZIP local header (`PK`). */
const ANYWHERE_START = Uint8Array.from({ length: 256 }, (_, byte) => (MAY_START_LAYER[byte] === 1 || byte === P ? 1 : 0));

/** Whether a layer or a ZIP local header begins anywhere in `b[0, length)`. */
function wrapsAnywhere(b: Uint8Array, length: number): boolean {
  for (let t = 0; t < length; t++) {
    if (ANYWHERE_START[b[t]!] === 0) continue;
    if (b[t] === P ? isLocalHeader(b, t) : layerAt(b, t, length, 'anywhere')) return true;
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
 * media in their first MEDIA_OFFSETS offsets.
 */
export function decodedStart(b: Uint8Array, length: number): DecodedStart {
  if (!hasBinaryByte(b, length) || wrapsAnywhere(b, length) || layerAt(b, 0, length, 'start') || tarHeaderAt(b, 0, length)) return CONTENT;
  for (let t = 0; t < MEDIA_OFFSETS && t < length; t++) {
    if (!MAY_START_SIGNATURE[b[t]!] && t > 0) continue;
    const match = sniffAt(b, t, length, t < 4 ? 'start' : 'anywhere');
    if (match) return { kind: 'opaque', media: { match, at: t } };
  }
  return OPAQUE;
}

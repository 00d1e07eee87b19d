/**
 * Magic numbers of image, audio and video formats, each confirmed by the
 * structure that follows it so that text never matches by accident.
 *
 * A signature is either `anywhere` (strong enough to be searched for at every
 * offset of a body: PNG + IHDR, RIFF + form, an ftyp box with a sane size and
 * brand, ...) or `start` only (checked where content begins: the body, a
 * multipart part, a ZIP entry, a decoded base64 run). Weak magic numbers (a
 * bare `BM`, an MPEG audio frame sync, `0x47`, `00 00 01 00`) only match
 * when the format's own structure confirms them: header fields in range,
 * consecutive frames or packets where the first one says the next one is.
 */

import { AUDIO_FRAME_SIGNATURES } from './audio-frames.ts';
import { LEGACY_AUDIO_SIGNATURES } from './audio-legacy.ts';
import { AUDIO_SIGNATURES } from './audio.ts';
import { BROADCAST_SIGNATURES } from './broadcast.ts';
import { CONTAINER_SIGNATURES } from './containers.ts';
import { LEGACY_IMAGE_SIGNATURES } from './image-legacy.ts';
import { IMAGE_SIGNATURES } from './images.ts';
import { NETPBM_SIGNATURES } from './netpbm.ts';
import { RASTER_SIGNATURES } from './raster.ts';
import type { MediaMatch, Signature, Where } from './signature.ts';
import { VIDEO_STREAM_SIGNATURES } from './video-streams.ts';
import { M2TS_SYNC_OFFSET, VIDEO_SIGNATURES } from './video.ts';

export type { MediaKind, MediaMatch } from './signature.ts';

/** The most bytes past a candidate offset that any check reads. */
export const SNIFF_LOOKAHEAD = 10 * 1024;

const SIGNATURES: readonly Signature[] = [
  ...IMAGE_SIGNATURES,
  ...RASTER_SIGNATURES,
  ...NETPBM_SIGNATURES,
  ...LEGACY_IMAGE_SIGNATURES,
  ...CONTAINER_SIGNATURES,
  ...AUDIO_SIGNATURES,
  ...AUDIO_FRAME_SIGNATURES,
  ...LEGACY_AUDIO_SIGNATURES,
  ...VIDEO_SIGNATURES,
  ...VIDEO_STREAM_SIGNATURES,
  ...BROADCAST_SIGNATURES,
];

function table(where: Where): readonly (readonly Signature[])[] {
  const byFirstByte: Signature[][] = Array.from({ length: 256 }, () => []);
  for (const signature of SIGNATURES) {
    if (where === 'anywhere' && signature.where !== 'anywhere') continue;
    for (const first of signature.first) byFirstByte[first]!.push(signature);
  }
  return byFirstByte;
}

const NONE: readonly Signature[] = [];

/** The signatures by their first two bytes (index `first << 8 | second`): most pairs have none, which saves the calls. */
function pairTable(byFirstByte: readonly (readonly Signature[])[]): readonly (readonly Signature[])[] {
  const byPair: (readonly Signature[])[] = new Array<readonly Signature[]>(256 * 256).fill(NONE);
  byFirstByte.forEach((signatures, first) => {
    for (let second = 0; second < 256; second++) {
      const matching = signatures.filter((signature) => !signature.second || signature.second.includes(second));
      if (matching.length > 0) byPair[(first << 8) | second] = matching;
    }
  });
  return byPair;
}

const ANYWHERE = table('anywhere');
const AT_START = table('start');
const ANYWHERE_PAIRS = pairTable(ANYWHERE);
const AT_START_PAIRS = pairTable(AT_START);
const AT_START_ANY_FIRST_BYTE = SIGNATURES.filter((signature) => signature.first.length === 0);

/**
 * False when no signature can match content whose first byte is `first` and
 * whose byte at MAY_START_MEDIA_PROBE is `probe`: lets a caller skip decoding more of it.
 */
export function mayStartMedia(first: number, probe: number): boolean {
  return AT_START[first]!.length > 0 || probe === 0x47;
}

export const MAY_START_MEDIA_PROBE = M2TS_SYNC_OFFSET;

/** 1 for each byte value that can begin an `anywhere` signature: a fast filter for scanners. */
export const MAY_START_SIGNATURE: Uint8Array = Uint8Array.from(ANYWHERE, (signatures) => (signatures.length > 0 ? 1 : 0));

/** 1 for each pair of bytes (`first << 8 | second`) that can begin an `anywhere` signature: a finer filter where two bytes are in view. */
export const MAY_START_SIGNATURE_PAIR: Uint8Array = Uint8Array.from(ANYWHERE_PAIRS, (signatures) => (signatures.length > 0 ? 1 : 0));

/**
 * 1 for bytes that never occur in text: control characters (but tab, line
 * feed, form feed, carriage return) and bytes that are invalid in UTF-8.
 */
export const BINARY_BYTE: Uint8Array = Uint8Array.from({ length: 256 }, (_, byte) =>
  byte < 0x09 || (byte > 0x0d && byte < 0x20) || byte === 0x7f || byte === 0xc0 || byte === 0xc1 || byte >= 0xf5 ? 1 : 0,
);

/**
 * A binary format matches only if one of its first BINARY_EVIDENCE_SPAN bytes
 * is a BINARY_BYTE: every binary header has a zero, a size or a flag byte
 * that early, and text that spells out a header has none.
 */
export const BINARY_EVIDENCE_SPAN = 32;

function hasBinaryEvidence(b: Uint8Array, at: number, end: number): boolean {
  const stop = Math.min(end, at + BINARY_EVIDENCE_SPAN);
  for (let i = at; i < stop; i++) if (BINARY_BYTE[b[i]!]) return true;
  return false;
}

function tryAll(signatures: readonly Signature[], b: Uint8Array, at: number, end: number, where: Where): MediaMatch | null {
  for (const signature of signatures) {
    const found = signature.match(b, at, end, where);
    if (found && (signature.text || hasBinaryEvidence(b, at, end))) return found;
  }
  return null;
}

/**
 * The media format at offset `at` of `b`, looking at `b[at, end)` only.
 * `start`: content begins at `at` (a body, a part, an entry, decoded base64),
 * so start-only signatures count too. `anywhere`: `at` is an arbitrary offset
 * inside other content, so only strong or structurally confirmed ones count.
 * Either way a binary format matches only when its first bytes contain a
 * byte that text never does, so a text that spells out a header is not media.
 */
export function sniffAt(b: Uint8Array, at: number, end: number, where: Where): MediaMatch | null {
  if (at >= end) return null;
  const candidates =
    at + 1 < end ? (where === 'start' ? AT_START_PAIRS : ANYWHERE_PAIRS)[(b[at]! << 8) | b[at + 1]!]! : (where === 'start' ? AT_START : ANYWHERE)[b[at]!]!;
  return (
    (candidates.length > 0 ? tryAll(candidates, b, at, end, where) : null) ?? (where === 'start' ? tryAll(AT_START_ANY_FIRST_BYTE, b, at, end, where) : null)
  );
}

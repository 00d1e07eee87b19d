/**
 * Base64 and base64url runs as they appear in text and JSON: the alphabets
 * mixed, JSON escapes (`\/`, `\u002b`) standing for alphabet characters, and
 * line breaks (raw, or escaped as `\n`) inside MIME-style wrapped base64.
 */

const BACKSLASH = 0x5c;
const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;

/** The 6-bit value of each alphabet byte (both alphabets), 255 for other bytes. */
const SEXTET = new Uint8Array(256).fill(255);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split('').forEach((char, value) => (SEXTET[char.charCodeAt(0)] = value));
SEXTET[0x2b] = SEXTET[0x2d] = 62; // + -
SEXTET[0x2f] = SEXTET[0x5f] = 63; // / _

/** 1 for bytes of the base64 or base64url alphabet (padding excluded). */
export const RUN_BYTE: Uint8Array = SEXTET.map((value) => (value === 255 ? 0 : 1));

const hexValue = (byte: number): number => (byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : byte >= 0x61 && byte <= 0x66 ? byte - 0x57 : byte >= 0x41 && byte <= 0x46 ? byte - 0x37 : -1);

/** The character a `\u00XX` escape at `at` stands for, or -1. */
function unicodeEscape(b: Uint8Array, at: number, end: number): number {
  if (at + 6 > end || b[at + 1] !== 0x75 || b[at + 2] !== 0x30 || b[at + 3] !== 0x30) return -1;
  const high = hexValue(b[at + 4]!);
  const low = hexValue(b[at + 5]!);
  return high < 0 || low < 0 ? -1 : (high << 4) | low;
}

/**
 * Length of a sequence at `at` that a run continues through without a
 * character of its own being a base64 byte (`\/` or `\u002b`: a JSON escape of
 * an alphabet byte; a raw or escaped line break followed by more alphabet), or 0.
 * `char` receives the alphabet byte an escape stands for, -1 for a line break.
 */
export function continuation(b: Uint8Array, at: number, end: number, char: { value: number }): number {
  const byte = b[at];
  if (byte === BACKSLASH && at + 1 < end) {
    const next = b[at + 1];
    if (next === 0x2f) return (char.value = 0x2f), 2;
    if (next === 0x75) {
      const escaped = unicodeEscape(b, at, end);
      return escaped >= 0 && RUN_BYTE[escaped] ? ((char.value = escaped), 6) : 0;
    }
    const length = next === 0x6e ? 2 : next === 0x72 && b[at + 2] === BACKSLASH && b[at + 3] === 0x6e ? 4 : 0;
    return length && at + length < end && RUN_BYTE[b[at + length]!] ? ((char.value = -1), length) : 0;
  }
  const length = byte === LF ? 1 : byte === CR && b[at + 1] === LF ? 2 : 0;
  if (!length || at + length >= end || !RUN_BYTE[b[at + length]!]) return 0;
  // a multipart boundary line ("--boundary") after a line break ends the run
  if (b[at + length] === DASH && b[at + length + 1] === DASH) return 0;
  return (char.value = -1), length;
}

/**
 * The byte at `index` of what the run starting at `at` decodes to, when the
 * run's first characters up to it are plain alphabet bytes (no escapes), or -1.
 * A cheap look at one byte before any real decoding.
 */
export function decodedByteAt(b: Uint8Array, at: number, end: number, index: number): number {
  const bit = index * 8;
  const char = at + Math.floor(bit / 6);
  if (char + 1 >= end) return -1;
  const high = SEXTET[b[char]!]!;
  const low = SEXTET[b[char + 1]!]!;
  if (high === 255 || low === 255) return -1;
  const shift = bit % 6; // 0, 2 or 4 bits of `high` already belong to the previous byte
  return (((high << 6) | low) >> (4 - shift)) & 0xff;
}

export interface DecodedPrefix {
  readonly bytes: Uint8Array;
  /** Alphabet characters read. */
  readonly chars: number;
}

/**
 * Decodes the run starting at `at` until it ends, `end` is reached or
 * `maxBytes` bytes are out: the inspector only ever looks at the first bytes
 * of a run. Writes into `out` when given (reused by callers on a hot path).
 */
export function decodeRunPrefix(b: Uint8Array, at: number, end: number, maxBytes: number, out = new Uint8Array(maxBytes)): DecodedPrefix {
  const char = { value: 0 };
  let length = 0;
  let chars = 0;
  let bits = 0;
  let accumulator = 0;
  let i = at;
  while (i < end && length < maxBytes) {
    let byte = b[i]!;
    if (RUN_BYTE[byte]) {
      i++;
    } else {
      const step = continuation(b, i, end, char);
      if (step === 0) break;
      i += step;
      if (char.value < 0) continue;
      byte = char.value;
    }
    chars++;
    accumulator = ((accumulator << 6) | SEXTET[byte]!) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[length++] = (accumulator >> bits) & 0xff;
    }
  }
  return { bytes: out.subarray(0, length), chars };
}

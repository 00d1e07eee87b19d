/**
 * Base64 and base64url runs as they appear in text and JSON: the alphabets
 * mixed, JSON escapes (`\/`, `\u002b`) standing for alphabet characters, and
 * line breaks (raw, or escaped as `\n`) inside MIME-style wrapped base64.
 */

import { latin1EscapeAt } from './bytes.ts';

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

/**
 * The 12 bits two alphabet bytes stand for, indexed by `first << 8 | second`,
 * -1 when either is not an alphabet byte: half the lookups of SEXTET for each
 * four characters decoded.
 */
const PAIR_BITS = Int16Array.from({ length: 65536 }, (_, pair) => {
  const high = SEXTET[pair >> 8]!;
  const low = SEXTET[pair & 0xff]!;
  return high === 255 || low === 255 ? -1 : (high << 6) | low;
});

const SPACE = 0x20;
const PERCENT = 0x25;
const TAB = 0x09;
const EQUALS = 0x3d;
/** Alphabet bytes that must follow a fold (spaces or tabs around a line break) for the run to go on through it, unless padding ends them. */
const FOLD_MIN_CHARS = 8;
/** The most bytes one fold spans (`\r\n` and indentation). */
const FOLD_MAX_BYTES = 12;

/** The white space byte at `at`, raw or JSON-escaped (`\\r`, `\\n`, `\\t`), and its length; 0 when there is none. */
function blankAt(b: Uint8Array, at: number, end: number, blank: { byte: number }): number {
  const byte = b[at];
  if (byte === SPACE || byte === TAB || byte === CR || byte === LF) return ((blank.byte = byte), 1);
  if (byte !== BACKSLASH || at + 1 >= end) return 0;
  const escaped = b[at + 1] === 0x72 ? CR : b[at + 1] === 0x6e ? LF : b[at + 1] === 0x74 ? TAB : 0;
  return escaped ? ((blank.byte = escaped), 2) : 0;
}

const foldBlank = { byte: 0 };

/**
 * Length of a fold at `at`: spaces or tabs around at most one line break,
 * raw or JSON-escaped (`\r\n\t` header folding, base64 spaced into groups,
 * `\\r\\n` inside a JSON string), followed by more of the run
 * (FOLD_MIN_CHARS bytes of `alphabet`, or fewer that end in padding, or with
 * `shortLastLine` in anything but a word); or 0.
 */
export function foldAt(b: Uint8Array, at: number, end: number, alphabet: Uint8Array = RUN_BYTE, shortLastLine = false): number {
  let i = at;
  let lineBreaks = 0;
  for (;;) {
    const length = blankAt(b, i, end, foldBlank);
    if (length === 0) break;
    if (foldBlank.byte === LF && ++lineBreaks > 1) return 0;
    i += length;
    if (i - at > FOLD_MAX_BYTES) return 0;
  }
  if (i === at || i >= end) return 0;
  let chars = 0;
  while (chars < FOLD_MIN_CHARS && i + chars < end && alphabet[b[i + chars]!]) chars++;
  if (chars >= FOLD_MIN_CHARS) return i - at;
  // a short last line: base64 ends it with padding; with `shortLastLine`, anything but a word may
  const last = shortLastLine ? chars >= 2 && (i + chars >= end || !RUN_BYTE[b[i + chars]!]) : chars >= 2 && b[i + chars] === EQUALS;
  return last ? i - at : 0;
}

/**
 * Length of a sequence at `at` that a run continues through without a
 * character of its own being a base64 byte, or 0: a JSON escape of an
 * alphabet byte (`\/`, `\u002b`), a percent escape (`%2B`, `%2F`), and for a
 * run already long enough to be base64 (`folded`), a fold (white space or a
 * line break, raw or JSON-escaped, before more of it). A word is not glued
 * to base64 on the next line. `char` receives the alphabet byte an escape
 * stands for, -1 for a fold.
 */
export function continuation(b: Uint8Array, at: number, end: number, char: { value: number }, folded = false): number {
  const byte = b[at];
  if (byte === PERCENT) {
    const escaped = b[at + 1] === 0x32 && (b[at + 2]! | 0x20) === 0x62 ? 0x2b : b[at + 1] === 0x32 && (b[at + 2]! | 0x20) === 0x66 ? 0x2f : -1;
    return escaped > 0 && at + 3 <= end ? ((char.value = escaped), 3) : 0;
  }
  if (folded && (byte === SPACE || byte === TAB || byte === CR || byte === LF || byte === BACKSLASH)) {
    const fold = foldAt(b, at, end);
    // a multipart boundary line ("--boundary") after a line break ends the run
    if (fold > 0 && !(b[at + fold] === DASH && b[at + fold + 1] === DASH)) return ((char.value = -1), fold);
  }
  if (byte !== BACKSLASH || at + 1 >= end) return 0;
  if (b[at + 1] === 0x2f) return ((char.value = 0x2f), 2);
  const escaped = latin1EscapeAt(b, at, end);
  return escaped >= 0 && RUN_BYTE[escaped] ? ((char.value = escaped), 6) : 0;
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

/**
 * Decodes the first bytes of base64 runs into one buffer it reuses: the
 * inspector only ever looks at the start of a run.
 */
export class RunDecoder {
  readonly bytes: Uint8Array;
  /** After `decode`: bytes written to `bytes`, alphabet characters read, and the index where reading stopped (every byte before it is the run's). */
  length = 0;
  chars = 0;
  next = 0;
  /**
   * After `decode`, with a `watch` table: where in `bytes` the decoded bytes
   * it marks with 1 are, in order (the first `watchedCount`). Noted while
   * decoding, so that a caller looking for them need not read every byte again.
   */
  readonly watched: Int32Array;
  watchedCount = 0;
  /** Bits read but not yet written out (a partial byte), where `decode` stopped: `decodeOn` goes on from them. */
  private bits = 0;
  private accumulator = 0;
  private readonly escaped = { value: 0 };

  constructor(
    maxBytes: number,
    private readonly watch?: Uint8Array,
  ) {
    this.bytes = new Uint8Array(maxBytes);
    // one more than can be noted: positions are written before it is known whether they count
    this.watched = new Int32Array(watch ? maxBytes + 1 : 0);
  }

  /** Decodes the run starting at `at` until it ends, `end` is reached or `bytes` is full. */
  decode(b: Uint8Array, at: number, end: number): void {
    this.length = this.chars = this.bits = this.accumulator = this.watchedCount = 0;
    this.next = at;
    this.decodeRest(b, end);
  }

  /**
   * Decodes the same run as `before` did (a decoder of fewer bytes, over the
   * same `b`), its bytes copied and the rest decoded from where it stopped:
   * the run's start is not decoded twice.
   */
  decodeOn(before: RunDecoder, b: Uint8Array, end: number): void {
    this.bytes.set(before.bytes.subarray(0, before.length));
    this.length = before.length;
    this.chars = before.chars;
    this.next = before.next;
    this.bits = before.bits;
    this.accumulator = before.accumulator;
    this.watchedCount = 0;
    this.decodeRest(b, end);
  }

  private decodeRest(b: Uint8Array, end: number): void {
    const out = this.bytes;
    const watch = this.watch;
    const watched = this.watched;
    let watchedCount = this.watchedCount;
    let length = this.length;
    let chars = this.chars;
    let bits = this.bits;
    let accumulator = this.accumulator;
    let i = this.next;
    while (i < end && length < out.length) {
      if (bits === 0) {
        // four plain characters at a time, three bytes out, while the quantum is aligned
        const from = i;
        const quanta = Math.min((end - i) >> 2, ((out.length - length) / 3) | 0);
        const stop = i + quanta * 4;
        while (i < stop) {
          const high = PAIR_BITS[(b[i]! << 8) | b[i + 1]!]!;
          const low = PAIR_BITS[(b[i + 2]! << 8) | b[i + 3]!]!;
          if ((high | low) < 0) break;
          const o0 = high >> 4;
          const o1 = ((high << 4) | (low >> 8)) & 0xff;
          const o2 = low & 0xff;
          out[length] = o0;
          out[length + 1] = o1;
          out[length + 2] = o2;
          if (watch !== undefined) {
            // without a branch: which bytes are watched is as random as the bytes
            watched[watchedCount] = length;
            watchedCount += watch[o0]!;
            watched[watchedCount] = length + 1;
            watchedCount += watch[o1]!;
            watched[watchedCount] = length + 2;
            watchedCount += watch[o2]!;
          }
          length += 3;
          i += 4;
        }
        chars += i - from;
        if (i >= end || length >= out.length) break;
      }
      let byte = b[i]!;
      if (RUN_BYTE[byte]) {
        i++;
      } else {
        const step = continuation(b, i, end, this.escaped, true);
        if (step === 0) break;
        i += step;
        if (this.escaped.value < 0) continue;
        byte = this.escaped.value;
      }
      chars++;
      accumulator = ((accumulator << 6) | SEXTET[byte]!) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        const value = (accumulator >> bits) & 0xff;
        if (watch !== undefined && watch[value] === 1) watched[watchedCount++] = length;
        out[length++] = value;
      }
    }
    this.length = length;
    this.chars = chars;
    this.next = i;
    this.bits = bits;
    this.accumulator = accumulator;
    this.watchedCount = watchedCount;
  }
}

/**
 * Decodes a whole run, piece by piece as the scanner passes it, so that what
 * it holds is inspected like any content (base64 of a ZIP, of gzip, of JSON
 * with a data: URL, of base64). The run ends where the scanner's does.
 */
export class RunStream {
  /** `ended` once a byte that does not continue the run has been reached. */
  ended = false;
  private bits = 0;
  private accumulator = 0;
  private readonly escaped = { value: 0 };

  /**
   * Decodes the run's bytes from `b[from]` up to `to` (a continuation may read
   * on to `end`) into `out` (at least 3/4 of `to - from` long); returns where it
   * stopped and the bytes written.
   */
  decode(b: Uint8Array, from: number, to: number, end: number, out: Uint8Array): { next: number; written: number } {
    let written = 0;
    let i = from;
    while (i < to) {
      if (this.bits === 0) {
        // four plain characters at a time while the quantum is aligned (`out` has room: 3/4 of the input)
        const stop = i + ((to - i) & ~3);
        while (i < stop) {
          const high = PAIR_BITS[(b[i]! << 8) | b[i + 1]!]!;
          const low = PAIR_BITS[(b[i + 2]! << 8) | b[i + 3]!]!;
          if ((high | low) < 0) break;
          out[written] = high >> 4;
          out[written + 1] = ((high << 4) | (low >> 8)) & 0xff;
          out[written + 2] = low & 0xff;
          written += 3;
          i += 4;
        }
        if (i >= to) break;
      }
      let byte = b[i]!;
      if (RUN_BYTE[byte]) {
        i++;
      } else {
        const step = continuation(b, i, end, this.escaped, true);
        if (step === 0) {
          this.ended = true;
          break;
        }
        i += step;
        if (this.escaped.value < 0) continue;
        byte = this.escaped.value;
      }
      this.accumulator = ((this.accumulator << 6) | SEXTET[byte]!) & 0xffffff;
      this.bits += 6;
      if (this.bits >= 8) {
        this.bits -= 8;
        out[written++] = (this.accumulator >> this.bits) & 0xff;
      }
    }
    return { next: i, written };
  }
}

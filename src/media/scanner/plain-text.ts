import { RUN_BYTE } from '../base64.ts';
import { BINARY_BYTE, BINARY_EVIDENCE_SPAN } from '../signatures/index.ts';
import { utf8SequenceLength } from '../utf8.ts';
import { MIN_RUN_CHARS } from './runs.ts';

/**
 * The scanner's inner loops. `PlainText.skip` runs over text, JSON and words,
 * eight bytes a step with a table lookup for each, and stops only where a
 * decision is due. What a byte means depends on the byte before it, so the
 * special bytes of JSON (quotes, colons, line breaks) stop it only in the few
 * contexts that matter:
 *
 * - `:` after `a` or `A` (it may end a `data:` scheme);
 * - `x` after `"` (a packed string's zlib header), `t` after `_` (`rr_type`),
 *   a digit or `-` after `[` and `0` after `"` (JSON byte values);
 * - bytes spelt out (scanner/byte-spellings.ts): a digit or `-` after `,`
 *   or `;`, a space after `,`, a digit after a line feed (a list, a hex dump), `"` or white
 *   space after `[`, `x` after `0`;
 * - every line feed in multipart content (a delimiter may follow);
 * - a hex digit after `=` (quoted-printable), `b` after a line feed or `"` (uuencode's `begin`);
 * - a backslash, a `%`, a byte that text never contains, a byte >= 0x80 in UTF-8 text;
 * - the MIN_RUN_CHARS-th byte of a run of base64 alphabet.
 *
 * In binary content nearly every byte is one that text never contains, and
 * stopping at each would cost a decision per byte. So after such a byte the
 * scanner reads on with `skipBinary`, which stops only where text would stop
 * for anything else (and at `PK` followed by 1 or 3, where ZIP headers
 * begin) and reports the first and last binary bytes it passed: no two
 * binary bytes between them are further apart than BINARY_EVIDENCE_SPAN, so
 * they vouch for every position from BINARY_EVIDENCE_SPAN - 1 before the
 * first to the last, which the scanner then checks for signatures in one
 * pass. Once no binary byte has come for BINARY_EVIDENCE_SPAN bytes, the
 * content is text again.
 */

/** In a byte's action: an alphabet byte, which grows the run (as a mask: `(run + 1) & action`, runs stay below 0x40). */
const GROWS_RUN = 0x3f;
/** In a byte's action: the byte needs a decision. */
const DECIDE = 0x40;
/** In a byte's action: a byte that text never contains (BINARY_BYTE). */
const BINARY = 0x80;
/** In BYTE_ACTIONS: what the byte needs depends on the byte before it (look it up in ACTIONS). */
const PAIRED = DECIDE;

/** Kinds of content, as bits of the table index: they differ in which bytes need a decision. */
const UTF8 = 1;
const MULTIPART = 2;
/** Read by `skipBinary`: binary bytes need no decision of their own. */
const BINARY_STRETCH = 4;
const KINDS = 8;

const QUOTE = 0x22;
const COLON = 0x3a;
const COMMA = 0x2c;
const BACKSLASH = 0x5c;
const PERCENT = 0x25;
const EQUALS = 0x3d;
const LF = 0x0a;
const K = 0x4b;
const SOH = 0x01;
const ETX = 0x03;

/** The action of each byte after each byte in each kind of content, indexed by `kind << 16 | before << 8 | byte`. */
function actionTable(): Uint8Array {
  const table = new Uint8Array(KINDS << 16);
  for (let kind = 0; kind < KINDS; kind++) {
    const alone = Uint8Array.from({ length: 256 }, (_, byte) => {
      const binary = BINARY_BYTE[byte] === 1;
      const decide =
        byte === BACKSLASH || byte === PERCENT || (binary && !(kind & BINARY_STRETCH)) || (kind & UTF8 && byte >= 0x80) || (kind & MULTIPART && byte === LF);
      return (RUN_BYTE[byte] ? GROWS_RUN : 0) | (decide ? DECIDE : 0) | (binary ? BINARY : 0);
    });
    for (let before = 0; before < 256; before++) table.set(alone, (kind << 16) | (before << 8));
    const decideAfter = (before: number, byte: number): void => void (table[(kind << 16) | (before << 8) | byte]! |= DECIDE);
    decideAfter(QUOTE, 0x78);
    decideAfter(QUOTE, 0x30);
    for (let digit = 0x30; digit <= 0x39; digit++) decideAfter(0x5b, digit);
    decideAfter(0x5f, 0x74);
    decideAfter(0x61, COLON);
    decideAfter(0x41, COLON);
    // `PK\x03\x04` and `PK\x01\x02`: ZIP local and central headers
    decideAfter(K, ETX);
    decideAfter(K, SOH);
    // bytes spelt out (scanner/byte-spellings.ts)
    decideAfter(0x5b, 0x2d); // `[-`: signed byte values
    decideAfter(0x5b, QUOTE); // `["`: byte strings
    decideAfter(0x30, 0x78); // `0x`: hex literals
    for (const after of [LF, 0x0d, 0x20]) decideAfter(0x5b, after); // a pretty-printed array
    // lists of values: `1,2`, `1;2`, `1,-2`, `1, 2`; `1 2` where a line starts
    for (let digit = 0x30; digit <= 0x39; digit++) decideAfter(COMMA, digit), decideAfter(0x3b, digit), decideAfter(LF, digit);
    decideAfter(COMMA, 0x2d);
    decideAfter(0x3b, 0x2d);
    decideAfter(COMMA, 0x20);
    decideAfter(LF, 0x62); // `begin` of uuencoded text
    decideAfter(QUOTE, 0x62); // ... at the start of a JSON string
    // `=89`: quoted-printable
    for (const digit of '0123456789ABCDEFabcdef') decideAfter(EQUALS, digit.charCodeAt(0));
  }
  return table;
}

/**
 * The action of each byte in each kind of content whatever the byte before
 * it, indexed by `kind << 8 | byte`, with PAIRED where it does depend on it:
 * 2 KiB that stay in the first-level cache where the 512 KiB of ACTIONS,
 * read at random by binary bytes, do not.
 */
function byteActionTable(actions: Uint8Array): Uint8Array {
  const table = new Uint8Array(KINDS << 8);
  for (let kind = 0; kind < KINDS; kind++) {
    for (let byte = 0; byte < 256; byte++) {
      const alone = actions[(kind << 16) | byte]!;
      let paired = false;
      for (let before = 1; before < 256 && !paired; before++) paired = actions[(kind << 16) | (before << 8) | byte] !== alone;
      table[(kind << 8) | byte] = alone | (paired ? PAIRED : 0);
    }
  }
  return table;
}

// Module constants rather than imports or fields: the loops read them for every byte, and V8 reads these fastest.
const ACTIONS = actionTable();
const BYTE_ACTIONS = byteActionTable(ACTIONS);
const LONG_RUN = MIN_RUN_CHARS;
const ALPHABET: Uint8Array = RUN_BYTE;
const sequenceLength = utf8SequenceLength;

export class PlainText {
  /** After `skip`: the length of the run of alphabet bytes (and escapes) that ends where it stopped. */
  run = 0;
  /** Binary bytes have come lately: `skipBinary` reads on. */
  binary = false;
  /** After `skipBinary`: the indexes of the first and last binary bytes it passed, or -1. */
  firstBinary = -1;
  lastBinary = -1;
  /** Where this kind of content's actions begin in ACTIONS. */
  private readonly offset: number;
  /** This kind of content's part of ACTIONS, indexed by `before << 8 | byte`: one operation less per byte than ACTIONS itself. */
  private readonly actions: Uint8Array;

  constructor(utf8: boolean, multipart: boolean) {
    this.offset = ((utf8 ? UTF8 : 0) | (multipart ? MULTIPART : 0)) << 16;
    this.actions = ACTIONS.subarray(this.offset, this.offset + 0x10000);
  }

  /**
   * Like `skip` through binary content: index of the first byte in
   * `b[p, limit)` that needs a decision other than a binary byte's (or a
   * little past `limit`, after a UTF-8 sequence), or of the byte
   * BINARY_EVIDENCE_SPAN bytes after the last binary byte, where `binary`
   * turns false. Sets `firstBinary` and `lastBinary`.
   */
  skipBinary(b: Uint8Array, p: number, limit: number, end: number, run: number): number {
    const offset = this.offset | (BINARY_STRETCH << 16);
    const byteOffset = offset >> 8;
    let firstBinary = -1;
    let lastBinary = -1;
    // the byte before `p` was binary, or this goes on where a previous call stopped
    let lastSeen = p - 1;
    let before = p > 0 ? b[p - 1]! : 0;
    for (; p < limit; p++) {
      const byte = b[p]!;
      let action = BYTE_ACTIONS[byteOffset | byte]!;
      if ((action & PAIRED) !== 0) action = ACTIONS[offset | (before << 8) | byte]!;
      if ((action & BINARY) !== 0) {
        if (firstBinary < 0) firstBinary = p;
        lastBinary = lastSeen = p;
      } else if (p - lastSeen >= BINARY_EVIDENCE_SPAN) {
        this.binary = false;
        break;
      }
      const grown = (run + 1) & action;
      if ((action & DECIDE) !== 0 || grown >= LONG_RUN) {
        const length = byte >= 0xc2 && byte <= 0xf4 ? sequenceLength(b, p, end) : 0;
        if (length === 0) break;
        run = 0;
        p += length - 1;
        before = b[p]!;
        continue;
      }
      run = grown;
      before = byte;
    }
    this.run = run;
    this.firstBinary = firstBinary;
    this.lastBinary = lastBinary;
    return p;
  }

  /**
   * Index of the first byte in `b[p, limit)` that needs a decision, or
   * `limit` (or a little past it, after a UTF-8 sequence that reads on to
   * `end`). `run` is the length of the run that `b[p]` would continue (below
   * MIN_RUN_CHARS).
   */
  skip(b: Uint8Array, p: number, limit: number, end: number, run: number): number {
    const actions = this.actions;
    while (p < limit) {
      if (run === 0 && p > 0) {
        // Eight bytes a step while none needs a decision and the run does not reach LONG_RUN
        // (which needs one at its exact byte), counted only where a block is all alphabet
        // bytes: from the end of the block before, the run's start (the byte before the first
        // block is no part of one).
        const blocksFrom = p;
        let counted = true;
        while (p + 8 <= limit) {
          const a0 = actions[(b[p - 1]! << 8) | b[p]!]!;
          const a1 = actions[(b[p]! << 8) | b[p + 1]!]!;
          const a2 = actions[(b[p + 1]! << 8) | b[p + 2]!]!;
          const a3 = actions[(b[p + 2]! << 8) | b[p + 3]!]!;
          const a4 = actions[(b[p + 3]! << 8) | b[p + 4]!]!;
          const a5 = actions[(b[p + 4]! << 8) | b[p + 5]!]!;
          const a6 = actions[(b[p + 5]! << 8) | b[p + 6]!]!;
          const a7 = actions[(b[p + 6]! << 8) | b[p + 7]!]!;
          if (((a0 | a1 | a2 | a3 | a4 | a5 | a6 | a7) & DECIDE) !== 0) break;
          if ((a0 & a1 & a2 & a3 & a4 & a5 & a6 & a7 & GROWS_RUN) !== 0) {
            if (!counted) run = trailingRun(b, p, blocksFrom);
            counted = true;
            if (run + 8 >= LONG_RUN) break;
            run += 8;
          } else {
            // the alphabet bytes that begin the block (seven at most) lengthen the run counted so far
            if (counted && run + 7 >= LONG_RUN && run + leadingRun(b, p) >= LONG_RUN) break;
            counted = false;
          }
          p += 8;
        }
        if (!counted) run = trailingRun(b, p, blocksFrom);
      }
      // byte by byte through this block, and on to the end of a run in it
      const blockEnd = p + 8;
      let before = p > 0 ? b[p - 1]! : 0;
      for (; p < limit; p++) {
        const byte = b[p]!;
        const action = actions[(before << 8) | byte]!;
        const grown = (run + 1) & action;
        if ((action & DECIDE) !== 0 || grown >= LONG_RUN) {
          // a character of UTF-8 text is checked here, so that text in other scripts runs on
          const length = byte >= 0xc2 && byte <= 0xf4 ? sequenceLength(b, p, end) : 0;
          if (length === 0) {
            this.run = run;
            return p;
          }
          run = 0;
          p += length - 1;
          before = b[p]!;
          continue;
        }
        run = grown;
        before = byte;
        if (run === 0 && p >= blockEnd) {
          p++;
          break;
        }
      }
    }
    this.run = run;
    return p;
  }
}

/** The alphabet bytes in a row that begin at `b[p]`, when fewer than 8. */
function leadingRun(b: Uint8Array, p: number): number {
  let run = 0;
  while (run < 7 && ALPHABET[b[p + run]!]) run++;
  return run;
}

/** The alphabet bytes in a row that end at `b[p - 1]`, when fewer than 8 and all at or after `from`. */
function trailingRun(b: Uint8Array, p: number, from: number): number {
  let run = 0;
  while (run < p - from && run < 8 && ALPHABET[b[p - 1 - run]!]) run++;
  return run;
}

/** Index of the first byte in `b[p, limit)` that is not a base64 alphabet byte, or `limit`. */
export function skipAlphabet(b: Uint8Array, p: number, limit: number): number {
  // four bytes a step through the long runs of base64 bodies, then byte by byte to the end
  while (p + 4 <= limit && ALPHABET[b[p]!]! & ALPHABET[b[p + 1]!]! & ALPHABET[b[p + 2]!]! & ALPHABET[b[p + 3]!]!) p += 4;
  while (p < limit && ALPHABET[b[p]!]) p++;
  return p;
}

/**
 * Hex dumps as the usual tools print them, 16 bytes a line:
 *
 * - `xxd`: `00000000: 8950 4e47 0d0a 1a0a 0000 000d 4948 4452  .PNG........IHDR`
 * - `hexdump -C`: `00000000  89 50 4e 47 0d 0a 1a 0a  00 00 00 0d 49 48 44 52  |.PNG........IHDR|`
 * - `od -An -tx1`: ` 89 50 4e 47 0d 0a 1a 0a 00 00 00 0d 49 48 44 52`
 *
 * Offsets and the text column are skipped. A `*` line stands for the line
 * before it repeated (`hexdump` and `od` leave out repeats): as many times
 * as the next offset says in `hexdump -C`, once in `od -An`, which prints no
 * offsets.
 */

import { HEX_VALUE } from './hex-digits.ts';

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const COLON = 0x3a;
const BAR = 0x7c;
const STAR = 0x2a;

const isHex = (byte: number | undefined): boolean => byte !== undefined && HEX_VALUE[byte]! >= 0;

export type HexDumpFormat = 'xxd' | 'hexdump -C' | 'od';

/** Bytes the first line of a dump must hold for it to be decoded. */
export const MIN_DUMP_BYTES = 8;
const OFFSET_DIGITS = 8;
/** How far into its first line a dump must show MIN_DUMP_BYTES bytes. */
const FIRST_LINE_BYTES = 128;

const LINE_START = 0;
const OFFSET = 1;
const HEX = 2;
const TEXT_COLUMN = 3;

/** The most bytes a dump line holds (`xxd -c 256`). */
const MAX_LINE_BYTES = 256;
/** Offsets past this are no dump's: the line is not one. */
const MAX_OFFSET = 2 ** 48;

/** Lines a `*` stands for, and the line they repeat. */
export interface RepeatedLines {
  readonly line: Uint8Array;
  readonly times: number;
}

/** Decodes a dump piece by piece; ends at the first line that is not one of its lines. */
export class HexDump {
  ended = false;
  private state = LINE_START;
  private high = -1;
  private spaces = 0;
  /** The offset of the line being read (hex digits so far), and where the line before it began. */
  private offset = 0;
  private lineOffset = 0;
  private previousOffset = 0;
  private readonly line = new Uint8Array(MAX_LINE_BYTES);
  private lineLength = 0;
  private previous: Uint8Array = new Uint8Array(0);
  /** A `*` line was read: the repeats are known at the next line's offset (or its start, for `od`). */
  private starred = false;
  private repeat: RepeatedLines | null = null;

  constructor(private readonly format: HexDumpFormat) {}

  /**
   * Decodes `b[from, to)` into `out`; returns where it stopped and the bytes
   * written, and, when a `*` line's repeats became known, stops right there
   * and answers them (what `out` holds comes before them).
   */
  decode(b: Uint8Array, from: number, to: number, out: Uint8Array): { next: number; written: number; repeat: RepeatedLines | null } {
    let written = 0;
    let i = from;
    for (; i < to; i++) {
      const byte = b[i]!;
      const value = this.step(byte);
      if (value >= 0) {
        out[written++] = value;
        if (this.lineLength < MAX_LINE_BYTES) this.line[this.lineLength++] = value;
      } else if (this.ended) break;
      if (this.repeat) {
        const repeat = this.repeat;
        this.repeat = null;
        return { next: i + 1, written, repeat };
      }
    }
    return { next: i, written, repeat: null };
  }

  /** A decoded byte, or -1. */
  private step(byte: number): number {
    if (byte === CR) return -1;
    switch (this.state) {
      case LINE_START:
        if (byte === STAR && this.format !== 'xxd') return ((this.starred = true), this.go(TEXT_COLUMN));
        if (this.format === 'od') {
          if (byte !== SPACE) return this.end();
          if (this.starred) this.repeated(1);
          return this.go(HEX);
        }
        if (!isHex(byte)) return this.end();
        this.offset = HEX_VALUE[byte]!;
        return this.go(OFFSET);
      case OFFSET:
        if (isHex(byte)) {
          this.offset = this.offset * 16 + HEX_VALUE[byte]!;
          return this.offset > MAX_OFFSET ? this.end() : -1;
        }
        if (byte !== LF && byte !== (this.format === 'xxd' ? COLON : SPACE)) return this.end();
        if (this.starred && this.previous.length > 0) this.repeated((this.offset - this.previousOffset) / this.previous.length - 1);
        this.lineOffset = this.offset;
        return this.go(byte === LF ? LINE_START : HEX);
      case TEXT_COLUMN:
        return byte === LF ? this.lineEnd() : -1;
    }
    return this.hex(byte);
  }

  /** The `*` before stood for `times` more of the line before it (none when the offsets do not say a whole number). */
  private repeated(times: number): void {
    this.starred = false;
    if (Number.isInteger(times) && times > 0) this.repeat = { line: this.previous, times };
  }

  /** A line ends: it is the one a `*` after it repeats. */
  private lineEnd(): number {
    if (this.lineLength > 0) {
      this.previous = this.line.slice(0, this.lineLength);
      this.previousOffset = this.lineOffset;
    }
    this.lineLength = 0;
    return this.go(LINE_START);
  }

  private hex(byte: number): number {
    const digit = HEX_VALUE[byte]!;
    if (digit >= 0) {
      // xxd: two spaces end the hex, and its text column may begin with hex digits
      if (this.format === 'xxd' && this.spaces >= 2) return this.go(TEXT_COLUMN);
      this.spaces = 0;
      if (this.high < 0) return ((this.high = digit), -1);
      const value = (this.high << 4) | digit;
      this.high = -1;
      return value;
    }
    if (this.high >= 0) return this.end();
    if (byte === SPACE) return (this.spaces++, -1);
    if (byte === LF) return this.lineEnd();
    if (byte === BAR && this.format === 'hexdump -C') return this.go(TEXT_COLUMN);
    return this.format === 'xxd' && this.spaces >= 2 ? this.go(TEXT_COLUMN) : this.end();
  }

  private go(state: number): number {
    this.state = state;
    this.spaces = 0;
    return -1;
  }

  private end(): number {
    this.ended = true;
    return -1;
  }
}

/** Whether `count` hex digits stand at `at`. */
function hexDigits(b: Uint8Array, at: number, count: number, end: number): boolean {
  if (at + count > end) return false;
  for (let i = at; i < at + count; i++) if (!isHex(b[i])) return false;
  return true;
}

/** The dump format whose first line, with MIN_DUMP_BYTES bytes or more, starts at `at`, or null. */
export function hexDumpAt(b: Uint8Array, at: number, end: number): HexDumpFormat | null {
  const format = dumpPrefix(b, at, end);
  if (!format) return null;
  const dump = new HexDump(format);
  const out = new Uint8Array(1);
  let bytes = 0;
  for (let i = at; i < Math.min(end, at + FIRST_LINE_BYTES) && bytes < MIN_DUMP_BYTES; i++) {
    const { written } = dump.decode(b, i, i + 1, out);
    if (dump.ended || b[i] === LF) return null;
    bytes += written;
  }
  return bytes >= MIN_DUMP_BYTES ? format : null;
}

function dumpPrefix(b: Uint8Array, at: number, end: number): HexDumpFormat | null {
  if (b[at] === SPACE) return hexDigits(b, at + 1, 2, end) && b[at + 3] === SPACE && hexDigits(b, at + 4, 2, end) ? 'od' : null;
  if (!hexDigits(b, at, OFFSET_DIGITS, end)) return null;
  const after = at + OFFSET_DIGITS;
  if (b[after] === COLON && b[after + 1] === SPACE && isHex(b[after + 2])) return 'xxd';
  return b[after] === SPACE && b[after + 1] === SPACE && isHex(b[after + 2]) ? 'hexdump -C' : null;
}

/**
 * Hex dumps as the usual tools print them, 16 bytes a line:
 *
 * - `xxd`: `00000000: 8950 4e47 0d0a 1a0a 0000 000d 4948 4452  .PNG........IHDR`
 * - `hexdump -C`: `00000000  89 50 4e 47 0d 0a 1a 0a  00 00 00 0d 49 48 44 52  |.PNG........IHDR|`
 * - `od -An -tx1`: ` 89 50 4e 47 0d 0a 1a 0a 00 00 00 0d 49 48 44 52`
 *
 * Offsets and the text column are skipped; a `*` line (a repeated line
 * that `hexdump` and `od` leave out) is skipped too.
 */

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const COLON = 0x3a;
const BAR = 0x7c;
const STAR = 0x2a;

const HEX_VALUE = Int8Array.from({ length: 256 }, (_, byte) =>
  byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66 ? (byte | 0x20) - 0x57 : -1,
);
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

/** Decodes a dump piece by piece; ends at the first line that is not one of its lines. */
export class HexDump {
  ended = false;
  private state = LINE_START;
  private high = -1;
  private spaces = 0;

  constructor(private readonly format: HexDumpFormat) {}

  decode(b: Uint8Array, from: number, to: number, out: Uint8Array): { next: number; written: number } {
    let written = 0;
    let i = from;
    for (; i < to; i++) {
      const byte = b[i]!;
      const value = this.step(byte);
      if (value >= 0) out[written++] = value;
      else if (this.ended) break;
    }
    return { next: i, written };
  }

  /** A decoded byte, or -1. */
  private step(byte: number): number {
    if (byte === CR) return -1;
    switch (this.state) {
      case LINE_START:
        if (byte === STAR && this.format !== 'xxd') return this.go(TEXT_COLUMN);
        if (this.format === 'od') return byte === SPACE ? this.go(HEX) : this.end();
        return isHex(byte) ? this.go(OFFSET) : this.end();
      case OFFSET:
        if (isHex(byte)) return -1;
        if (byte === LF) return this.go(LINE_START);
        if (this.format === 'xxd') return byte === COLON ? this.go(HEX) : this.end();
        return byte === SPACE ? this.go(HEX) : this.end();
      case TEXT_COLUMN:
        return byte === LF ? this.go(LINE_START) : -1;
    }
    return this.hex(byte);
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
    if (byte === LF) return this.go(LINE_START);
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

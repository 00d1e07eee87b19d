/**
 * uuencode, as `uuencode` and mail and news clients write it:
 *
 *     begin 644 shot.png
 *     MB5!.1PT*&@H````-24A$4@```!`````0"`(```"0D6@V````"7!(67,````!
 *     ...
 *     `
 *     end
 *
 * Each line starts with its byte count (a character, 32 + count; `M` is 45)
 * and holds four characters (32 + 6 bits, or a backtick for 0) for every
 * three bytes. The `begin` line is what gives it away; `begin-base64` is
 * base64, which the base64 runs read.
 */

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const BACKTICK = 0x60;
const BACKSLASH = 0x5c;

const isOctal = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x37;
const BEGIN = [0x62, 0x65, 0x67, 0x69, 0x6e, SPACE]; // "begin "
/** The longest `begin` line looked at: the mode and a file name. */
const MAX_BEGIN_LINE = 512;

/** Whether `begin <mode> <name>` and a line break (with `escaped`, `\n` or `\r\n` as a JSON string writes it) start at `at`. */
export function uuBeginAt(b: Uint8Array, at: number, end: number, escaped = false): boolean {
  if (at + BEGIN.length + 5 > end) return false;
  for (let i = 0; i < BEGIN.length; i++) if (b[at + i] !== BEGIN[i]) return false;
  let i = at + BEGIN.length;
  const modeStart = i;
  while (i < end && isOctal(b[i])) i++;
  if (i - modeStart < 3 || i - modeStart > 4 || b[i] !== SPACE) return false;
  const nameStart = ++i;
  const stop = Math.min(end, at + MAX_BEGIN_LINE);
  while (i < stop && b[i]! >= SPACE && b[i] !== 0x7f && !(escaped && b[i] === BACKSLASH)) i++;
  if (i === nameStart || i >= stop) return false;
  if (escaped) return b[i] === BACKSLASH && (b[i + 1] === 0x6e || (b[i + 1] === 0x72 && b[i + 2] === BACKSLASH && b[i + 3] === 0x6e));
  return b[i] === LF || (b[i] === CR && b[i + 1] === LF);
}

const HEADER = 0;
const LENGTH = 1;
const DATA = 2;
const REST_OF_LINE = 3;

/** The value of a uuencoded character, or -1 for a character uuencode never writes. */
const uuValue = (byte: number): number => (byte >= SPACE && byte <= BACKTICK ? (byte - SPACE) & 0x3f : -1);

/**
 * Decodes uuencoded text from its `begin` line, piece by piece: ends at a
 * line of no bytes (the backtick line before `end`) or at a character that
 * is none of uuencode's.
 */
export class UuStream {
  ended = false;
  private state = HEADER;
  /** Bytes the current line still holds. */
  private remaining = 0;
  private group = 0;
  private chars = 0;

  decode(b: Uint8Array, from: number, to: number, out: Uint8Array): { next: number; written: number } {
    let written = 0;
    let i = from;
    for (; i < to && !this.ended; i++) {
      const byte = b[i]!;
      if (this.state === HEADER || this.state === REST_OF_LINE) {
        if (byte === LF) this.state = LENGTH;
        continue;
      }
      if (byte === CR) continue;
      if (this.state === LENGTH) {
        const count = uuValue(byte);
        if (count <= 0) {
          this.ended = true;
          if (count === 0) i++;
          break;
        }
        this.remaining = count;
        this.group = this.chars = 0;
        this.state = DATA;
        continue;
      }
      if (byte === LF) {
        // the line ended early: trailing spaces (zeros) stripped on the way, which complete its last group
        if (this.chars > 0) written = this.flush(out, written, Math.min(3, out.length - written));
        this.state = LENGTH;
        continue;
      }
      const value = uuValue(byte);
      if (value < 0) {
        this.ended = true;
        break;
      }
      this.group = (this.group << 6) | value;
      if (++this.chars === 4) {
        written = this.flush(out, written, 3);
        if (this.remaining === 0) this.state = REST_OF_LINE;
      }
    }
    return { next: i, written };
  }

  /** Writes up to `count` bytes of the group read so far (the line's count allowing) and starts a new group. */
  private flush(out: Uint8Array, written: number, count: number): number {
    const group = this.group << (6 * (4 - this.chars));
    const take = Math.min(count, this.remaining);
    for (let k = 0; k < take; k++) out[written++] = (group >> (16 - 8 * k)) & 0xff;
    this.remaining -= take;
    this.group = this.chars = 0;
    return written;
  }
}

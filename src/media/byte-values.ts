/**
 * Bytes written as JSON numbers: an array of byte values (`[137,80,78,71]`:
 * Node's `{"type":"Buffer","data":[...]}`, rrweb's Blob `data`, a spread
 * Uint8Array; signed, `[-119,80,78,71]`: Java's `byte[]` by Gson or Kotlin)
 * or an object keyed by index (`{"0":137,"1":80}`:
 * `JSON.stringify(new Uint8Array(...))`).
 */

const COMMA = 0x2c;
const MINUS = 0x2d;
const COLON = 0x3a;
const QUOTE = 0x22;
const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x39;
const isSpace = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** Values that must open the array or object for it to count as bytes: fewer is a list of small numbers. */
const MIN_VALUES = 8;

export type ByteValuesShape = 'array' | 'object';

/**
 * Whether `b[at]` (just past `[`, or at the `"` of `{"0":`) opens MIN_VALUES
 * integers from 0 to 255 in that shape, all in view.
 */
export function opensByteValues(b: Uint8Array, at: number, end: number, shape: ByteValuesShape): boolean {
  const values = new ByteValues(shape);
  let count = 0;
  for (let i = at; i < end && count < MIN_VALUES; i++) {
    const state = values.step(b[i]!);
    if (state === ENDED) return false;
    if (state === VALUE) count++;
  }
  return count >= MIN_VALUES;
}

const GOING = 0;
const VALUE = 1;
const ENDED = 2;

/** Reads byte values character by character; ends at the closing bracket or the first character that does not fit. */
export class ByteValues {
  /** The value being read, or -1 between values. */
  private value = -1;
  /** The value being read has a minus sign: -128 to -1 stand for 128 to 255. */
  private negative = false;
  /** In an object: inside a key, or after the colon that opens a value. */
  private inKey = false;
  private afterColon: boolean;
  ended = false;
  /** The value that the last VALUE step completed. */
  private last = 0;

  constructor(private readonly shape: ByteValuesShape) {
    this.afterColon = shape === 'array';
  }

  /** Decodes `b[from, to)` into `out`; returns where it stopped and the bytes written. */
  decode(b: Uint8Array, from: number, to: number, out: Uint8Array): { next: number; written: number } {
    let written = 0;
    let i = from;
    for (; i < to && !this.ended; i++) {
      const byte = b[i]!;
      const state = this.step(byte);
      if (state === VALUE) out[written++] = this.last;
    }
    return { next: i, written };
  }

  /** GOING, VALUE (a value is complete: `last`) or ENDED. */
  step(byte: number): number {
    if (this.inKey) {
      if (byte === QUOTE) this.inKey = false;
      else if (!isDigit(byte)) return this.end();
      return GOING;
    }
    if (byte === MINUS && this.afterColon && this.value < 0 && !this.negative) return ((this.negative = true), GOING);
    if (isDigit(byte) && this.afterColon) {
      this.value = this.value < 0 ? byte - 0x30 : this.value * 10 + byte - 0x30;
      return this.value > (this.negative ? 128 : 255) ? this.end() : GOING;
    }
    if (isSpace(byte)) return GOING;
    const closes = byte === (this.shape === 'array' ? 0x5d : 0x7d);
    if (byte === COMMA || closes) {
      if (this.value < 0) return this.end();
      this.last = this.negative ? (256 - this.value) & 0xff : this.value;
      this.value = -1;
      this.negative = false;
      if (this.shape === 'object') this.afterColon = false;
      if (closes) this.ended = true;
      return VALUE;
    }
    if (this.shape === 'object' && byte === QUOTE && !this.afterColon && this.value < 0) return ((this.inKey = true), GOING);
    if (this.shape === 'object' && byte === COLON && !this.afterColon) return ((this.afterColon = true), GOING);
    return this.end();
  }

  private end(): number {
    this.ended = true;
    return ENDED;
  }
}

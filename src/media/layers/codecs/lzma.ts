import { CorruptData } from './corrupt.ts';
import type { LzWindow } from './lz-window.ts';

/**
 * The LZMA decoder, from the algorithm's description (a range coder over
 * adaptive bit probabilities, literals, matches and four repeated
 * distances). It decodes symbol by symbol into an LzWindow and keeps its
 * state between calls, so input can arrive in any pieces.
 */

/** lc, lp and pb: literal context bits, literal position bits, position bits. */
export interface LzmaProperties {
  readonly literalContext: number;
  readonly literalPosition: number;
  readonly positionBits: number;
}

/** The properties byte ((pb * 5 + lp) * 9 + lc), or null when it is not one. */
export function lzmaProperties(byte: number): LzmaProperties | null {
  if (byte >= 9 * 5 * 5) return null;
  return { literalContext: byte % 9, literalPosition: Math.floor(byte / 9) % 5, positionBits: Math.floor(byte / 45) };
}

/** The most input one symbol can take (xz's decoders use 20): below this, a decoder that may get more input waits for it. */
export const SYMBOL_INPUT_BYTES = 32;
const END_MARKER = 0xffffffff;

// where each group of probabilities starts in one array
const IS_MATCH = 0;
const IS_REP = IS_MATCH + 12 * 16;
const IS_REP_G0 = IS_REP + 12;
const IS_REP_G1 = IS_REP_G0 + 12;
const IS_REP_G2 = IS_REP_G1 + 12;
const IS_REP0_LONG = IS_REP_G2 + 12;
const POS_SLOT = IS_REP0_LONG + 12 * 16;
const SPEC_POS = POS_SLOT + 4 * 64;
const ALIGN = SPEC_POS + 115;
const LENGTH = ALIGN + 16;
/** A length coder: choice, choice 2, 16 low trees of 8, 16 middle trees of 8, one high tree of 256. */
const LENGTH_CODER = 2 + 16 * 8 + 16 * 8 + 256;
const REP_LENGTH = LENGTH + LENGTH_CODER;
const LITERAL = REP_LENGTH + LENGTH_CODER;
const MIN_MATCH = 2;

export type LzmaStatus = 'limit' | 'end-marker' | 'more-input' | 'stopped';

export class LzmaDecoder {
  private probabilities = new Uint16Array(0);
  private literalContext = 0;
  private literalPositionMask = 0;
  private positionMask = 0;
  private state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;
  /** The range coder's range and code, as int32 (compared unsigned by flipping the sign bit: V8 stays on integer arithmetic). */
  private range = 0;
  private code = 0;
  private input: Uint8Array = new Uint8Array(0);
  /** Next input byte to read, and the end of the input given. */
  position = 0;
  private end = 0;

  constructor(private readonly window: LzWindow) {}

  /** New properties, and every probability, the state and the distances back to their start. */
  reset(properties: LzmaProperties): void {
    this.literalContext = properties.literalContext;
    this.literalPositionMask = (1 << properties.literalPosition) - 1;
    this.positionMask = (1 << properties.positionBits) - 1;
    const size = LITERAL + 0x300 * (1 << (properties.literalContext + properties.literalPosition));
    if (this.probabilities.length !== size) this.probabilities = new Uint16Array(size);
    this.probabilities.fill(1024);
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
  }

  /** Starts the range coder on the five bytes at `b[at]` (the first is always 0). */
  startRange(b: Uint8Array, at: number): void {
    if (b[at] !== 0) throw new CorruptData('the LZMA data does not start as a range coder does');
    this.range = -1;
    this.code = (b[at + 1]! << 24) | (b[at + 2]! << 16) | (b[at + 3]! << 8) | b[at + 4]!;
    if (this.code === this.range) throw new CorruptData('the LZMA range coder starts past its range');
  }

  /** Whether the range coder has ended where an encoder's flush ends it. */
  get finishedRange(): boolean {
    return this.code === 0;
  }

  /**
   * Decodes from `b[from, end)` until `limit` more bytes are written, an end
   * marker, the output stops or, unless `whole` (no more input will come),
   * fewer than SYMBOL_INPUT_BYTES remain. `position` tells how far it read.
   */
  decode(b: Uint8Array, from: number, end: number, limit: number, whole: boolean): LzmaStatus {
    this.input = b;
    this.position = from;
    this.end = end;
    const window = this.window;
    const stopAt = whole ? end : end - SYMBOL_INPUT_BYTES;
    let written = 0;
    while (written < limit) {
      if (window.stopped) return 'stopped';
      if (this.position > stopAt) return 'more-input';
      const before = window.total;
      if (this.symbol()) return 'end-marker';
      written += window.total - before;
      if (window.full) window.flush();
    }
    if (written > limit) throw new CorruptData('an LZMA match runs past the end of its data');
    return window.stopped ? 'stopped' : 'limit';
  }

  /** Decodes the one symbol that may follow a declared size: it must be the end marker. */
  endMarker(b: Uint8Array, from: number, end: number, whole: boolean): LzmaStatus {
    this.input = b;
    this.position = from;
    this.end = end;
    if (!whole && end - from < SYMBOL_INPUT_BYTES) return 'more-input';
    if (!this.symbol()) throw new CorruptData('the LZMA data goes on past its declared size');
    return 'end-marker';
  }

  /** Decodes one literal or match into the window; true for the end marker. */
  private symbol(): boolean {
    const window = this.window;
    const state = this.state;
    const positionState = window.total & this.positionMask;
    if (this.bit(IS_MATCH + state * 16 + positionState) === 0) {
      this.literal();
      this.state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      return false;
    }
    let length: number;
    if (this.bit(IS_REP + state) === 0) {
      this.rep3 = this.rep2;
      this.rep2 = this.rep1;
      this.rep1 = this.rep0;
      length = this.length(LENGTH, positionState);
      this.state = state < 7 ? 7 : 10;
      this.rep0 = this.distance(length);
      if (this.rep0 === END_MARKER) return true;
    } else {
      if (window.total === 0) throw new CorruptData('an LZMA repeated match before any data');
      if (this.bit(IS_REP_G0 + state) === 0) {
        if (this.bit(IS_REP0_LONG + state * 16 + positionState) === 0) {
          this.state = state < 7 ? 9 : 11;
          window.put(window.byteAt(this.rep0));
          return false;
        }
      } else {
        let distance: number;
        if (this.bit(IS_REP_G1 + state) === 0) distance = this.rep1;
        else {
          if (this.bit(IS_REP_G2 + state) === 0) distance = this.rep2;
          else {
            distance = this.rep3;
            this.rep3 = this.rep2;
          }
          this.rep2 = this.rep1;
        }
        this.rep1 = this.rep0;
        this.rep0 = distance;
      }
      length = this.length(REP_LENGTH, positionState);
      this.state = state < 7 ? 8 : 11;
    }
    if (!window.reaches(this.rep0)) throw new CorruptData('an LZMA match reaches before the start of its data');
    window.copy(this.rep0, length + MIN_MATCH);
    return false;
  }

  /**
   * One literal: eight bits through a tree of probabilities chosen by the
   * previous byte and the position. The hottest loop on data that does not
   * compress, so its bits are decoded here with the coder in local variables.
   */
  private literal(): void {
    const window = this.window;
    const previous = window.total > 0 ? window.byteAt(0) : 0;
    const context = ((window.total & this.literalPositionMask) << this.literalContext) + (previous >>> (8 - this.literalContext));
    const base = LITERAL + 0x300 * context;
    const probabilities = this.probabilities;
    const input = this.input;
    let { range, code, position } = this;
    // after a match, the byte at the last distance guides the bits until one differs
    let match = this.state >= 7 ? window.byteAt(this.rep0) | 0x100 : 0;
    let symbol = 1;
    while (symbol < 0x100) {
      let index = base + symbol;
      let matchBit = 0;
      if (match) {
        match <<= 1;
        matchBit = (match >>> 8) & 1;
        index += (1 + matchBit) << 8;
      }
      const probability = probabilities[index]!;
      const bound = Math.imul(range >>> 11, probability);
      let bit = 0;
      if ((code ^ 0x80000000) < (bound ^ 0x80000000)) {
        range = bound;
        probabilities[index] = probability + ((2048 - probability) >>> 5);
      } else {
        range = (range - bound) | 0;
        code = (code - bound) | 0;
        probabilities[index] = probability - (probability >>> 5);
        bit = 1;
      }
      if (range >>> 24 === 0) {
        if (position >= this.end) throw new CorruptData('the LZMA data is truncated');
        range <<= 8;
        code = (code << 8) | input[position++]!;
      }
      symbol = (symbol << 1) | bit;
      if (match && matchBit !== bit) match = 0;
    }
    this.range = range;
    this.code = code;
    this.position = position;
    window.put(symbol - 0x100);
  }

  /** A match length less MIN_MATCH: 0-7, 8-15 or 16-271. */
  private length(coder: number, positionState: number): number {
    if (this.bit(coder) === 0) return this.tree(coder + 2 + positionState * 8, 3);
    if (this.bit(coder + 1) === 0) return 8 + this.tree(coder + 2 + 16 * 8 + positionState * 8, 3);
    return 16 + this.tree(coder + 2 + 32 * 8, 8);
  }

  /** A match distance less one, or END_MARKER. */
  private distance(length: number): number {
    const slot = this.tree(POS_SLOT + Math.min(length, 3) * 64, 6);
    if (slot < 4) return slot;
    const directBits = (slot >>> 1) - 1;
    const distance = (2 | (slot & 1)) * 2 ** directBits;
    if (slot < 14) return distance + this.reverseTree(SPEC_POS + distance - slot, directBits);
    return distance + this.direct(directBits - 4) * 16 + this.reverseTree(ALIGN, 4);
  }

  private tree(base: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.bit(base + m);
    return m - (1 << bits);
  }

  private reverseTree(base: number, bits: number): number {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < bits; i++) {
      const bit = this.bit(base + m);
      m = (m << 1) | bit;
      symbol |= bit << i;
    }
    return symbol;
  }

  private bit(index: number): number {
    const probabilities = this.probabilities;
    const probability = probabilities[index]!;
    const bound = Math.imul(this.range >>> 11, probability);
    let bit: number;
    if ((this.code ^ 0x80000000) < (bound ^ 0x80000000)) {
      this.range = bound;
      probabilities[index] = probability + ((2048 - probability) >>> 5);
      bit = 0;
    } else {
      this.range = (this.range - bound) | 0;
      this.code = (this.code - bound) | 0;
      probabilities[index] = probability - (probability >>> 5);
      bit = 1;
    }
    if (this.range >>> 24 === 0) this.normalize();
    return bit;
  }

  private direct(bits: number): number {
    let result = 0;
    for (let i = 0; i < bits; i++) {
      this.range = this.range >>> 1;
      let bit = 0;
      if ((this.code ^ 0x80000000) >= (this.range ^ 0x80000000)) {
        this.code = (this.code - this.range) | 0;
        bit = 1;
      }
      result = result * 2 + bit;
      if (this.range >>> 24 === 0) this.normalize();
    }
    return result;
  }

  private normalize(): void {
    if (this.position >= this.end) throw new CorruptData('the LZMA data is truncated');
    this.range <<= 8;
    this.code = (this.code << 8) | this.input[this.position++]!;
  }
}

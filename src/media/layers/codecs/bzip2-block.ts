import { CorruptData, UnsupportedData } from './corrupt.ts';
import type { MsbBits } from './msb-bits.ts';

/**
 * One bzip2 block, decoded as the bzip2 format describes it: Huffman codes
 * chosen per 50 symbols, run lengths of the front symbol (RUNA/RUNB),
 * move-to-front, the inverse Burrows-Wheeler transform, and the initial
 * run-length coding (four equal bytes, then a count).
 */

export const BLOCK_MAGIC = 0x314159265359;
export const END_MAGIC = 0x177245385090;
const MAX_GROUPS = 6;
const GROUP_SIZE = 50;
/** bzip2 reads any number of selectors but keeps this many (a longer list is not an error). */
const MAX_SELECTORS = 18002;
const MAX_CODE_LENGTH = 20;
const MAX_ALPHABET = 258;
/** Output handed on at a time, so that a block that expands a thousandfold is stopped between pieces. */
const OUTPUT_PIECE = 64 * 1024;

const corrupt = (what: string): never => {
  throw new CorruptData(`the bzip2 data is corrupt (${what})`);
};

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, byte) => {
  let c = byte << 24;
  for (let bit = 0; bit < 8; bit++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
  return c >>> 0;
});

/** Codes of up to this many bits are decoded by one table lookup. */
const LOOKUP_BITS = 10;

/** A canonical Huffman table: a lookup of short codes, and per code length the last code and where its symbols start. */
interface HuffmanTable {
  /** For each LOOKUP_BITS-bit prefix: the symbol << 5 | the code's length, or 0 for a longer code. */
  lookup: Uint32Array;
  minLength: number;
  limit: Int32Array;
  base: Int32Array;
  symbols: Uint16Array;
}

function huffmanTable(lengths: Uint8Array, alphabet: number): HuffmanTable {
  let minLength = MAX_CODE_LENGTH;
  let maxLength = 1;
  for (let s = 0; s < alphabet; s++) {
    minLength = Math.min(minLength, lengths[s]!);
    maxLength = Math.max(maxLength, lengths[s]!);
  }
  const lookup = new Uint32Array(1 << LOOKUP_BITS);
  const symbols = new Uint16Array(alphabet);
  const limit = new Int32Array(MAX_CODE_LENGTH + 2).fill(-1);
  const base = new Int32Array(MAX_CODE_LENGTH + 2);
  let index = 0;
  let code = 0;
  for (let length = minLength; length <= maxLength; length++) {
    const first = index;
    base[length] = code - first;
    for (let s = 0; s < alphabet; s++) {
      if (lengths[s] !== length) continue;
      symbols[index++] = s;
      // an over-subscribed table has codes past its bits: those are found corrupt on the slow path
      const shift = LOOKUP_BITS - length;
      const prefix = code + (index - 1 - first);
      if (shift >= 0 && prefix < 1 << length) lookup.fill((s << 5) | length, prefix << shift, (prefix + 1) << shift);
    }
    code += index - first;
    limit[length] = code - 1;
    code <<= 1;
  }
  return { lookup, minLength, limit, base, symbols };
}

function decodeSymbol(bits: MsbBits, table: HuffmanTable, alphabet: number): number {
  const prefix = bits.peek(LOOKUP_BITS);
  if (prefix >= 0) {
    const entry = table.lookup[prefix]!;
    if (entry !== 0) {
      bits.skip(entry & 31);
      return entry >>> 5;
    }
  }
  let length = table.minLength;
  let code = bits.read(length);
  while (code > table.limit[length]!) {
    if (++length > MAX_CODE_LENGTH) corrupt('a Huffman code is too long');
    code = (code << 1) | bits.bit();
  }
  const index = code - table.base[length]!;
  if (index < 0 || index >= alphabet) corrupt('a Huffman code is not in its table');
  return table.symbols[index]!;
}

/** The reusable state of a block decoder for blocks of at most `maxBlock` bytes. */
export class Bzip2BlockDecoder {
  /** Symbols, then (after the transform) each entry's byte and the index of the next one. */
  private readonly tt: Uint32Array;
  private readonly piece = new Uint8Array(OUTPUT_PIECE);

  constructor(private readonly maxBlock: number) {
    this.tt = new Uint32Array(maxBlock);
  }

  /**
   * Decodes the block whose magic has just been read; hands its bytes to
   * `emit` in pieces and stops early when `emit` answers false. Returns the
   * block's CRC as computed, to be compared with `storedCrc` by the caller.
   */
  decode(bits: MsbBits, emit: (bytes: Uint8Array) => boolean): { stored: number; computed: number; stopped: boolean } {
    const stored = ((bits.read(16) << 16) | bits.read(16)) >>> 0;
    if (bits.bit()) throw new UnsupportedData('bzip2 randomised blocks (written only by bzip2 0.9.0) are not decoded here');
    const origin = bits.read(24);
    const used = this.usedBytes(bits);
    const alphabet = used.length + 2;
    const groups = bits.read(3);
    if (groups < 2 || groups > MAX_GROUPS) corrupt('the number of Huffman tables');
    const selectors = this.selectors(bits, groups);
    const tables = Array.from({ length: groups }, () => huffmanTable(this.codeLengths(bits, alphabet), alphabet));
    const { length, counts } = this.symbols(bits, used, tables, selectors, alphabet);
    if (origin >= length) corrupt('the origin pointer is past the block');
    const { computed, stopped } = this.output(length, origin, counts, emit);
    return { stored, computed, stopped };
  }

  /** The bytes the block uses, in order: a 16-bit map of 16-byte ranges, then a 16-bit map for each range used. */
  private usedBytes(bits: MsbBits): Uint8Array {
    const ranges = bits.read(16);
    const used: number[] = [];
    for (let range = 0; range < 16; range++) {
      if (!(ranges & (0x8000 >>> range))) continue;
      const map = bits.read(16);
      for (let i = 0; i < 16; i++) if (map & (0x8000 >>> i)) used.push(range * 16 + i);
    }
    if (used.length === 0) corrupt('a block uses no byte values');
    return Uint8Array.from(used);
  }

  /** Which table codes each group of 50 symbols: unary numbers, move-to-front coded. */
  private selectors(bits: MsbBits, groups: number): Uint8Array {
    const count = bits.read(15);
    if (count < 1) corrupt('a block has no selectors');
    const kept = Math.min(count, MAX_SELECTORS);
    const selectors = new Uint8Array(kept);
    const order = Uint8Array.from({ length: groups }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      let position = 0;
      while (bits.bit()) if (++position >= groups) corrupt('a selector names a table that does not exist');
      if (i >= kept) continue;
      const table = order[position]!;
      order.copyWithin(1, 0, position);
      order[0] = table;
      selectors[i] = table;
    }
    return selectors;
  }

  /** A table's code lengths: a 5-bit start, then for each symbol a delta of +1/-1 steps. */
  private codeLengths(bits: MsbBits, alphabet: number): Uint8Array {
    const lengths = new Uint8Array(MAX_ALPHABET);
    let length = bits.read(5);
    for (let s = 0; s < alphabet; s++) {
      for (;;) {
        if (length < 1 || length > MAX_CODE_LENGTH) corrupt('a code length is out of range');
        if (!bits.bit()) break;
        length += bits.bit() ? -1 : 1;
      }
      lengths[s] = length;
    }
    return lengths;
  }

  /** Huffman symbols into bytes of the transformed block in `tt`, undoing RUNA/RUNB and move-to-front; counts each byte. */
  private symbols(
    bits: MsbBits,
    used: Uint8Array,
    tables: readonly HuffmanTable[],
    selectors: Uint8Array,
    alphabet: number,
  ): { length: number; counts: Int32Array } {
    const tt = this.tt;
    const maxBlock = this.maxBlock;
    const counts = new Int32Array(256);
    const front = Uint8Array.from({ length: 256 }, (_, i) => i);
    const endOfBlock = alphabet - 1;
    let length = 0;
    let run = 0;
    let weight = 1;
    let group = -1;
    let left = 0;
    let table = tables[0]!;
    for (;;) {
      if (left === 0) {
        if (++group >= selectors.length) corrupt('more symbols than selectors');
        table = tables[selectors[group]!]!;
        left = GROUP_SIZE;
      }
      left--;
      const symbol = decodeSymbol(bits, table, alphabet);
      if (symbol <= 1) {
        run += (symbol + 1) * weight;
        weight <<= 1;
        if (weight > 2 * 1024 * 1024) corrupt('a run is too long');
        continue;
      }
      if (run > 0) {
        if (length + run > maxBlock) corrupt('a block is longer than its stream header allows');
        const byte = used[front[0]!]!;
        tt.fill(byte, length, length + run);
        counts[byte]! += run;
        length += run;
        run = 0;
        weight = 1;
      }
      if (symbol === endOfBlock) return { length, counts };
      const position = symbol - 1;
      const value = front[position]!;
      // near the front a loop is quickest; far back (binary data) a block move
      if (position < 16) for (let k = position; k > 0; k--) front[k] = front[k - 1]!;
      else front.copyWithin(1, 0, position);
      front[0] = value;
      if (length >= maxBlock) corrupt('a block is longer than its stream header allows');
      const byte = used[value]!;
      tt[length++] = byte;
      counts[byte]!++;
    }
  }

  /** The inverse transform from `origin`, then the initial run-length decoding, handed on in pieces with the block's CRC. */
  private output(length: number, origin: number, counts: Int32Array, emit: (bytes: Uint8Array) => boolean): { computed: number; stopped: boolean } {
    const tt = this.tt;
    const starts = new Int32Array(256);
    for (let byte = 1; byte < 256; byte++) starts[byte] = starts[byte - 1]! + counts[byte - 1]!;
    for (let i = 0; i < length; i++) {
      const byte = tt[i]! & 0xff;
      tt[starts[byte]!++]! |= i << 8;
    }
    const piece = this.piece;
    let filled = 0;
    let crc = 0xffffffff;
    let last = -1;
    let same = 0;
    let next = tt[origin]! >>> 8;
    for (let i = 0; i < length; i++) {
      const entry = tt[next]!;
      next = entry >>> 8;
      let byte = entry & 0xff;
      // the fifth byte of four equal ones is how many more of them follow
      let copies = 1;
      if (same === 4) {
        copies = byte;
        byte = last;
        same = 0;
        last = -1;
      } else if (byte === last) same++;
      else {
        same = 1;
        last = byte;
      }
      for (let k = 0; k < copies; k++) {
        piece[filled++] = byte;
        crc = (crc << 8) ^ CRC_TABLE[(crc >>> 24) ^ byte]!;
        if (filled === OUTPUT_PIECE) {
          filled = 0;
          if (!emit(piece)) return { computed: 0, stopped: true };
        }
      }
    }
    if (filled > 0 && !emit(piece.subarray(0, filled))) return { computed: 0, stopped: true };
    return { computed: ~crc >>> 0, stopped: false };
  }
}

/** xxHash32 (github.com/Cyan4973/xxHash) of a few bytes, as the lz4 frame format checksums its descriptor. */

const PRIME1 = 0x9e3779b1;
const PRIME2 = 0x85ebca77;
const PRIME3 = 0xc2b2ae3d;
const PRIME4 = 0x27d4eb2f;
const PRIME5 = 0x165667b1;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

/** xxh32 of `b[from, to)` with seed 0, for inputs shorter than 16 bytes (a frame descriptor is at most 14). */
export function xxh32Short(b: Uint8Array, from: number, to: number): number {
  let h = (PRIME5 + (to - from)) | 0;
  let i = from;
  for (; i + 4 <= to; i += 4) {
    const word = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
    h = Math.imul(rotl((h + Math.imul(word, PRIME3)) | 0, 17), PRIME4);
  }
  for (; i < to; i++) h = Math.imul(rotl((h + Math.imul(b[i]!, PRIME5)) | 0, 11), PRIME1);
  h = Math.imul(h ^ (h >>> 15), PRIME2);
  h = Math.imul(h ^ (h >>> 13), PRIME3);
  return (h ^ (h >>> 16)) >>> 0;
}

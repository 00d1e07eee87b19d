/** CRC-32 variants, for headers and pages that carry a checksum of themselves. */

const TABLE = Uint32Array.from({ length: 256 }, (_, byte) => {
  let c = byte;
  for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 of IEEE 802.3, as in zlib (reflected). */
export function crc32(b: Uint8Array, from: number, to: number): number {
  let c = 0xffffffff;
  for (let i = from; i < to; i++) c = TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const OGG_TABLE = Uint32Array.from({ length: 256 }, (_, byte) => {
  let c = byte << 24;
  for (let bit = 0; bit < 8; bit++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
  return c >>> 0;
});

/** Ogg's page CRC: the same polynomial, not reflected, starting from 0; the 4 bytes at `skip` (the CRC field) count as zeros. */
export function crc32Ogg(b: Uint8Array, from: number, to: number, skip: number): number {
  let c = 0;
  for (let i = from; i < to; i++) c = ((c << 8) ^ OGG_TABLE[((c >>> 24) ^ (i >= skip && i < skip + 4 ? 0 : b[i]!)) & 0xff]!) >>> 0;
  return c;
}

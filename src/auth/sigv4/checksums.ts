import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** A checksum computed a piece at a time over a body as it streams. */
export interface RunningChecksum {
  update(bytes: Uint8Array): void;
  /** The checksum's bytes, as S3 sends them base64-encoded. */
  digest(): Uint8Array;
}

/** The checksum algorithms of S3's `x-amz-checksum-*` headers and trailers, by their name there. */
export const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name);
}

export function createChecksum(algorithm: ChecksumAlgorithm | 'md5'): RunningChecksum {
  switch (algorithm) {
    case 'crc32':
      return crc32Checksum(CRC32_TABLE);
    case 'crc32c':
      return crc32Checksum(CRC32C_TABLE);
    case 'crc64nvme':
      return crc64Checksum();
    case 'sha1':
      return sha1.create();
    case 'sha256':
      return sha256.create();
    case 'md5':
      return md5.create();
  }
}

// Table-driven CRCs, eight bytes per step ("slicing-by-8"): table k holds the CRC of a byte followed by k zero bytes.
const SLICES = 8;

function reflectedTables32(polynomial: number): Uint32Array {
  const tables = new Uint32Array(256 * SLICES);
  for (let n = 0; n < 256; n += 1) {
    let value = n;
    for (let bit = 0; bit < 8; bit += 1) value = value & 1 ? (value >>> 1) ^ polynomial : value >>> 1;
    tables[n] = value >>> 0;
  }
  for (let slice = 1; slice < SLICES; slice += 1) {
    for (let n = 0; n < 256; n += 1) {
      const previous = tables[(slice - 1) * 256 + n]!;
      tables[slice * 256 + n] = ((previous >>> 8) ^ tables[previous & 0xff]!) >>> 0;
    }
  }
  return tables;
}

const CRC32_TABLE = reflectedTables32(0xedb88320);
const CRC32C_TABLE = reflectedTables32(0x82f63b78);

function crc32Checksum(t: Uint32Array): RunningChecksum {
  let crc = 0xffffffff;
  return {
    update(bytes) {
      let i = 0;
      for (const end = bytes.length - 7; i < end; i += 8) {
        const low = (crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
        crc =
          t[1792 + (low & 0xff)]! ^
          t[1536 + ((low >>> 8) & 0xff)]! ^
          t[1280 + ((low >>> 16) & 0xff)]! ^
          t[1024 + (low >>> 24)]! ^
          t[768 + bytes[i + 4]!]! ^
          t[512 + bytes[i + 5]!]! ^
          t[256 + bytes[i + 6]!]! ^
          t[bytes[i + 7]!]!;
      }
      for (; i < bytes.length; i += 1) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
    },
    digest() {
      const value = (crc ^ 0xffffffff) >>> 0;
      return new Uint8Array([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
    },
  };
}

// CRC-64/NVME, reflected polynomial 0x9a6c9329ac4bc9b5, held as two 32-bit halves so that no BigInt runs per byte.
const CRC64_HIGH = new Uint32Array(256 * SLICES);
const CRC64_LOW = new Uint32Array(256 * SLICES);
for (let n = 0; n < 256; n += 1) {
  let high = 0;
  let low = n;
  for (let bit = 0; bit < 8; bit += 1) {
    const carry = low & 1;
    low = ((low >>> 1) | ((high & 1) << 31)) >>> 0;
    high >>>= 1;
    if (carry) {
      high = (high ^ 0x9a6c9329) >>> 0;
      low = (low ^ 0xac4bc9b5) >>> 0;
    }
  }
  CRC64_HIGH[n] = high;
  CRC64_LOW[n] = low;
}
for (let slice = 1; slice < SLICES; slice += 1) {
  for (let n = 0; n < 256; n += 1) {
    const high = CRC64_HIGH[(slice - 1) * 256 + n]!;
    const low = CRC64_LOW[(slice - 1) * 256 + n]!;
    const index = low & 0xff;
    CRC64_LOW[slice * 256 + n] = (((low >>> 8) | (high << 24)) ^ CRC64_LOW[index]!) >>> 0;
    CRC64_HIGH[slice * 256 + n] = ((high >>> 8) ^ CRC64_HIGH[index]!) >>> 0;
  }
}

function crc64Checksum(): RunningChecksum {
  let high = 0xffffffff;
  let low = 0xffffffff;
  const th = CRC64_HIGH;
  const tl = CRC64_LOW;
  return {
    update(bytes) {
      let i = 0;
      for (const end = bytes.length - 7; i < end; i += 8) {
        const a = (low ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
        const b = (high ^ (bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24))) >>> 0;
        const k0 = 1792 + (a & 0xff),
          k1 = 1536 + ((a >>> 8) & 0xff),
          k2 = 1280 + ((a >>> 16) & 0xff),
          k3 = 1024 + (a >>> 24);
        const k4 = 768 + (b & 0xff),
          k5 = 512 + ((b >>> 8) & 0xff),
          k6 = 256 + ((b >>> 16) & 0xff),
          k7 = b >>> 24;
        low = (tl[k0]! ^ tl[k1]! ^ tl[k2]! ^ tl[k3]! ^ tl[k4]! ^ tl[k5]! ^ tl[k6]! ^ tl[k7]!) >>> 0;
        high = (th[k0]! ^ th[k1]! ^ th[k2]! ^ th[k3]! ^ th[k4]! ^ th[k5]! ^ th[k6]! ^ th[k7]!) >>> 0;
      }
      for (; i < bytes.length; i += 1) {
        const index = (low ^ bytes[i]!) & 0xff;
        low = (((low >>> 8) | (high << 24)) ^ tl[index]!) >>> 0;
        high = ((high >>> 8) ^ th[index]!) >>> 0;
      }
    },
    digest() {
      const out = new Uint8Array(8);
      const view = new DataView(out.buffer);
      view.setUint32(0, (high ^ 0xffffffff) >>> 0);
      view.setUint32(4, (low ^ 0xffffffff) >>> 0);
      return out;
    },
  };
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

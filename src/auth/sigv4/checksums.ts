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

function reflectedTable32(polynomial: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let value = n;
    for (let bit = 0; bit < 8; bit += 1) value = value & 1 ? (value >>> 1) ^ polynomial : value >>> 1;
    table[n] = value >>> 0;
  }
  return table;
}

const CRC32_TABLE = reflectedTable32(0xedb88320);
const CRC32C_TABLE = reflectedTable32(0x82f63b78);

function crc32Checksum(table: Uint32Array): RunningChecksum {
  let crc = 0xffffffff;
  return {
    update(bytes) {
      for (const byte of bytes) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
    },
    digest() {
      const value = (crc ^ 0xffffffff) >>> 0;
      return new Uint8Array([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
    },
  };
}

// CRC-64/NVME, reflected polynomial 0x9a6c9329ac4bc9b5, held as two 32-bit halves so no BigInt runs per byte.
const CRC64_HIGH = new Uint32Array(256);
const CRC64_LOW = new Uint32Array(256);
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

function crc64Checksum(): RunningChecksum {
  let high = 0xffffffff;
  let low = 0xffffffff;
  return {
    update(bytes) {
      for (const byte of bytes) {
        const index = (low ^ byte) & 0xff;
        low = (((low >>> 8) | (high << 24)) ^ CRC64_LOW[index]!) >>> 0;
        high = ((high >>> 8) ^ CRC64_HIGH[index]!) >>> 0;
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

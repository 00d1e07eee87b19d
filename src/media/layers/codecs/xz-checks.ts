import { sha256 } from '@noble/hashes/sha2.js';

/** An integrity check computed over a block's decoded bytes and compared with the stored one. */
export interface Check {
  update(bytes: Uint8Array): void;
  /** The check as the xz format stores it. */
  digest(): Uint8Array;
}

const CRC32_TABLE = Uint32Array.from({ length: 256 }, (_, byte) => {
  let c = byte;
  for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE 802.3, reflected), fed in pieces. */
export class Crc32 implements Check {
  private crc = 0xffffffff;

  update(bytes: Uint8Array): void {
    let crc = this.crc;
    for (let i = 0; i < bytes.length; i++) crc = CRC32_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
    this.crc = crc;
  }

  get value(): number {
    return (this.crc ^ 0xffffffff) >>> 0;
  }

  digest(): Uint8Array {
    const value = this.value;
    return Uint8Array.of(value, value >>> 8, value >>> 16, value >>> 24);
  }
}

/** The CRC-32 of `bytes`. */
export function crc32Of(bytes: Uint8Array): number {
  const crc = new Crc32();
  crc.update(bytes);
  return crc.value;
}

// CRC-64 of ECMA-182 (reflected polynomial 0xc96c5795d7870f42), in two 32-bit halves
const CRC64_LOW = new Uint32Array(256);
const CRC64_HIGH = new Uint32Array(256);
for (let byte = 0; byte < 256; byte++) {
  let low = byte;
  let high = 0;
  for (let bit = 0; bit < 8; bit++) {
    const carry = low & 1;
    low = (low >>> 1) | ((high & 1) << 31);
    high >>>= 1;
    if (carry) {
      low ^= 0xd7870f42;
      high ^= 0xc96c5795;
    }
  }
  CRC64_LOW[byte] = low >>> 0;
  CRC64_HIGH[byte] = high >>> 0;
}

class Crc64 implements Check {
  private low = 0xffffffff;
  private high = 0xffffffff;

  update(bytes: Uint8Array): void {
    let { low, high } = this;
    for (let i = 0; i < bytes.length; i++) {
      const index = (low ^ bytes[i]!) & 0xff;
      low = ((low >>> 8) | (high << 24)) ^ CRC64_LOW[index]!;
      high = (high >>> 8) ^ CRC64_HIGH[index]!;
    }
    this.low = low;
    this.high = high;
  }

  digest(): Uint8Array {
    const low = ~this.low;
    const high = ~this.high;
    return Uint8Array.of(low, low >>> 8, low >>> 16, low >>> 24, high, high >>> 8, high >>> 16, high >>> 24);
  }
}

class Sha256 implements Check {
  private readonly hash = sha256.create();

  update(bytes: Uint8Array): void {
    this.hash.update(bytes);
  }

  digest(): Uint8Array {
    return this.hash.digest();
  }
}

/** The check of an xz check type: none, CRC32, CRC64 or SHA-256; null for the types the format reserves (their bytes are skipped). */
export function checkOf(type: number): Check | null {
  if (type === 1) return new Crc32();
  if (type === 4) return new Crc64();
  if (type === 10) return new Sha256();
  return null;
}

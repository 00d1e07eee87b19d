/** Thrown when a reader needs bytes that have not arrived yet: the caller waits for more and tries again. */
export class NeedMoreInput extends Error {
  constructor() {
    super('more input is needed');
  }
}

/** Reads bits most significant first from `bytes[start, end)` (the order bzip2 writes them). */
export class MsbBits {
  private buffer = 0;
  private count = 0;
  private at: number;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly end: number,
    /** Bits already consumed from `bytes[0]` onwards. */
    startBit: number,
  ) {
    this.at = startBit >>> 3;
    const skip = startBit & 7;
    if (skip > 0) this.read(skip);
  }

  /** Bits consumed from `bytes[0]` onwards. */
  get position(): number {
    return this.at * 8 - this.count;
  }

  /** The next `n` bits (1-24) as an unsigned number. */
  read(n: number): number {
    while (this.count < n) {
      if (this.at >= this.end) throw new NeedMoreInput();
      this.buffer = (this.buffer << 8) | this.bytes[this.at++]!;
      this.count += 8;
    }
    this.count -= n;
    const value = (this.buffer >>> this.count) & ((1 << n) - 1);
    this.buffer &= (1 << this.count) - 1;
    return value;
  }

  /** The next `n` bits (1-24) without consuming them, or -1 when the input holds fewer. */
  peek(n: number): number {
    while (this.count < n) {
      if (this.at >= this.end) return -1;
      this.buffer = (this.buffer << 8) | this.bytes[this.at++]!;
      this.count += 8;
    }
    return (this.buffer >>> (this.count - n)) & ((1 << n) - 1);
  }

  /** Consumes `n` bits that `peek` has shown. */
  skip(n: number): void {
    this.count -= n;
    this.buffer &= (1 << this.count) - 1;
  }

  bit(): number {
    return this.read(1);
  }
}

/**
 * The bytes a scanner holds: a lookbehind behind its position and whatever
 * has arrived ahead of it. Indexes point into `bytes`; absolute offsets count
 * from the start of the content.
 */
export class ScanWindow {
  bytes: Uint8Array;
  /** Bytes held in `bytes`. */
  length = 0;
  /** Absolute offset of `bytes[0]`. */
  base = 0;
  /** Index of the next byte to scan. */
  position = 0;

  constructor(
    capacity: number,
    /** Bytes kept behind the position when older ones are dropped. */
    private readonly lookbehind: number,
  ) {
    this.bytes = new Uint8Array(capacity);
  }

  abs(index: number): number {
    return this.base + index;
  }

  index(absolute: number): number {
    return absolute - this.base;
  }

  /** Index of the earliest byte that is always still held behind the position. */
  get earliest(): number {
    return Math.max(0, this.position - this.lookbehind);
  }

  append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.bytes.length) {
      const keep = this.earliest;
      const needed = this.length - keep + chunk.length;
      const target = needed > this.bytes.length ? new Uint8Array(Math.max(needed, this.bytes.length * 2)) : this.bytes;
      target.set(this.bytes.subarray(keep, this.length));
      this.bytes = target;
      this.length -= keep;
      this.position -= keep;
      this.base += keep;
    }
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }

  /** A copy of the bytes between two absolute offsets. */
  read(from: number, to: number): Uint8Array {
    return this.bytes.slice(this.index(from), this.index(to));
  }
}

/** Collects a known number of bytes that may arrive split across chunks. */
export class Gather {
  private buffer = new Uint8Array(16);
  private size = 0;
  private filled = 0;

  /** Starts collecting `size` bytes. */
  start(size: number): void {
    if (this.buffer.length < size) this.buffer = new Uint8Array(size);
    this.size = size;
    this.filled = 0;
  }

  /** Takes what is still missing from `chunk[at...]`; returns the index after what it took. */
  take(chunk: Uint8Array, at: number): number {
    const count = Math.min(this.size - this.filled, chunk.length - at);
    this.buffer.set(chunk.subarray(at, at + count), this.filled);
    this.filled += count;
    return at + count;
  }

  get complete(): boolean {
    return this.filled === this.size;
  }

  /** The bytes collected (valid until the next start). */
  get bytes(): Uint8Array {
    return this.buffer.subarray(0, this.size);
  }
}

/** Input bytes a decoder keeps until it can use them: appended chunk by chunk, dropped from the front once used. */
export class InputBuffer {
  bytes = new Uint8Array(0);
  length = 0;
  /** Input offset of `bytes[0]`: how many bytes were dropped so far. */
  base = 0;

  append(chunk: Uint8Array): void {
    const needed = this.length + chunk.length;
    if (needed > this.bytes.length) {
      const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2, 4096));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(chunk, this.length);
    this.length = needed;
  }

  drop(count: number): void {
    this.bytes.copyWithin(0, count, this.length);
    this.length -= count;
    this.base += count;
  }
}

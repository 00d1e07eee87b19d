/** Decoded bytes handed on at a time. */
const FLUSH_BYTES = 64 * 1024;
/** The window starts this small and grows with the output up to the dictionary size: small files need little memory. */
const INITIAL_BYTES = 64 * 1024;

/**
 * An LZ77 dictionary: the last `size` decoded bytes, which matches copy
 * from, handed on in pieces as they are written. `emit` answers false to
 * stop (then `stopped` is set and the decoder stops at its next symbol).
 */
export class LzWindow {
  private buffer: Uint8Array;
  /** Where the next byte goes in `buffer`. */
  private at = 0;
  private flushed = 0;
  /** Bytes written since the last reset: matches may not reach further back. */
  total = 0;
  stopped = false;

  constructor(
    readonly size: number,
    private readonly emit: (bytes: Uint8Array) => boolean,
  ) {
    this.buffer = new Uint8Array(Math.min(size, INITIAL_BYTES));
  }

  /** Forgets what was written (an LZMA2 dictionary reset); what is not handed on yet still is. */
  reset(): void {
    this.total = 0;
  }

  /** Whether a match `distance` + 1 bytes back stays inside what the window holds. */
  reaches(distance: number): boolean {
    return distance < this.total && distance < this.size;
  }

  /** The byte `distance` + 1 bytes back. */
  byteAt(distance: number): number {
    const i = this.at - distance - 1;
    return this.buffer[i < 0 ? i + this.buffer.length : i]!;
  }

  put(byte: number): void {
    this.buffer[this.at++] = byte;
    this.total++;
    if (this.at === this.buffer.length) this.wrap();
  }

  /** Copies `length` bytes from `distance` + 1 bytes back (the copy may overlap what it writes). */
  copy(distance: number, length: number): void {
    let from = this.at - distance - 1;
    if (from < 0) from += this.buffer.length;
    for (let k = 0; k < length; k++) {
      const buffer = this.buffer;
      buffer[this.at++] = buffer[from++]!;
      if (from === buffer.length) from = 0;
      if (this.at === buffer.length) this.wrap();
    }
    this.total += length;
  }

  /** Copies bytes as they are (an LZMA2 uncompressed chunk). */
  append(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.put(bytes[i]!);
  }

  /** Whether enough is waiting to be handed on. */
  get full(): boolean {
    return this.at - this.flushed >= FLUSH_BYTES;
  }

  /** Hands on what was written since the last flush. */
  flush(): void {
    if (this.at > this.flushed && !this.stopped && !this.emit(this.buffer.subarray(this.flushed, this.at))) this.stopped = true;
    this.flushed = this.at;
  }

  private wrap(): void {
    if (this.buffer.length < this.size) {
      // still growing: nothing is overwritten yet, so indices stay valid
      const grown = new Uint8Array(Math.min(this.size, this.buffer.length * 2));
      grown.set(this.buffer);
      this.buffer = grown;
      return;
    }
    this.flush();
    this.at = 0;
    this.flushed = 0;
  }
}

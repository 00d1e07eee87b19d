/** Bytes that arrive in pieces and leave in blocks of a chosen size, copied once. */
export class ByteQueue {
  #pieces: Uint8Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(piece: Uint8Array): void {
    if (piece.byteLength === 0) return;
    this.#pieces.push(piece.slice());
    this.#length += piece.byteLength;
  }

  /** Removes and returns the first `size` bytes (at most `length`). */
  take(size: number): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(Math.min(size, this.#length));
    let filled = 0;
    while (filled < out.byteLength) {
      const piece = this.#pieces[0] as Uint8Array;
      const used = Math.min(piece.byteLength, out.byteLength - filled);
      out.set(piece.subarray(0, used), filled);
      filled += used;
      if (used === piece.byteLength) this.#pieces.shift();
      else this.#pieces[0] = piece.subarray(used);
    }
    this.#length -= out.byteLength;
    return out;
  }
}

import { Z_BUF_ERROR, Z_NO_FLUSH, Z_OK, Z_STREAM_END, ZStream, zlibInflate, zlibInflateEnd, zlibInflateInit2 } from 'pako';

/** Decoded bytes handed on at a time; the inflater's only buffer besides its 32 KiB window. */
const OUTPUT_BYTES = 64 * 1024;

/**
 * A DEFLATE stream (raw, or in zlib framing) decoded by pako, which, unlike
 * DecompressionStream, says where the stream ended: bytes after it are then
 * the caller's to inspect or refuse, and Node and workerd decide alike.
 */
export class Inflater {
  /** Input offset where the stream ended, or -1. */
  endedAt = -1;
  private readonly stream = new ZStream();
  private readonly output = new Uint8Array(OUTPUT_BYTES);
  private consumed = 0;

  constructor(
    format: 'raw' | 'zlib',
    private readonly emit: (bytes: Uint8Array) => void,
  ) {
    zlibInflateInit2(this.stream, format === 'raw' ? -15 : 15);
    this.stream.output = this.output;
  }

  /** Inflates `chunk`; returns how many of its bytes belong to the stream (all of them until it ends). */
  write(chunk: Uint8Array): number {
    if (this.endedAt >= 0) return 0;
    const stream = this.stream;
    stream.input = chunk;
    stream.next_in = 0;
    stream.avail_in = chunk.length;
    for (;;) {
      stream.next_out = 0;
      stream.avail_out = OUTPUT_BYTES;
      const status = zlibInflate(stream, Z_NO_FLUSH);
      if (stream.next_out > 0) this.emit(this.output.subarray(0, stream.next_out));
      if (status === Z_STREAM_END) {
        this.endedAt = this.consumed + stream.next_in;
        zlibInflateEnd(stream);
        break;
      }
      if (status !== Z_OK && status !== Z_BUF_ERROR) throw new Error(stream.msg || `inflate failed (${status})`);
      if (stream.avail_in === 0 && stream.avail_out > 0) break;
    }
    const used = this.endedAt >= 0 ? this.endedAt - this.consumed : chunk.length;
    this.consumed += used;
    return used;
  }

  /** Throws when the stream has not ended. */
  finish(): void {
    if (this.endedAt < 0) throw new Error('the compressed stream is truncated');
  }
}

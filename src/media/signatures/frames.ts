/**
 * Confirming weak signatures by their structure: a stream of frames, each
 * header saying where the next one starts, all of one shape, none of them a
 * copy of the one before (tables of -1, padding, `FF FF` every 4 bytes,
 * repeated code).
 */

export interface Frame {
  /** Bytes from this frame's header to the next one's. */
  readonly length: number;
  /** The fields every frame of one stream shares (version, layer, sample rate, ...). */
  readonly shape: number;
}

export type FrameParser<F extends Frame> = (b: Uint8Array, at: number, end: number) => F | null;

/**
 * Whether two frames are mostly the same bytes at the same offsets. Encoded
 * audio differs from frame to frame; a table, padding or repeated code that
 * happens to read as frame headers repeats itself at the frame length.
 * (Frames of pure digital silence repeat too: a stream of them is no sound.)
 */
function repeats(b: Uint8Array, first: number, second: number, length: number): boolean {
  let same = 0;
  for (let i = 0; i < length; i++) if (b[first + i] === b[second + i]) same++;
  return same * 2 > length;
}

/**
 * The first of `count` consecutive frames of one shape starting at `at`, each
 * where the previous one ends and none a repetition of the one before, all
 * within `b[at, end)`; null otherwise.
 */
export function consecutiveFrames<F extends Frame>(parse: FrameParser<F>, b: Uint8Array, at: number, end: number, count: number): F | null {
  const first = parse(b, at, end);
  let previous: F | null = null;
  let frame = first;
  let offset = at;
  for (let i = 0; i < count; i++) {
    if (!frame || frame.shape !== first!.shape || frame.length <= 0 || offset + frame.length > end) return null;
    if (previous && repeats(b, offset - previous.length, offset, Math.min(previous.length, frame.length))) return null;
    previous = frame;
    offset += frame.length;
    if (i < count - 1) frame = parse(b, offset, end);
  }
  return first;
}

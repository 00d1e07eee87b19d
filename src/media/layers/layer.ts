/**
 * A layer is one way bytes are wrapped (a gzip stream, a zstd frame, ...),
 * recognised by its own bytes wherever content starts or, for strong magic
 * numbers, anywhere. Each kind is a small module; `registry.ts` lists them.
 */

/** Where a layer is looked for: where content starts (weak magic allowed) or at any offset (strong magic only). */
export type LayerWhere = 'start' | 'anywhere';

/** Where a layer's decoded bytes go. */
export interface LayerOutput {
  /**
   * Decoded content; the receiver copies what it keeps before returning.
   * Returns `false` once the inspection has stopped (media found, a budget
   * spent): a decoder that can expand a little input a thousandfold stops
   * there. Any other answer means go on.
   */
  data(bytes: Uint8Array): unknown;
  /**
   * A side field that is content of its own (a gzip member's FEXTRA, FNAME,
   * FCOMMENT): called once per field with all of its bytes.
   */
  field(name: string, bytes: Uint8Array): void;
}

/** A decoder fed synchronously, chunk by chunk. */
export interface LayerStream {
  /** Takes the next input bytes; throws when they are not valid data of the layer. */
  write(chunk: Uint8Array): void;
  /** The input has ended; throws when the layer's data is incomplete. */
  finish(): void;
  /** Input offset where the layer's data ended (bytes from there on are not the layer's), or -1 while it goes on. */
  readonly endedAt: number;
}

export interface LayerKind {
  /** As the refusal details name it: `gzip`, `zstd`, ... */
  readonly name: string;
  /** `anywhere` for magic strong enough to be looked for at any offset; `start` for weak magic, looked for where content starts. */
  readonly where: LayerWhere;
  /** Bytes that can begin the layer: a fast filter. */
  readonly first: readonly number[];
  /** The bytes that can follow the first one, when fewer than all: a finer filter. */
  readonly second?: readonly number[];
  /** Whether the layer's magic stands at `b[at]` (with `b[at, end)` in view). */
  recognise(b: Uint8Array, at: number, end: number): boolean;
  /**
   * A decoder for the layer; throws UninspectableLayer when it cannot be
   * inspected here (then the body is refused, never stored unseen).
   */
  open(output: LayerOutput, limits: LayerLimits): LayerStream;
}

export interface LayerLimits {
  /** The most memory the decoder may need for its state (a zstd window, a bzip2 block, an LZMA dictionary). */
  readonly maxMemoryBytes: number;
}

/** Thrown by a layer decoder for data that may be valid but cannot be inspected within the bounds. */
export class UninspectableLayer extends Error {}

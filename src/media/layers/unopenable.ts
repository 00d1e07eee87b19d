import { UninspectableLayer, type LayerKind } from './layer.ts';

/**
 * Formats recognised by their magic that no decoder here opens (no
 * well-kept pure-JavaScript streaming decoder that runs on Workers exists
 * for them): a body holding one is refused as uninspectable, never stored unseen.
 */
function unopenable(name: string, magic: readonly number[], confirm: (b: Uint8Array, at: number) => boolean): LayerKind {
  return {
    name,
    where: 'anywhere',
    first: [magic[0]!],
    recognise: (b, at, end) => at + magic.length + 4 <= end && magic.every((byte, i) => b[at + i] === byte) && confirm(b, at),
    open: () => {
      throw new UninspectableLayer(`${name} data cannot be decompressed for inspection here`);
    },
  };
}

const BLOCK_MAGIC = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
const END_MAGIC = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];
const at4 = (b: Uint8Array, at: number, magic: readonly number[]): boolean => magic.every((byte, i) => b[at + 4 + i] === byte);

/** `BZh` and a block size digit, then a block or the end-of-stream magic. */
export const BZIP2 = unopenable(
  'bzip2',
  [0x42, 0x5a, 0x68],
  (b, at) => b[at + 3]! >= 0x31 && b[at + 3]! <= 0x39 && (at4(b, at, BLOCK_MAGIC) || at4(b, at, END_MAGIC)),
);

/** The xz stream header magic and a valid check type in its flags. */
export const XZ = unopenable('xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], (b, at) => b[at + 6] === 0 && (b[at + 7]! & 0xf0) === 0);

/** The legacy `.lzma` header: lc/lp/pb properties, then a power-of-two-ish dictionary size. Start only: weak. */
export const LZMA_ALONE: LayerKind = {
  ...unopenable('lzma', [0x5d, 0x00, 0x00], () => true),
  where: 'start',
  recognise: (b, at, end) =>
    at + 13 <= end &&
    b[at] === 0x5d &&
    b[at + 1] === 0 &&
    b[at + 2] === 0 &&
    (b[at + 3] === 0x80 || b[at + 3] === 0x10 || b[at + 3] === 0x40 || b[at + 3] === 0x00) &&
    b[at + 4] === 0,
};

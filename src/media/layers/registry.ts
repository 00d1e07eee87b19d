import { GZIP } from './gzip.ts';
import type { LayerKind, LayerWhere } from './layer.ts';
import { BZIP2, LZMA_ALONE, XZ } from './unopenable.ts';
import { ZLIB } from './zlib.ts';
import { ZSTD } from './zstd.ts';

export { UninspectableLayer, type LayerKind, type LayerLimits, type LayerOutput, type LayerStream, type LayerWhere } from './layer.ts';

/**
 * Every compressed layer the inspector recognises by its bytes. ZIP (its
 * local headers), tar, multipart, base64, hex and the text carriers are
 * peeled by the scanner itself as it passes them (src/media/scanner/).
 */
export const LAYERS: readonly LayerKind[] = [GZIP, ZLIB, ZSTD, BZIP2, XZ, LZMA_ALONE];

const BY_FIRST_BYTE: readonly (readonly LayerKind[])[] = Array.from({ length: 256 }, (_, byte) => LAYERS.filter((layer) => layer.first.includes(byte)));

/** 1 for bytes that can begin a layer: a fast filter for scanners. */
export const MAY_START_LAYER: Uint8Array = Uint8Array.from(BY_FIRST_BYTE, (layers) => (layers.length > 0 ? 1 : 0));

/** The layer whose magic stands at `b[at]`, or null. */
export function layerAt(b: Uint8Array, at: number, end: number, where: LayerWhere): LayerKind | null {
  for (const layer of BY_FIRST_BYTE[b[at]!]!) if (layer.recognise(b, at, end, where)) return layer;
  return null;
}

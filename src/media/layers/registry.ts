import { BZIP2 } from './bzip2.ts';
import { GZIP } from './gzip.ts';
import type { LayerKind, LayerWhere } from './layer.ts';
import { LZMA_ALONE } from './lzma.ts';
import { WIDE_TEXT } from './utf16-32.ts';
import { XZ } from './xz.ts';
import { ZLIB } from './zlib.ts';
import { ZSTD } from './zstd.ts';
import { UNOPENED } from './unopened/index.ts';

export { UninspectableLayer, type LayerKind, type LayerLimits, type LayerOutput, type LayerStream, type LayerWhere } from './layer.ts';

/**
 * Every compressed layer the inspector recognises by its bytes. ZIP (its
 * local headers), tar, multipart, base64, hex and the text carriers are
 * peeled by the scanner itself as it passes them (src/media/scanner/).
 */
export const LAYERS: readonly LayerKind[] = [GZIP, ZLIB, ZSTD, BZIP2, XZ, LZMA_ALONE, WIDE_TEXT, ...UNOPENED];

function byFirstByte(where: LayerWhere): readonly (readonly LayerKind[])[] {
  const layers = where === 'start' ? LAYERS : LAYERS.filter((layer) => layer.where === 'anywhere');
  return Array.from({ length: 256 }, (_, byte) => layers.filter((layer) => layer.first.includes(byte)));
}

const TABLES: Readonly<Record<LayerWhere, readonly (readonly LayerKind[])[]>> = { start: byFirstByte('start'), anywhere: byFirstByte('anywhere') };

/** 1 for bytes that can begin a layer found at any offset: a fast filter for scanners. */
export const MAY_START_LAYER: Uint8Array = Uint8Array.from(TABLES.anywhere, (layers) => (layers.length > 0 ? 1 : 0));

/** 1 for the pairs of bytes (`first << 8 | second`) that can begin a layer found at any offset: a finer filter where the second byte is in view. */
export const MAY_START_LAYER_PAIR: Uint8Array = Uint8Array.from({ length: 1 << 16 }, (_, pair) =>
  TABLES.anywhere[pair >>> 8]!.some((layer) => !layer.second || layer.second.includes(pair & 0xff)) ? 1 : 0,
);

/** The layer whose magic stands at `b[at]`, looked for where content starts or at any offset, or null. */
export function layerAt(b: Uint8Array, at: number, end: number, where: LayerWhere): LayerKind | null {
  for (const layer of TABLES[where][b[at]!]!) if (layer.recognise(b, at, end)) return layer;
  return null;
}

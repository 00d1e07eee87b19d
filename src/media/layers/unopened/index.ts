import type { LayerKind } from '../layer.ts';
import { UNOPENED_ARCHIVES } from './archives.ts';
import { UNOPENED_STREAMS } from './streams.ts';

/** Every compressed or archive format recognised but not opened: refused as uninspectable (src/media/layers/unopened/). */
export const UNOPENED: readonly LayerKind[] = [...UNOPENED_ARCHIVES, ...UNOPENED_STREAMS];

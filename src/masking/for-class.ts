import { Refusal } from '../policy/refusal.ts';
import type { MaskList } from '../policy/protection-schema.ts';
import type { CustomMask, MaskKind } from './kinds.ts';
import { createMasking, type Masking } from './stream.ts';

/** A data class's `mask` list split into built-in kinds and custom patterns. */
export function masksOf(list: MaskList | undefined): { kinds: MaskKind[]; custom: CustomMask[] } {
  const kinds: MaskKind[] = [];
  const custom: CustomMask[] = [];
  for (const mask of list ?? []) {
    if (typeof mask === 'string') kinds.push(mask);
    else custom.push(mask);
  }
  return { kinds, custom };
}

/** The names of a class's masks, as `explain` lists them: built-in kinds and custom pattern names. */
export function maskNames(list: MaskList | undefined): string[] {
  return (list ?? []).map((mask) => (typeof mask === 'string' ? mask : mask.name));
}

/** The masking of one write of a class, or null when the class masks nothing. */
export function maskingForWrite(list: MaskList | undefined, contentType: string, contentEncoding: string): Masking | null {
  const { kinds, custom } = masksOf(list);
  if (kinds.length === 0 && custom.length === 0) return null;
  const coding = contentEncoding.trim().toLowerCase();
  if (coding !== '' && coding !== 'identity') {
    throw new Refusal('body_uninspectable', `this data class is masked before storage; send the body without Content-Encoding (got "${contentEncoding}")`);
  }
  return createMasking({ kinds, custom, contentType });
}

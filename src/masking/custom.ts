import { placeholder, type Detector } from './detector.ts';
import type { CustomMask } from './kinds.ts';
import { compilePattern } from './linear-pattern.ts';

/** A policy's own pattern as a detector: each match becomes `[<name>]`. */
export function customDetector(mask: CustomMask): Detector {
  const pattern = compilePattern(mask.pattern, mask.maxLength);
  const replacement = placeholder(mask.name);
  return {
    kind: mask.name,
    maxLength: mask.maxLength,
    find(text, from) {
      const found = pattern.find(text, from);
      return found && { ...found, replacement };
    },
  };
}

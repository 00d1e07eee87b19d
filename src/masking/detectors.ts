import { cardNumberDetector } from './card-number.ts';
import { customDetector } from './custom.ts';
import type { Detector } from './detector.ts';
import { emailDetector } from './email.ts';
import { ibanDetector } from './iban.ts';
import { ipAddressDetectors } from './ip-address.ts';
import type { CustomMask, MaskKind } from './kinds.ts';
import { phoneDetector } from './phone.ts';
import { ukNinoDetector } from './uk-nino.ts';

const BUILT_IN: Readonly<Record<MaskKind, () => Detector[]>> = {
  'card-number': () => [cardNumberDetector()],
  email: () => [emailDetector()],
  phone: () => [phoneDetector()],
  iban: () => [ibanDetector()],
  'uk-nino': () => [ukNinoDetector()],
  'ip-address': ipAddressDetectors,
};

/** The detectors of a data class's `mask` list. Detectors hold regex state: one set per stream. */
export function detectorsFor(kinds: readonly MaskKind[], custom: readonly CustomMask[]): Detector[] {
  return [...kinds.flatMap((kind) => BUILT_IN[kind]()), ...custom.map(customDetector)];
}

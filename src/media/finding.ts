import { Refusal } from '../policy/refusal.ts';
import type { MediaKind } from './signatures/index.ts';

/** What the inspector found and where, e.g. `{ kind: 'image', format: 'PNG', where: 'in a base64 string at byte 1048576' }`. */
export interface MediaFinding {
  readonly kind: MediaKind;
  readonly format: string;
  readonly where: string;
}

const describeFinding = (finding: MediaFinding): string => `${finding.format} ${finding.kind} ${finding.where}`;

/** A `media_refused` refusal that still knows what it found, so audit and metrics can count refusals by kind. */
export class MediaRefusal extends Refusal {
  constructor(readonly finding: MediaFinding) {
    super('media_refused', describeFinding(finding));
  }
}

export function isMediaRefusal(error: unknown): error is MediaRefusal {
  return error instanceof MediaRefusal;
}

import type { Refusal } from '../../policy/refusal.ts';
import type { InspectionContext } from '../context.ts';
import { MediaRefusal } from '../finding.ts';
import type { RedactedOutput } from '../redaction.ts';
import type { MediaMatch } from '../signatures/index.ts';

/** Thrown inside a round to stop it once a finding is recorded. */
export const STOP = Symbol('stop');

/** What a scanner does with what it finds: refuses the body (and stops), or, in redact mode, rewrites it. */
export class Verdicts {
  constructor(
    private readonly context: InspectionContext,
    private readonly locate: (offset: number) => string,
    /** The rewritten body, in redact mode. */
    private readonly output: RedactedOutput | undefined,
  ) {}

  found(media: MediaMatch, how: string, at: number): never {
    return this.refuse(new MediaRefusal({ ...media, where: `${how ? `${how} ` : ''}${this.locate(at)}` }));
  }

  refuse(refusal: Refusal): never {
    this.context.fail(refusal);
    throw STOP;
  }

  get canRedact(): boolean {
    return this.output !== undefined;
  }

  beginRedaction(at: number, marker: Uint8Array): void {
    this.output!.begin(at, marker);
  }

  endRedaction(at: number): void {
    this.output!.end(at);
  }

  /** Lets the rewritten body go up to `upTo` (absolute). */
  flush(upTo: number): void {
    this.output?.flush(upTo);
  }
}

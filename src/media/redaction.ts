import type { InspectionContext } from './context.ts';

/** The fixed text that replaces each redacted item; as a JSON string where it replaces a whole JSON value. */
export const REDACTION_MARKER = '[media redacted]';
export const MARKER_BYTES = new TextEncoder().encode(REDACTION_MARKER);
export const MARKER_VALUE_BYTES = new TextEncoder().encode(JSON.stringify(REDACTION_MARKER));

/** Copies the bytes between two absolute offsets out of the scanner's window. */
export type ReadBytes = (from: number, to: number) => Uint8Array;

/**
 * The body as it will be stored in redact mode: the bytes as received, in
 * order, except that each redacted item (from `begin` to `end`, absolute
 * offsets) is replaced by its marker. Bytes are emitted as the scanner lets
 * them go, so nothing but the scanner's window is ever held.
 */
export class RedactedOutput {
  /** Absolute offset of the next byte to emit. */
  private emitted = 0;
  private redacting = false;

  constructor(
    private readonly emit: (chunk: Uint8Array) => void,
    private readonly read: ReadBytes,
    private readonly context: InspectionContext,
  ) {}

  begin(at: number, marker: Uint8Array): void {
    this.flush(at);
    this.emit(marker);
    this.context.redactions++;
    this.redacting = true;
  }

  end(at: number): void {
    this.emitted = at;
    this.redacting = false;
  }

  /** Emits everything before `upTo` not yet emitted, unless an item is being redacted. */
  flush(upTo: number): void {
    if (this.redacting || upTo <= this.emitted) return;
    this.emit(this.read(this.emitted, upTo));
    this.emitted = upTo;
  }
}

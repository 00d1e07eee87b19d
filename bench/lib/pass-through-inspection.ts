import type { Inspection, InspectionOptions } from '../../src/media/inspect.ts';

// Everything else the object routes import from the inspector stays the real thing.
export * from '../../src/media/inspect.ts';

/** Stands in for the media inspector when inspection is off (see inspection-off.ts): passes every byte, finds nothing. */
export function createInspection(_options: InspectionOptions): Inspection {
  return { stream: new TransformStream<Uint8Array, Uint8Array>(), redactions: 0 };
}

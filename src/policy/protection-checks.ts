import { encryptionPlacementErrors } from './keys-placement.ts';
import type { StorePlacement } from './placement.ts';
import type { PolicyDocument } from './schema.ts';

/** The checks of masking and encryption that span more than one key of the policy. */
export function protectionErrors(document: PolicyDocument, placements: ReadonlyMap<string, StorePlacement>): string[] {
  const errors = encryptionPlacementErrors(document, placements);
  for (const [name, dataClass] of Object.entries(document.dataClasses)) {
    if (dataClass.atRetention === 'anonymize' && (dataClass.mask ?? []).length === 0) {
      errors.push(`dataClasses.${name}.atRetention: anonymize needs a mask list (the kinds masked at the end of retention)`);
    }
    if (dataClass.atRetention !== undefined && dataClass.retentionDays === undefined) {
      errors.push(`dataClasses.${name}.atRetention: the class has no retentionDays, so retention never ends`);
    }
  }
  return errors;
}

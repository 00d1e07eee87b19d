/** The built-in masking kinds a data class may list under `mask`. */
export const MASK_KINDS = ['card-number', 'email', 'phone', 'iban', 'uk-nino', 'ip-address'] as const;

export type MaskKind = (typeof MASK_KINDS)[number];

/** A policy's own pattern, masked as `[<name>]`. */
export interface CustomMask {
  name: string;
  /** In the small linear-time syntax of ./linear-pattern.ts. */
  pattern: string;
  /** The longest text one match may cover. */
  maxLength: number;
}

/** Masks found, by kind (built-in or custom name). */
export type MaskCounts = Record<string, number>;

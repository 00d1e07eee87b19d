/** Data of a recognised format that does not decode: refused, never taken for other bytes. */
export class CorruptData extends Error {}

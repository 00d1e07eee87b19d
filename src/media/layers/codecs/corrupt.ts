/** Data of a recognised format that does not decode: refused, never taken for other bytes. */
export class CorruptData extends Error {}

/** Data that may be valid but that these decoders do not decode (an xz BCJ filter, a randomised bzip2 block). */
export class UnsupportedData extends Error {}

/** The value of each hex digit (either case), -1 for every other byte: the table every hex spelling reads. */
export const HEX_VALUE: Int8Array = Int8Array.from({ length: 256 }, (_, byte) =>
  byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66 ? (byte | 0x20) - 0x57 : -1,
);

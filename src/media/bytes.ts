/** Reading fixed-layout binary headers out of a byte window. */

/** The bytes of a latin1 string (each character one byte): a magic number written as text. */
export const bytesOf = (text: string): Uint8Array => Uint8Array.from(text, (char) => char.charCodeAt(0));

/** Whether `expected` stands at `at` and ends before `end`. */
export function startsWith(b: Uint8Array, at: number, end: number, expected: Uint8Array | readonly number[]): boolean {
  if (at < 0 || at + expected.length > end) return false;
  for (let i = 0; i < expected.length; i++) if (b[at + i] !== expected[i]) return false;
  return true;
}

export const u16be = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
export const u16le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
export const u32be = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
export const u32le = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

export function isPrintableAscii(b: Uint8Array, at: number, length: number): boolean {
  for (let i = at; i < at + length; i++) if (b[i]! < 0x20 || b[i]! > 0x7e) return false;
  return true;
}

/** `length` bytes at `at` as latin1 text (a four-character code, a DocType). */
export function ascii(b: Uint8Array, at: number, length: number): string {
  let text = '';
  for (let i = at; i < at + length; i++) text += String.fromCharCode(b[i]!);
  return text;
}

const hexDigit = (byte: number): number =>
  byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66 ? (byte | 0x20) - 0x57 : -1;

/** The character (0-255) a JSON `\u00XX` escape at `at` stands for, or -1. */
export function latin1EscapeAt(b: Uint8Array, at: number, end: number): number {
  if (at + 6 > end || b[at] !== 0x5c || b[at + 1] !== 0x75 || b[at + 2] !== 0x30 || b[at + 3] !== 0x30) return -1;
  const high = hexDigit(b[at + 4]!);
  const low = hexDigit(b[at + 5]!);
  return high < 0 || low < 0 ? -1 : (high << 4) | low;
}

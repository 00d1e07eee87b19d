/**
 * Bytes spelt out as text the way tools and languages print them: Java's
 * signed bytes, Python's `repr(bytes)`, C arrays, `xxd`, `hexdump -C`,
 * `od -An -tx1` (the dumps byte for byte as the tools print them).
 */

const hex2 = (byte: number): string => byte.toString(16).padStart(2, '0');
const printable = (byte: number): string => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.');

/** Java's `byte[]` values (Gson, Kotlin serialization, `Arrays.toString`): -128 to 127. */
export const signedBytes = (bytes: Uint8Array): number[] => Array.from(bytes, (byte) => (byte > 127 ? byte - 256 : byte));

export const hexLiterals = (bytes: Uint8Array): string[] => Array.from(bytes, (byte) => `0x${hex2(byte)}`);

/** `\xHH` for every byte, as `printf` and `echo -e` take them. */
export const hexEscapes = (bytes: Uint8Array): string => Array.from(bytes, (byte) => `\\x${hex2(byte)}`).join('');

/** Python 3's `repr(bytes)`: `b'...'` (or `b"..."` when only `'` is inside), printable ASCII as itself. */
export function pythonRepr(bytes: Uint8Array): string {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  const body = Array.from(bytes, (byte) => {
    if (byte === 0x5c) return '\\\\';
    if (byte === 0x27 && quote === "'") return "\\'";
    if (byte === 0x09) return '\\t';
    if (byte === 0x0a) return '\\n';
    if (byte === 0x0d) return '\\r';
    return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${hex2(byte)}`;
  }).join('');
  return `b${quote}${body}${quote}`;
}

const lines = (bytes: Uint8Array): Uint8Array[] => Array.from({ length: Math.ceil(bytes.length / 16) }, (_, i) => bytes.subarray(i * 16, i * 16 + 16));

/** `xxd` (16 bytes a line in groups of two). */
export const xxd = (bytes: Uint8Array): string =>
  lines(bytes)
    .map((line, i) => {
      const groups = Array.from({ length: Math.ceil(line.length / 2) }, (_, g) => Array.from(line.subarray(g * 2, g * 2 + 2), hex2).join(''));
      return `${(i * 16).toString(16).padStart(8, '0')}: ${groups.join(' ').padEnd(39)}  ${Array.from(line, printable).join('')}\n`;
    })
    .join('');

/** Lines as `hexdump` and `od` print them: a line equal to the one before is left out, a `*` standing for the run. */
function collapsed(bytes: Uint8Array, line: (bytes: Uint8Array, offset: number) => string): string {
  let out = '';
  let previous: string | null = null;
  let starred = false;
  lines(bytes).forEach((bytesOfLine, i) => {
    const key = bytesOfLine.length === 16 ? Array.from(bytesOfLine, hex2).join('') : null;
    if (key !== null && key === previous) {
      if (!starred) out += '*\n';
      starred = true;
      return;
    }
    previous = key;
    starred = false;
    out += line(bytesOfLine, i * 16);
  });
  return out;
}

/** `hexdump -C`. */
export const hexdumpC = (bytes: Uint8Array): string =>
  collapsed(bytes, (line, offset) => {
    const pairs = Array.from(line, hex2);
    const hex = `${pairs.slice(0, 8).join(' ')}  ${pairs.slice(8).join(' ')}`.trimEnd();
    return `${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(48)}  |${Array.from(line, printable).join('')}|\n`;
  }) + (bytes.length > 0 ? `${bytes.length.toString(16).padStart(8, '0')}\n` : '');

/** `od -An -tx1`. */
export const odHex = (bytes: Uint8Array): string => collapsed(bytes, (line) => `${Array.from(line, (byte) => ` ${hex2(byte)}`).join('')}\n`);

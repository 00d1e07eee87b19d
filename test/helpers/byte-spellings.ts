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

/** `xxd -p`: plain hex, 30 bytes (60 digits) a line. */
export const xxdPlain = (bytes: Uint8Array): string =>
  Array.from({ length: Math.ceil(bytes.length / 30) }, (_, i) => `${Array.from(bytes.subarray(i * 30, i * 30 + 30), hex2).join('')}\n`).join('');

const QP_LINE = 76;

/**
 * Quoted-printable of binary data as Python's `binascii.b2a_qp(data,
 * istext=False)` writes it (RFC 2045): lines of at most 76 characters joined
 * by soft line breaks, CRLF ones when the data's first line break is CRLF.
 */
export function quotedPrintable(bytes: Uint8Array): string {
  const firstLineFeed = bytes.indexOf(0x0a);
  const softBreak = firstLineFeed > 0 && bytes[firstLineFeed - 1] === 0x0d ? '=\r\n' : '=\n';
  const parts: string[] = [];
  let line = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    const next = bytes[i + 1];
    const last = next === undefined;
    const lonelyDot = byte === 0x2e && line === 0 && (last || next === 0x0a || next === 0x0d || next === 0);
    const blank = byte === 0x09 || byte === 0x20;
    if (byte > 126 || byte === 0x3d || lonelyDot || (blank && last) || (byte < 33 && !blank)) {
      if (line + 3 >= QP_LINE) parts.push(softBreak), (line = 0);
      parts.push(`=${hex2(byte).toUpperCase()}`);
      line += 3;
    } else {
      if (!last && next !== 0x0a && line + 1 >= QP_LINE) parts.push(softBreak), (line = 0);
      parts.push(String.fromCharCode(byte));
      line++;
    }
  }
  return parts.join('');
}

const uuChar = (value: number): string => (value === 0 ? '`' : String.fromCharCode(0x20 + value));

/** `uuencode` (GNU sharutils; Python's `binascii.b2a_uu(..., backtick=True)` line by line): 45 bytes a line, a backtick for 0. */
export function uuencoded(bytes: Uint8Array, name = 'shot.bin'): string {
  const lines = [`begin 644 ${name}`];
  for (let at = 0; at < bytes.length; at += 45) {
    const line = bytes.subarray(at, at + 45);
    const chars = [uuChar(line.length)];
    for (let i = 0; i < line.length; i += 3) {
      const group = ((line[i] ?? 0) << 16) | ((line[i + 1] ?? 0) << 8) | (line[i + 2] ?? 0);
      for (let shift = 18; shift >= 0; shift -= 6) chars.push(uuChar((group >> shift) & 0x3f));
    }
    lines.push(chars.join(''));
  }
  return `${lines.join('\n')}\n\`\nend\n`;
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Base32 (RFC 4648, `=` padded), as Python's `base64.b32encode` writes it. */
export function base32(bytes: Uint8Array): string {
  let text = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text += BASE32_ALPHABET[(value >> bits) & 31];
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) text += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return text.padEnd(Math.ceil(text.length / 8) * 8, '=');
}

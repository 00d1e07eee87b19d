import { readFileSync } from 'node:fs';
import { concat, utf8 } from './inspect-stream.ts';
import type { MediaFile, Payload } from './wrappings.ts';
import { crc32 } from './zlib.ts';

/**
 * The compressed and archive formats the gateway recognises but does not
 * open (src/media/layers/unopened/): real files packed by Debian's tools
 * (scripts/make-fixtures-unopened.sh), and RAR archives written here, as
 * no free tool writes RAR.
 */

const UNOPENED = new URL('../fixtures/unopened/', import.meta.url);

/** The text file every format also packs: refused all the same, since it cannot be unpacked. */
export const TEXT_FILE: MediaFile = { name: 'notes.txt', bytes: utf8('Meeting notes\n- ship the gateway\n- no screenshots are kept\n') };

const packed = (extension: string) => (file: MediaFile) => new Uint8Array(readFileSync(new URL(`${file.name}.${extension}`, UNOPENED)));

const u16 = (value: number): number[] => [value & 0xff, value >>> 8];
const u32 = (value: number): number[] => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24];

/** A RAR 1.5-4 archive holding `file` stored (method 0x30), as the format's technote lays it out. */
export function rar4(file: MediaFile): Uint8Array {
  const block = (fields: number[]): number[] => [...u16(crc32(Uint8Array.from(fields)) & 0xffff), ...fields];
  const name = utf8(file.name);
  const main = block([0x73, ...u16(0), ...u16(13), ...u16(0), ...u32(0)]);
  const entry = block([
    0x74,
    ...u16(0x8000),
    ...u16(32 + name.length),
    ...u32(file.bytes.length),
    ...u32(file.bytes.length),
    3,
    ...u32(crc32(file.bytes)),
    ...u32(0),
    20,
    0x30,
    ...u16(name.length),
    ...u32(0o100644),
    ...name,
  ]);
  return concat([utf8('Rar!\x1a\x07\x00'), Uint8Array.from(main), Uint8Array.from(entry), file.bytes, Uint8Array.of(0xc4, 0x3d, 0x7b, 0x00, 0x40, 0x07, 0x00)]);
}

/** RAR 5's variable-length integer. */
function vint(value: number): number[] {
  const out: number[] = [];
  do {
    out.push((value & 0x7f) | (value >= 0x80 ? 0x80 : 0));
    value = Math.floor(value / 0x80);
  } while (value > 0);
  return out;
}

/** A RAR 5 archive holding `file` stored (compression method 0). */
export function rar5(file: MediaFile): Uint8Array {
  const header = (fields: number[]): Uint8Array => {
    const body = Uint8Array.from([...vint(fields.length), ...fields]);
    return concat([Uint8Array.from(u32(crc32(body))), body]);
  };
  const name = utf8(file.name);
  const size = vint(file.bytes.length);
  const entry = header([2, 0x02, ...size, 0x04, ...size, ...vint(0o644), ...u32(crc32(file.bytes)), 0, 1, ...vint(name.length), ...name]);
  return concat([utf8('Rar!\x1a\x07\x01\x00'), header([1, 0, 0]), entry, file.bytes, header([5, 0, 0])]);
}

/** Each format, as the bytes of an archive or compressed file holding one file. */
export const UNOPENED_FORMATS: Readonly<Record<string, (file: MediaFile) => Uint8Array>> = {
  '7z (7-Zip, LZMA2)': packed('7z'),
  'RAR 4 (stored)': rar4,
  'RAR 5 (stored)': rar5,
  'lz4 frame': packed('lz4'),
  'lz4 legacy frame (lz4 -l)': packed('legacy.lz4'),
  lzip: packed('lz'),
  'compress (.Z)': packed('Z'),
  lzop: packed('lzo'),
  'Microsoft Cabinet (MSZIP)': packed('cab'),
  'Snappy framed': packed('sz'),
  ARJ: packed('arj'),
  'LZH (lha)': packed('lzh'),
  ZPAQ: packed('zpaq'),
  bzip3: packed('bz3'),
  lrzip: packed('lrz'),
  SquashFS: packed('sqfs'),
  'WIM (wimcapture)': packed('wim'),
  'SZDD (mscompress)': packed('szdd'),
};

/** Formats whose magic is too weak to be looked for at any offset: refused where content starts only. */
export const START_ONLY_UNOPENED = ['compress (.Z)'];

export const asBody = (bytes: Uint8Array, contentType = 'application/octet-stream'): Payload => ({ body: bytes, contentType, contentEncoding: '' });

/** The text file packed in each format: 422 body_uninspectable, as the layers matrix's UNINSPECTABLE table expects. */
export const UNOPENED_TEXT: Readonly<Record<string, () => Payload>> = Object.fromEntries(
  Object.entries(UNOPENED_FORMATS).map(([format, pack]) => [`a ${format} file of text`, () => asBody(pack(TEXT_FILE))]),
);

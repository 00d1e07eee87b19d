import * as zlib from 'node:zlib';
import { compressed } from './compressed.ts';
import { base32, hexdumpC, hexEscapes, hexLiterals, odHex, pythonRepr, quotedPrintable, signedBytes, uuencoded, xxd, xxdPlain } from './byte-spellings.ts';
import { concat, fixtures, utf8 } from './inspect-stream.ts';
import { base64, dataUrl, mediaTypeOf, multipart, type MediaFile, type Payload } from './wrappings.ts';
import { crc32, deflateRawSync, deflateSync, gzipSync } from './zlib.ts';
import { LONG_OPAQUE_PREFIX, OPAQUE_PREFIX } from './opaque-bytes.ts';
import { UNOPENED_TEXT } from './unopened-wrappings.ts';

/**
 * The wrappings of issue 11 ("however it is disguised"): every layer the
 * inspector must peel by its bytes, whatever the headers say. Each takes the
 * bytes of a file (media or benign) and returns the request body a client
 * would send.
 */

const bytes = (buffer: Buffer): Uint8Array => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
const body = (content: Uint8Array, contentType = 'application/octet-stream', contentEncoding = ''): Payload => ({
  body: content,
  contentType,
  contentEncoding,
});
const jsonBody = (text: string, contentType = 'application/json'): Payload => body(utf8(text), contentType);
const hex = (content: Uint8Array): string => Buffer.from(content).toString('hex');
const latin1 = (content: Uint8Array): string => Buffer.from(content).toString('latin1');

export const zstdSync = (content: Uint8Array): Uint8Array => bytes(zlib.zstdCompressSync(content));

/** A gzip member with optional header fields (RFC 1952), compressing `content`. */
export function gzipMember(content: Uint8Array, fields: { extra?: Uint8Array; name?: string; comment?: string } = {}): Uint8Array {
  const flags = (fields.extra ? 0x04 : 0) | (fields.name !== undefined ? 0x08 : 0) | (fields.comment !== undefined ? 0x10 : 0);
  const header = [0x1f, 0x8b, 0x08, flags, 0, 0, 0, 0, 0, 0xff];
  const parts: Uint8Array[] = [Uint8Array.from(header)];
  if (fields.extra) parts.push(Uint8Array.of(fields.extra.length & 0xff, fields.extra.length >> 8), fields.extra);
  if (fields.name !== undefined) parts.push(utf8(fields.name), Uint8Array.of(0));
  if (fields.comment !== undefined) parts.push(utf8(fields.comment), Uint8Array.of(0));
  const trailer = new DataView(new ArrayBuffer(8));
  trailer.setUint32(0, crc32(content), true);
  trailer.setUint32(4, content.length, true);
  parts.push(deflateRawSync(content), new Uint8Array(trailer.buffer));
  return concat(parts);
}

/** A POSIX tar archive of the files, as `tar cf` writes it. */
export function tar(files: readonly { name: string; bytes: Uint8Array }[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const file of files) {
    const header = new Uint8Array(512);
    header.set(utf8(file.name), 0);
    header.set(utf8('0000644\0'), 100);
    header.set(utf8('0001750\0'), 108);
    header.set(utf8('0001750\0'), 116);
    header.set(utf8(`${file.bytes.length.toString(8).padStart(11, '0')}\0`), 124);
    header.set(utf8('14650465257\0'), 136);
    header.set(utf8('        '), 148);
    header[156] = 0x30;
    header.set(utf8('ustar\x0000'), 257);
    const sum = header.reduce((total, byte) => total + byte, 0);
    header.set(utf8(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    blocks.push(header, file.bytes, new Uint8Array((512 - (file.bytes.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  return concat(blocks);
}

/**
 * A ZIP as streaming writers make it: sizes and CRC in a data descriptor
 * after each entry's data (flag bit 3), the local header's sizes zero.
 * `method` 12 (bzip2) or 14 (LZMA) labels stored data with a method the
 * gateway cannot open.
 */
export function streamedZip(files: readonly { name: string; bytes: Uint8Array; compressed?: Uint8Array }[], method: 0 | 8 | 12 | 14 = 8): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  // bit 3: sizes in a data descriptor; bit 1 with LZMA: the data ends with an end marker
  const flags = method === 14 ? 0x0a : 0x08;
  let offset = 0;
  for (const file of files) {
    const name = utf8(file.name);
    const data = file.compressed ?? (method === 8 ? deflateRawSync(file.bytes) : file.bytes);
    const header = new DataView(new ArrayBuffer(30));
    header.setUint32(0, 0x04034b50, true);
    header.setUint16(4, 20, true);
    header.setUint16(6, flags, true);
    header.setUint16(8, method, true);
    header.setUint16(26, name.length, true);
    const descriptor = new DataView(new ArrayBuffer(16));
    descriptor.setUint32(0, 0x08074b50, true);
    descriptor.setUint32(4, crc32(file.bytes), true);
    descriptor.setUint32(8, data.length, true);
    descriptor.setUint32(12, file.bytes.length, true);
    parts.push(new Uint8Array(header.buffer), name, data, new Uint8Array(descriptor.buffer));
    const entry = new DataView(new ArrayBuffer(46));
    entry.setUint32(0, 0x02014b50, true);
    entry.setUint16(4, 20, true);
    entry.setUint16(6, 20, true);
    entry.setUint16(8, flags, true);
    entry.setUint16(10, method, true);
    entry.setUint32(16, crc32(file.bytes), true);
    entry.setUint32(20, data.length, true);
    entry.setUint32(24, file.bytes.length, true);
    entry.setUint16(28, name.length, true);
    entry.setUint32(42, offset, true);
    central.push(new Uint8Array(entry.buffer), name);
    offset += 30 + name.length + data.length + 16;
  }
  const directory = concat(central);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, directory.length, true);
  end.setUint32(16, offset, true);
  return concat([...parts, directory, new Uint8Array(end.buffer)]);
}

/** A `.lzma` file's stream as a ZIP member of method 14 carries it: LZMA SDK version, properties size, the 5 property bytes, then the data without the 8-byte length. */
export const zipLzmaData = (lzma: Uint8Array): Uint8Array => concat([Uint8Array.of(9, 20, 5, 0), lzma.subarray(0, 5), lzma.subarray(13)]);

/** `text` as UTF-16 or UTF-32 code units in either byte order, with a BOM if asked. */
export function wideText(text: string, unit: 2 | 4, littleEndian: boolean, bom = false): Uint8Array {
  const whole = `${bom ? '\ufeff' : ''}${text}`;
  // UTF-32 holds code points; UTF-16 holds code units (a surrogate pair is two)
  const units = unit === 4 ? [...whole].map((char) => char.codePointAt(0)!) : Array.from({ length: whole.length }, (_, i) => whole.charCodeAt(i));
  const view = new DataView(new ArrayBuffer(units.length * unit));
  units.forEach((value, i) => (unit === 4 ? view.setUint32(i * 4, value, littleEndian) : view.setUint16(i * 2, value, littleEndian)));
  return new Uint8Array(view.buffer);
}

/** A JSON string of latin1 characters as Python's json.dumps writes it (ensure_ascii: every byte outside printable ASCII escaped). */
const asciiJsonString = (content: Uint8Array): string =>
  `"${Array.from(content, (byte) => (byte < 0x20 || byte >= 0x7f ? `\\u${byte.toString(16).padStart(4, '0')}` : byte === 0x22 ? '\\"' : byte === 0x5c ? '\\\\' : String.fromCharCode(byte))).join('')}"`;

const foldEvery76 = (text: string, fold: string): string => text.replace(/.{76}(?=.)/g, `$&${fold}`);

/** A self-extracting archive's stub: an executable's bytes before the ZIP. */
const SFX_STUB = concat([Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0), new Uint8Array(4088).map((_, i) => (i * 7) & 0xff)]);

const chatEvents = (value: string): string =>
  JSON.stringify({
    events: [
      { type: 'message', text: 'can you see my screen?' },
      { type: 'snapshot', value },
      { type: 'message', text: 'yes' },
    ],
  });

/** The media the matrix wraps: what co-browsing and recorders produce. */
export const MEDIA_NAMES = ['image.png', 'image.jpg', 'video.webm', 'audio-id3.mp3', 'audio-noid3.mp3', 'audio.wav', 'audio.opus', 'video.mp4'];
export const MATRIX_MEDIA: readonly MediaFile[] = fixtures('media').filter((file) => MEDIA_NAMES.includes(file.name));

const hexPairs = (content: Uint8Array): string[] => Array.from(content, (byte) => byte.toString(16).padStart(2, '0'));
/** `items` joined by `separator`, `perLine` to a line, each line indented. */
const wrapped = (items: readonly string[], separator: string, perLine: number): string =>
  Array.from({ length: Math.ceil(items.length / perLine) }, (_, line) => `  ${items.slice(line * perLine, line * perLine + perLine).join(separator)}`).join(
    `${separator.trimEnd()}\n`,
  );

/** Bytes spelt out in text (issue 11): lists of values, escaped literals, hex dumps; also in the layers matrix. */
export const BYTE_SPELLING_WRAPPINGS: Readonly<Record<string, (file: MediaFile) => Payload>> = {
  'Java byte[] by Gson (signed JSON numbers)': (file) => jsonBody(JSON.stringify({ bytes: signedBytes(file.bytes) })),
  'Java byte[] pretty-printed (signed, one per line)': (file) => jsonBody(JSON.stringify({ bytes: signedBytes(file.bytes) }, null, 2)),
  'Java Arrays.toString(byte[]) in a log line': (file) => jsonBody(`INFO upload payload=[${signedBytes(file.bytes).join(', ')}] user=42\n`, 'text/plain'),
  'JSON array of decimal byte strings': (file) => jsonBody(JSON.stringify({ data: Array.from(file.bytes, String) })),
  'JSON array of hex byte strings': (file) => jsonBody(JSON.stringify({ data: hexPairs(file.bytes) })),
  'JSON array of 0x byte strings': (file) => jsonBody(JSON.stringify({ data: hexLiterals(file.bytes) })),
  'decimal bytes in a CSV line': (file) => jsonBody(`id,bytes\n7,${Array.from(file.bytes).join(',')}\n`, 'text/csv'),
  'decimal bytes, comma and space, in a log line': (file) => jsonBody(`2026-12-03T10:00:00Z frame: ${Array.from(file.bytes).join(', ')}\n`, 'text/plain'),
  'decimal bytes separated by spaces': (file) => jsonBody(`${Array.from(file.bytes).join(' ')}\n`, 'text/plain'),
  'decimal bytes one per line': (file) => jsonBody(`${Array.from(file.bytes).join('\n')}\n`, 'text/plain'),
  'decimal bytes one per CRLF line after a header line': (file) => jsonBody(`byte\r\n${Array.from(file.bytes).join('\r\n')}\r\n`, 'text/csv'),
  'C array of 0x literals': (file) => jsonBody(`static const unsigned char shot[] = {\n${wrapped(hexLiterals(file.bytes), ', ', 12)}\n};\n`, 'text/x-c'),
  'Python list of 0x literals': (file) => jsonBody(`shot = [${hexLiterals(file.bytes).join(', ')}]\n`, 'text/x-python'),
  '\\x escapes (printf)': (file) => jsonBody(`printf '${hexEscapes(file.bytes)}' > shot\n`, 'text/x-shellscript'),
  'Python repr(bytes)': (file) => jsonBody(`payload = ${pythonRepr(file.bytes)}\n`, 'text/plain'),
  'Python repr(bytes) in a JSON string': (file) => jsonBody(JSON.stringify({ level: 'debug', payload: pythonRepr(file.bytes) })),
  'xxd dump': (file) => jsonBody(xxd(file.bytes), 'text/plain'),
  'hexdump -C dump': (file) => jsonBody(hexdumpC(file.bytes), 'text/plain'),
  'od -An -tx1 dump': (file) => jsonBody(odHex(file.bytes), 'text/plain'),
  'xxd dump after a line of text': (file) => jsonBody(`Here is the file:\n${xxd(file.bytes)}Thanks\n`, 'text/plain'),
  'hexdump -C dump after a line of text': (file) => jsonBody(`$ hexdump -C shot\n${hexdumpC(file.bytes)}$ exit\n`, 'text/plain'),
  'xxd dump in a JSON string': (file) => jsonBody(JSON.stringify({ dump: xxd(file.bytes) })),
  'hexdump -C dump in a JSON string': (file) => jsonBody(JSON.stringify({ dump: hexdumpC(file.bytes) })),
  'od -An -tx1 dump in a JSON string': (file) => jsonBody(JSON.stringify({ dump: odHex(file.bytes) })),
};

/** Every wrapping that the inspector must see through: media in it is refused with 415 media_refused. */
export const LAYER_WRAPPINGS: Readonly<Record<string, (file: MediaFile) => Payload>> = {
  'gzip file without Content-Encoding': (file) => body(gzipSync(file.bytes)),
  'zlib file without Content-Encoding': (file) => body(deflateSync(file.bytes), 'application/json'),
  'zstd file without Content-Encoding': (file) => body(zstdSync(file.bytes)),
  'events.json.gz with a data: URL': (file) => body(gzipSync(utf8(chatEvents(dataUrl(file)))), 'application/json'),
  'tar member': (file) =>
    body(
      tar([
        { name: 'notes.txt', bytes: utf8('visitor notes\n') },
        { name: `shots/${file.name}`, bytes: file.bytes },
      ]),
      'application/x-tar',
    ),
  '.tar.gz member': (file) =>
    body(
      gzipSync(
        tar([
          { name: 'notes.txt', bytes: utf8('notes') },
          { name: file.name, bytes: file.bytes },
        ]),
      ),
      'application/gzip',
    ),
  'second gzip member': (file) => body(concat([gzipSync(utf8('{"first":"member"}')), gzipSync(file.bytes)])),
  'second gzip member, Content-Encoding gzip': (file) =>
    body(concat([gzipSync(utf8('{"first":"member"}')), gzipSync(file.bytes)]), 'application/octet-stream', 'gzip'),
  'bzip2 file': (file) => body(compressed(file.name, 'bz2')),
  'bzip2 file labelled JSON': (file) => body(compressed(file.name, 'bz2'), 'application/json'),
  'bzip2 file after a text prefix': (file) => body(concat([utf8('upload log follows\n'), compressed(file.name, 'bz2')])),
  'second bzip2 stream (concatenated files)': (file) => body(concat([compressed('chat.json', 'bz2'), compressed(file.name, 'bz2')])),
  'xz file': (file) => body(compressed(file.name, 'xz')),
  'xz file after a JSON prefix': (file) => body(concat([utf8('{"log":"binary follows"}\n'), compressed(file.name, 'xz')])),
  'second xz stream after stream padding': (file) => body(concat([compressed('chat.json', 'xz'), new Uint8Array(8), compressed(file.name, 'xz')])),
  'lzma file': (file) => body(compressed(file.name, 'lzma')),
  '.tar.bz2 member': (file) => body(compressed(file.name, 'tar.bz2'), 'application/x-bzip2'),
  '.tar.xz member': (file) => body(compressed(file.name, 'tar.xz'), 'application/x-xz'),
  'ZIP member compressed with bzip2 (method 12)': (file) => body(compressed(file.name, 'bzip2.zip'), 'application/zip'),
  'ZIP member compressed with LZMA (method 14)': (file) => body(compressed(file.name, 'lzma.zip'), 'application/zip'),
  'streamed ZIP, members compressed with bzip2': (file) =>
    body(
      streamedZip(
        [
          { ...BENIGN_CONTENT[0]!, compressed: compressed('chat.json', 'bz2') },
          { name: file.name, bytes: file.bytes, compressed: compressed(file.name, 'bz2') },
        ],
        12,
      ),
      'application/zip',
    ),
  'streamed ZIP, member compressed with LZMA': (file) =>
    body(streamedZip([{ name: file.name, bytes: file.bytes, compressed: zipLzmaData(compressed(file.name, 'lzma')) }], 14), 'application/zip'),
  'bzip2 file inside an xz file': (file) => body(compressed(file.name, 'bz2.xz')),
  'xz file inside a bzip2 file': (file) => body(compressed(file.name, 'xz.bz2')),
  'after the end of a bzip2 stream': (file) => body(concat([compressed('notes.txt', 'bz2'), file.bytes])),
  'after the end of an xz stream and its padding': (file) => body(concat([compressed('notes.txt', 'xz'), new Uint8Array(4), file.bytes])),
  'after the end of an lzma stream': (file) => body(concat([compressed('notes.txt', 'lzma'), file.bytes])),
  'bzip2 file after bytes after a bzip2 stream': (file) => body(concat([compressed('notes.txt', 'bz2'), utf8('--\n'), compressed(file.name, 'bz2')])),
  'base64 of an xz file': (file) => jsonBody(JSON.stringify({ b: base64(compressed(file.name, 'xz')) })),
  'gzip FEXTRA field': (file) => body(gzipMember(utf8('{"ok":true}'), { extra: file.bytes }), 'application/json', 'gzip'),
  'gzip FEXTRA field without Content-Encoding': (file) => body(gzipMember(utf8('{"ok":true}'), { extra: file.bytes })),
  'gzip FNAME field (a data: URL)': (file) => body(gzipMember(utf8('{"ok":true}'), { name: dataUrl(file) }), 'application/json', 'gzip'),
  'gzip FCOMMENT field (a data: URL)': (file) => body(gzipMember(utf8('{"ok":true}'), { comment: dataUrl(file) })),
  'gzip, then a NUL byte, then gzip (no Content-Encoding)': (file) => body(concat([gzipSync(utf8('{"a":1}')), Uint8Array.of(0), gzipSync(file.bytes)])),
  'Content-Encoding zstd': (file) => body(zstdSync(file.bytes), 'application/octet-stream', 'zstd'),
  'Content-Encoding br (runtime decoder)': (file) => body(bytes(zlib.brotliCompressSync(file.bytes)), 'application/octet-stream', 'br'),
  'ZIP with data descriptors': (file) =>
    body(
      streamedZip([
        { name: 'a.txt', bytes: utf8('notes') },
        { name: file.name, bytes: file.bytes },
      ]),
      'application/zip',
    ),
  'ZIP inside a deflated ZIP': (file) =>
    body(streamedZip([{ name: 'inner.zip', bytes: streamedZip([{ name: file.name, bytes: file.bytes }]) }]), 'application/zip'),
  'self-extracting ZIP': (file) => body(concat([SFX_STUB, streamedZip([{ name: file.name, bytes: file.bytes }], 0)]), 'application/x-msdownload'),
  'multipart part of a gzip file': (file) =>
    multipart([{ headers: 'Content-Disposition: form-data; name="f"; filename="x.gz"\r\nContent-Type: application/gzip', body: gzipSync(file.bytes) }]),
  'UTF-16LE JSON without BOM': (file) => body(wideText(chatEvents(dataUrl(file)), 2, true), 'application/octet-stream'),
  'UTF-16BE JSON with BOM': (file) => body(wideText(chatEvents(dataUrl(file)), 2, false, true), ''),
  'UTF-32LE JSON': (file) => body(wideText(chatEvents(dataUrl(file)), 4, true), ''),
  'form post of canvas.toDataURL()': (file) => jsonBody(`name=shot&image=${encodeURIComponent(dataUrl(file))}&page=2`, 'application/x-www-form-urlencoded'),
  'form post of the file percent-encoded': (file) =>
    jsonBody(`file=${Array.from(file.bytes, (byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')}`, 'application/x-www-form-urlencoded'),
  'JSON string of latin1 escapes (ensure_ascii)': (file) => jsonBody(`{"blob": ${asciiJsonString(file.bytes)}}`),
  'JSON string of latin1 characters (JSON.stringify)': (file) => jsonBody(JSON.stringify({ blob: latin1(file.bytes) })),
  'base64 of 1 byte then the file': (file) => jsonBody(JSON.stringify({ b: base64(concat([Uint8Array.of(7), file.bytes])) })),
  'base64 of 2 bytes then the file': (file) => jsonBody(JSON.stringify({ b: base64(concat([Uint8Array.of(7, 9), file.bytes])) })),
  'base64 of 3 bytes then the file': (file) => jsonBody(JSON.stringify({ b: base64(concat([Uint8Array.of(7, 9, 11), file.bytes])) })),
  'base64 of 1 KiB of random bytes then the file': (file) => jsonBody(JSON.stringify({ b: base64(concat([OPAQUE_PREFIX, file.bytes])) })),
  'hex of 1 KiB of random bytes then the file': (file) => jsonBody(JSON.stringify({ h: hex(concat([OPAQUE_PREFIX, file.bytes])) })),
  'base64 of 20 KiB of random bytes then a gzip file': (file) => jsonBody(JSON.stringify({ b: base64(concat([LONG_OPAQUE_PREFIX, gzipSync(file.bytes)])) })),
  'base64 of 1 KiB of random bytes then JSON with a data: URL': (file) =>
    jsonBody(JSON.stringify({ b: base64(concat([OPAQUE_PREFIX, utf8(chatEvents(dataUrl(file)))])) })),
  'base64 of a ZIP': (file) => jsonBody(JSON.stringify({ b: base64(streamedZip([{ name: file.name, bytes: file.bytes }])) })),
  'base64 of a gzip file': (file) => jsonBody(JSON.stringify({ b: base64(gzipSync(file.bytes)) })),
  'base64 of a tar': (file) => jsonBody(JSON.stringify({ b: base64(tar([{ name: file.name, bytes: file.bytes }])) })),
  'base64 of base64': (file) => jsonBody(JSON.stringify({ b: base64(utf8(base64(file.bytes))) })),
  'base64 of JSON with a data: URL': (file) => jsonBody(JSON.stringify({ b: base64(utf8(chatEvents(dataUrl(file)))) })),
  'base64 folded by CRLF every 76': (file) => jsonBody(`attachment: ${foldEvery76(base64(file.bytes), '\r\n')}\r\n`, 'text/plain'),
  'base64 folded by CRLF and a tab': (file) => jsonBody(`X-Attachment: ${foldEvery76(base64(file.bytes), '\r\n\t')}\r\n`, 'text/plain'),
  'base64 folded by spaces': (file) => jsonBody(`blob ${foldEvery76(base64(file.bytes), ' ')} end`, 'text/plain'),
  'base64 glued to a path': (file) => jsonBody(JSON.stringify({ key: `shots/2026-12-03/${base64(file.bytes)}` })),
  'base64url glued to one letter': (file) => jsonBody(`v${Buffer.from(file.bytes).toString('base64url')}\n`, 'text/plain'),
  'base64 glued to a word by a dash': (file) => jsonBody(JSON.stringify({ id: `img-${base64(file.bytes)}` })),
  'hex glued to a path': (file) => jsonBody(JSON.stringify({ key: `dumps/${hex(file.bytes)}` })),
  'hex, lower case': (file) => jsonBody(JSON.stringify({ h: hex(file.bytes) })),
  'hex, upper case': (file) => jsonBody(JSON.stringify({ h: hex(file.bytes).toUpperCase() })),
  'hex dump, spaced pairs': (file) =>
    jsonBody(
      `${hex(file.bytes)
        .replace(/..(?=.)/g, '$& ')
        .replace(/(.{47}) /g, '$1\n')}\n`,
      'text/plain',
    ),
  'hex, Postgres bytea': (file) => jsonBody(JSON.stringify({ bytea: `\\x${hex(file.bytes)}` })),
  'xxd -p dump': (file) => jsonBody(xxdPlain(file.bytes), 'text/plain'),
  'xxd -p dump in a JSON string': (file) => jsonBody(JSON.stringify({ dump: xxdPlain(file.bytes) })),
  'hex folded every 64 by CRLF': (file) =>
    jsonBody(`-----BEGIN HEX-----\r\n${hex(file.bytes).replace(/.{64}/g, '$&\r\n')}\r\n-----END HEX-----\r\n`, 'text/plain'),
  base32: (file) => jsonBody(`${base32(file.bytes)}\n`, 'text/plain'),
  'base32, lower case, in JSON': (file) => jsonBody(JSON.stringify({ blob: base32(file.bytes).toLowerCase().replace(/=+$/, '') })),
  'uuencoded file': (file) => jsonBody(uuencoded(file.bytes, file.name), 'text/plain'),
  'uuencoded attachment after a line of mail': (file) => jsonBody(`Hi, the screen is attached.\r\n\r\n${uuencoded(file.bytes, file.name)}`, 'text/plain'),
  'uuencoded file in a JSON string': (file) => jsonBody(JSON.stringify({ body: uuencoded(file.bytes, file.name) })),
  'quoted-printable text': (file) => jsonBody(quotedPrintable(file.bytes), 'text/plain'),
  'MIME mail with a quoted-printable attachment': (file) =>
    jsonBody(
      `From: visitor@example.com\r\nSubject: screenshot\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b1\r\nContent-Type: ${mediaTypeOf(file.name)}\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(file.bytes)}\r\n--b1--\r\n`,
      'message/rfc822',
    ),
  'multipart part with Content-Transfer-Encoding quoted-printable': (file) =>
    multipart([
      { headers: `Content-Disposition: form-data; name="shot"\r\nContent-Transfer-Encoding: quoted-printable`, body: utf8(quotedPrintable(file.bytes)) },
    ]),
  'data: URL with a space in its payload': (file) => jsonBody(JSON.stringify({ src: dataUrl(file).replace(/base64,(.{3})/, 'base64,$1 ') })),
  'data: URL of application/octet-stream with a space in its payload': (file) =>
    jsonBody(JSON.stringify({ src: `data:application/octet-stream;base64,${base64(file.bytes).replace(/^(.{3})/, '$1 ')}` })),
  'data: URL without a type, folded by tabs': (file) => jsonBody(`<a href="data:;base64,${foldEvery76(base64(file.bytes), '\t')}">file</a>`, 'text/html'),
  'data: URL in HTML with its / and + as character references': (file) =>
    jsonBody(`<img src="data:${mediaTypeOf(file.name)};base64,${base64(file.bytes).replace(/\//g, '&#x2F;').replace(/\+/g, '&#43;')}">`, 'text/html'),
  'data: URL with line breaks in its payload': (file) =>
    jsonBody(`<img src="data:${mediaTypeOf(file.name)};base64,${foldEvery76(base64(file.bytes), '\n')}">`, 'text/html'),
  'JSON array of byte values': (file) => jsonBody(JSON.stringify({ pixels: Array.from(file.bytes) })),
  'Node Buffer JSON': (file) => jsonBody(JSON.stringify({ file: Buffer.from(file.bytes) })),
  'typed array JSON by index': (file) => jsonBody(JSON.stringify({ file: new Uint8Array(file.bytes) })),
  ...BYTE_SPELLING_WRAPPINGS,
};

/** Benign bytes of the kinds these wrappings carry, each as a file. */
export const BENIGN_CONTENT: readonly MediaFile[] = [
  { name: 'chat.json', bytes: utf8(chatEvents('no media, only a mention of data:image/png and PNG')) },
  { name: 'notes.txt', bytes: utf8('Meeting notes\n- ship the gateway\n- ¿qué tal? ünïcödé 你好 🙂\n'.repeat(40)) },
  { name: 'random.bin', bytes: new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24) },
  { name: 'int16.bin', bytes: new Uint8Array(new Int16Array(2048).map((_, i) => Math.round(Math.sin(i / 9) * 3000)).buffer) },
];

/**
 * Wrappings the gateway cannot open, or bytes it cannot inspect to the last:
 * refused with 422 body_uninspectable whatever they hold (here benign JSON).
 */
/** A zstd frame header asking for a 2 TiB window. */
const ZSTD_HUGE_WINDOW = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8, 0x01, 0x00, 0x00);
/** `bytes` with the byte at `at` changed. */
const flipped = (bytes: Uint8Array, at: number): Uint8Array => bytes.map((byte, i) => (i === at ? byte ^ 0x20 : byte));

export const UNINSPECTABLE: Readonly<Record<string, (content: Uint8Array) => Payload>> = {
  'a bzip2 bomb (64 MiB of zeros in 79 bytes)': () => body(compressed('zeros.bz2')),
  'an xz bomb': () => body(compressed('zeros.xz')),
  'an lzma bomb': () => body(compressed('zeros.lzma')),
  'base64 of a bzip2 bomb': () => jsonBody(JSON.stringify({ b: base64(compressed('zeros.bz2')) })),
  'an xz file whose dictionary (64 MiB) is more than a layer may hold': () => body(compressed('notes-dict64m.xz')),
  'an lzma file whose dictionary (64 MiB) is more than a layer may hold': () => body(compressed('notes-dict64m.lzma')),
  'an xz file with a BCJ (x86) filter': () => body(compressed('notes-x86.xz')),
  'a truncated bzip2 file': () => body(compressed('notes.txt', 'bz2').subarray(0, 120)),
  'a truncated xz file': () => body(compressed('notes.txt', 'xz').subarray(0, 100)),
  'a truncated lzma file': () => body(compressed('notes.txt', 'lzma').subarray(0, 80)),
  'a bzip2 file with a corrupt block': () => body(flipped(compressed('notes.txt', 'bz2'), 100)),
  'an xz file with a corrupt block': () => body(flipped(compressed('notes.txt', 'xz'), 80)),
  'an xz file whose CRC64 does not match': () => body(flipped(compressed('notes.txt', 'xz'), compressed('notes.txt', 'xz').length - 30)),
  'a ZIP member labelled bzip2 (method 12) that is not': (content) => body(streamedZip([{ name: 'a.json', bytes: content }], 12), 'application/zip'),
  'a ZIP member labelled LZMA (method 14) that is not': (content) => body(streamedZip([{ name: 'a.json', bytes: content }], 14), 'application/zip'),
  'a zstd frame that asks for a 2 TiB window': () => body(ZSTD_HUGE_WINDOW),
  'Content-Encoding gzip, then a NUL byte, then more': (content) =>
    body(concat([gzipSync(content), Uint8Array.of(0), gzipSync(content)]), 'application/json', 'gzip'),
  'Content-Encoding gzip, then bytes': (content) => body(concat([gzipSync(content), utf8('trailing text')]), 'application/json', 'gzip'),
  'Content-Encoding deflate, then bytes': (content) =>
    body(concat([deflateSync(content), Uint8Array.of(0x89, 0x50, 0x4e, 0x47)]), 'application/json', 'deflate'),
  'Content-Encoding br, then bytes': (content) => body(concat([bytes(zlib.brotliCompressSync(content)), Uint8Array.of(1, 2, 3)]), 'application/json', 'br'),
  'Content-Encoding zstd, then bytes': (content) => body(concat([zstdSync(content), utf8('more')]), 'application/json', 'zstd'),
  ...UNOPENED_TEXT,
};

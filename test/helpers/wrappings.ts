import { brotliCompressSync, crc32, deflateRawSync, deflateSync, gzipSync, zlibSync } from './zlib.ts';
import { concat, utf8 } from './inspect-stream.ts';

/** A request body as a client would send it: bytes plus the headers that describe them. */
export interface Payload {
  body: Uint8Array;
  contentType: string;
  contentEncoding: string;
}

export interface MediaFile {
  name: string;
  bytes: Uint8Array;
}

const MEDIA_TYPE_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  tiff: 'image/tiff',
  ico: 'image/x-icon',
  avif: 'image/avif',
  heic: 'image/heic',
  svg: 'image/svg+xml',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  aac: 'audio/aac',
  m4a: 'audio/mp4',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  aiff: 'audio/aiff',
  amr: 'audio/amr',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  '3gp': 'video/3gpp',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  avi: 'video/x-msvideo',
  flv: 'video/x-flv',
  ts: 'video/mp2t',
  m4s: 'video/iso.segment',
};

export const mediaTypeOf = (name: string): string => MEDIA_TYPE_BY_EXTENSION[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';

export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

const json = (value: unknown): Payload => ({ body: utf8(JSON.stringify(value)), contentType: 'application/json', contentEncoding: '' });

export const dataUrl = (file: MediaFile): string => `data:${mediaTypeOf(file.name)};base64,${base64(file.bytes)}`;

/** A chat event list that carries `value` among ordinary messages. */
const chatAround = (value: unknown): unknown => ({
  conversation: 'c-1042',
  events: [
    { type: 'message', from: 'visitor', text: 'Hi, the checkout page shows an error, can you see it?' },
    { type: 'attachment', from: 'visitor', content: value },
    { type: 'message', from: 'agent', text: 'Thanks, looking at it now.' },
  ],
});

/** Writes a ZIP archive (local headers, central directory) with each file stored or deflated. */
export function zip(files: readonly { name: string; bytes: Uint8Array }[], method: 'stored' | 'deflated'): Uint8Array {
  const local: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const file of files) {
    const name = utf8(file.name);
    const data = method === 'stored' ? file.bytes : deflateRawSync(file.bytes);
    const header = new DataView(new ArrayBuffer(30));
    header.setUint32(0, 0x04034b50, true);
    header.setUint16(4, 20, true);
    header.setUint16(8, method === 'stored' ? 0 : 8, true);
    header.setUint32(14, crc32(file.bytes), true);
    header.setUint32(18, data.length, true);
    header.setUint32(22, file.bytes.length, true);
    header.setUint16(26, name.length, true);
    local.push(new Uint8Array(header.buffer), name, data);
    const entry = new DataView(new ArrayBuffer(46));
    entry.setUint32(0, 0x02014b50, true);
    entry.setUint16(4, 20, true);
    entry.setUint16(6, 20, true);
    entry.setUint16(10, method === 'stored' ? 0 : 8, true);
    entry.setUint32(16, crc32(file.bytes), true);
    entry.setUint32(20, data.length, true);
    entry.setUint32(24, file.bytes.length, true);
    entry.setUint16(28, name.length, true);
    entry.setUint32(42, offset, true);
    central.push(new Uint8Array(entry.buffer), name);
    offset += 30 + name.length + data.length;
  }
  const directory = concat(central);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, directory.length, true);
  end.setUint32(16, offset, true);
  return concat([...local, directory, new Uint8Array(end.buffer)]);
}

/** rrweb's packer: the event as JSON, zlib-compressed, as a latin1 string (one character per byte). */
export const rrwebPack = (event: unknown): string => String.fromCharCode(...zlibSync(utf8(JSON.stringify({ ...(event as object), v: 'v1' }))));

export function multipart(parts: readonly { headers: string; body: Uint8Array }[], boundary = '----form-boundary-7MA4YWxkTrZu0gW'): Payload {
  const pieces: Uint8Array[] = [];
  for (const part of parts) pieces.push(utf8(`--${boundary}\r\n${part.headers}\r\n\r\n`), part.body, utf8('\r\n'));
  pieces.push(utf8(`--${boundary}--\r\n`));
  return { body: concat(pieces), contentType: `multipart/form-data; boundary=${boundary}`, contentEncoding: '' };
}

const chatTexts = new Map<number, string>();

/** Benign JSON text of about `bytes` bytes: chat messages, as a recorder's event stream would hold (made once per size). */
export function chatText(bytes: number): string {
  let text = chatTexts.get(bytes);
  if (text === undefined) chatTexts.set(bytes, (text = makeChatText(bytes)));
  return text;
}

function makeChatText(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = JSON.stringify({
      t: 1_700_000_000_000 + i,
      from: i % 2 ? 'agent' : 'visitor',
      text: `Message ${i}: could you check the order page, it still says "PNG upload failed" and data: is empty?`,
    });
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join(',');
}

const MiB = 1024 * 1024;

/** Fixtures whose format is recognised only where content starts (text headers, weak magic): media after a prefix does not apply. */
export const START_ONLY_FORMATS: readonly string[] = [
  'image.svg',
  'image-plain.pbm',
  'image-plain.pgm',
  'image-plain.ppm',
  'image.pam',
  'image.fits',
  'image.xbm',
  'audio.c2',
];

/** Every way a file of media is wrapped in the traffic the gateway sees. */
export const WRAPPINGS: Readonly<Record<string, (file: MediaFile) => Payload>> = {
  raw: (file) => ({ body: file.bytes, contentType: 'application/octet-stream', contentEncoding: '' }),
  'wrong Content-Type': (file) => ({ body: file.bytes, contentType: 'application/json', contentEncoding: '' }),
  'no Content-Type': (file) => ({ body: file.bytes, contentType: '', contentEncoding: '' }),
  gzip: (file) => ({ body: gzipSync(file.bytes), contentType: 'application/octet-stream', contentEncoding: 'gzip' }),
  deflate: (file) => ({ body: deflateSync(file.bytes), contentType: 'application/json', contentEncoding: 'deflate' }),
  'br (injected decoder)': (file) => ({ body: brotliCompressSync(file.bytes), contentType: 'application/octet-stream', contentEncoding: 'br' }),
  'gzip inside gzip': (file) => ({ body: gzipSync(gzipSync(file.bytes)), contentType: 'application/octet-stream', contentEncoding: 'gzip, gzip' }),
  'multipart part': (file) =>
    multipart([
      { headers: 'Content-Disposition: form-data; name="message"', body: utf8('Here is what I see') },
      { headers: `Content-Disposition: form-data; name="file"; filename="upload.bin"\r\nContent-Type: application/octet-stream`, body: file.bytes },
    ]),
  'data: URL in JSON': (file) => json(chatAround(dataUrl(file))),
  'data: URL of application/octet-stream with a space in its payload': (file) =>
    json(chatAround(`data:application/octet-stream;base64,${base64(file.bytes).replace(/^(.{3})/, '$1 ')}`)),
  'base64 glued to one letter': (file) => json(chatAround(`v${base64(file.bytes)}`)),
  'base64 glued to a path': (file) => json(chatAround(`uploads/2026-12-03/${base64(file.bytes)}`)),
  'decimal values separated by spaces': (file) => ({ body: utf8(`${Array.from(file.bytes).join(' ')}\n`), contentType: 'text/plain', contentEncoding: '' }),
  'upper-case data: URL with parameters': (file) =>
    json(chatAround(`DATA:${mediaTypeOf(file.name).toUpperCase()};name=shot.bin;charset=binary;BASE64,${base64(file.bytes)}`)),
  'base64 in JSON': (file) => json(chatAround({ blob: base64(file.bytes) })),
  'JSON-escaped base64 with \\/': (file) => ({
    body: utf8(JSON.stringify(chatAround(dataUrl(file))).replaceAll('/', '\\/')),
    contentType: 'application/json',
    contentEncoding: '',
  }),
  'JSON-escaped base64 with \\u002b': (file) => ({
    body: utf8(
      JSON.stringify({ blob: base64(file.bytes) })
        .replaceAll('+', '\\u002b')
        .replaceAll('/', '\\u002F'),
    ),
    contentType: 'application/json',
    contentEncoding: '',
  }),
  base64url: (file) => json(chatAround({ blob: base64url(file.bytes) })),
  'MIME-wrapped base64 (\\n every 76)': (file) => json({ attachment: base64(file.bytes).replace(/.{76}/g, '$&\n') }),
  'after a text prefix': (file) => ({
    body: concat([utf8('Transcript follows.\nvisitor: hello\nagent: hi\n'), file.bytes]),
    contentType: 'text/plain',
    contentEncoding: '',
  }),
  'after a JSON prefix': (file) => ({ body: concat([utf8(JSON.stringify(chatAround('no media here'))), file.bytes]), contentType: '', contentEncoding: '' }),
  'ZIP stored': (file) => ({
    body: zip(
      [
        { name: 'notes.txt', bytes: utf8('visitor notes') },
        { name: `attachments/${file.name}`, bytes: file.bytes },
      ],
      'stored',
    ),
    contentType: 'application/zip',
    contentEncoding: '',
  }),
  'ZIP deflated': (file) => ({
    body: zip(
      [
        { name: 'notes.txt', bytes: utf8('visitor notes') },
        { name: `attachments/${file.name}`, bytes: file.bytes },
      ],
      'deflated',
    ),
    contentType: 'application/zip',
    contentEncoding: '',
  }),
  'rrweb rr_dataURL': (file) =>
    json([
      { type: 4, data: { href: 'https://shop.example/checkout', width: 1280, height: 720 }, timestamp: 1 },
      { type: 3, data: { source: 0, texts: [], attributes: [{ id: 42, attributes: { rr_dataURL: dataUrl(file) } }], removes: [], adds: [] }, timestamp: 2 },
    ]),
  'rrweb ArrayBuffer': (file) =>
    json({
      type: 3,
      data: { source: 9, id: 7, type: 1, commands: [{ property: 'bufferData', args: [34962, { rr_type: 'ArrayBuffer', base64: base64(file.bytes) }, 35044] }] },
      timestamp: 3,
    }),
  'rrweb Blob': (file) =>
    json({
      type: 3,
      data: {
        source: 9,
        id: 7,
        type: 0,
        commands: [
          {
            property: 'drawImage',
            args: [{ rr_type: 'Blob', data: [{ rr_type: 'ArrayBuffer', base64: base64(file.bytes) }], type: mediaTypeOf(file.name) }, 0, 0],
          },
        ],
      },
      timestamp: 4,
    }),
  'rrweb packed (zlib in latin1)': (file) =>
    json([
      rrwebPack({ type: 4, data: { href: 'https://shop.example/', width: 1280, height: 720 }, timestamp: 1 }),
      rrwebPack({ type: 3, data: { source: 0, adds: [{ parentId: 1, node: { type: 2, tagName: 'img', attributes: { src: dataUrl(file) } } }] }, timestamp: 5 }),
    ]),
  'past the first 8 MiB': (file) => ({
    body: utf8(`[${chatText(8 * MiB + 12_345)},${JSON.stringify({ shot: dataUrl(file) })}]`),
    contentType: 'application/json',
    contentEncoding: '',
  }),
  'raw past the first 8 MiB': (file) => ({
    body: concat([utf8(chatText(8 * MiB + 777)), file.bytes]),
    contentType: 'application/octet-stream',
    contentEncoding: '',
  }),
};

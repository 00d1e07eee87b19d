/**
 * Regenerates the benign corpus under test/fixtures/benign/: text, JSON and
 * binary bodies that talk about media or look a little like it, and must all
 * pass the inspector byte-identical. Deterministic (seeded), so a rerun
 * changes nothing. The minified JavaScript is lodash's core build (MIT),
 * copied from node_modules. Programs, shared libraries and fonts are copied
 * from a Debian 12 system (see the list below for their packages).
 *
 *   node --import tsx scripts/make-fixtures-benign.ts
 */
import { createHmac } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { seededRandom, utf8 } from '../test/helpers/inspect-stream.ts';
import { BENIGN_MULTIPART_BOUNDARY } from '../test/helpers/benign-types.ts';
import { hexdumpC, hexLiterals, odHex, pythonRepr, signedBytes, xxd } from '../test/helpers/byte-spellings.ts';
import { multipart, rrwebPack, zip } from '../test/helpers/wrappings.ts';

const out = new URL('../test/fixtures/benign/', import.meta.url);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const write = (name: string, content: string | Uint8Array): void => writeFileSync(new URL(name, out), content);
const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

const random = seededRandom(20261121);
const randomBytes = (length: number): Uint8Array => Uint8Array.from({ length }, () => Math.floor(random() * 256));
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

const english = `Residency and retention, in plain words

The gateway stores chat transcripts and co-browse session data. It never stores
screenshots, audio or video. People still talk about those things all the time:
a visitor writes that the PNG they uploaded looks blurry, an agent explains that a
GIF is just a sequence of frames, someone asks whether ID3 tags hold the artist's
name. None of that is media; it is text about media.

Car dealers write "BMW 320d, 2019" and "BM 42 - spare key". Support logs contain
lines such as FORMAT: PNG, 1280x720 or "MIME type image/jpeg expected". Developers
paste snippets like data:image/png;base64, without any payload, or explain that a
data: URL starts with the word data and a colon. RIFF, WAVE, OggS, fLaC, ftyp and
#!AMR are words you find in file-format tutorials. GIF89a is the newer header of
the format. Math shows up as x^2 + y^2 = z^2, airports as HKG and LHR.
`;
write('english.txt', english);

write(
  'chat-transcript.json',
  json({
    conversation: 'c-20261121-0042',
    account: 'acme',
    messages: [
      { at: '2026-11-21T10:00:01Z', from: 'visitor', text: 'Hi! I tried to attach a screenshot (PNG) but the upload button is greyed out.' },
      { at: '2026-11-21T10:00:09Z', from: 'agent', text: 'Sorry about that. Screenshots are not stored here, could you describe what you see instead?' },
      { at: '2026-11-21T10:00:30Z', from: 'visitor', text: 'The page says "FORMAT: JPEG required" and then "data: undefined".' },
      { at: '2026-11-21T10:01:02Z', from: 'visitor', text: 'My dev says the image is sent as a data:image/png;base64, URI and the server rejects it.' },
      { at: '2026-11-21T10:01:40Z', from: 'agent', text: 'Understood. GIF is not supported either; ID3 tags on the audio file do not matter.' },
      { at: '2026-11-21T10:02:05Z', from: 'visitor', text: 'Our BMW fleet portal uses the same upload widget. Reference: RIFF-2291, OggS-17.' },
      { at: '2026-11-21T10:02:30Z', from: 'agent', text: 'Thanks! Ticket #4471 created. Anything else? 😊' },
    ],
  }),
);

write(
  'chat-transcript.txt',
  [
    '[10:00] visitor: hello, is anyone there?',
    '[10:01] agent: Hi! How can I help?',
    '[10:01] visitor: the export says FORMAT: PNG but I need a PDF',
    '[10:02] agent: the exporter writes images as data: URIs, e.g. <img src="data:image/png;base64,...">; we will switch it',
    '[10:03] visitor: ok. also my invoice shows x^2 pricing?? and the airport code HKG is wrong',
    '[10:04] agent: noted. #!AMR files are voice notes from the old app, we do not keep them',
    '',
  ].join('\n'),
);

// A text-only PDF, written by hand so its bytes are known.
function pdf(text: string): Uint8Array {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${text.length + 31} >>\nstream\nBT /F1 18 Tf 72 720 Td (${text}) Tj ET\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Uint8Array.from(body, (char) => char.charCodeAt(0));
}
const invoice = pdf('Invoice 2026-11 - chat support, 12 seats');
write('document.pdf', invoice);
write('base64-pdf.json', json({ invoice: b64(invoice), preview: `data:application/pdf;base64,${b64(invoice)}` }));

write(
  'base64-random.json',
  json({
    keys: [16, 24, 32, 48, 64].map((length) => b64(randomBytes(length))),
    urlSafe: [33, 100, 1000].map((length) => b64url(randomBytes(length))),
    blobs: [4096, 16384].map((length) => b64(randomBytes(length))),
    wrapped: b64(randomBytes(3000)).replace(/.{76}/g, '$&\n'),
    escaped: b64(randomBytes(2000)).replaceAll('/', '\\/'),
    octetStream: `data:application/octet-stream;base64,${b64(randomBytes(5000))}`,
  }),
);

const jwt = (claims: object): string => {
  const header = b64url(utf8(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'k1' })));
  const payload = b64url(utf8(JSON.stringify(claims)));
  const signature = createHmac('sha256', 'fixture-secret').update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
};
write(
  'jwt.json',
  json({
    sessions: Array.from({ length: 5 }, (_, i) => ({
      id: `s-${i}`,
      token: jwt({ sub: `service-${i}`, account_id: 'acme', account_region: 'GB', exp: 1_900_000_000 + i, scope: 'objects:write' }),
    })),
  }),
);

write(
  'table.csv',
  [
    'id,format,width,height,note,hash',
    ...Array.from({ length: 200 }, (_, i) => {
      const hash = Array.from(randomBytes(32), (byte) => byte.toString(16).padStart(2, '0')).join('');
      return `${i},${['PNG', 'GIF', 'BMP', 'JPEG'][i % 4]},${640 + i},${480 + i},"converted to text, image dropped",${hash}`;
    }),
    '',
  ].join('\n'),
);

write(
  'source.ts',
  `// Detects what a client sent, from the first bytes.
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const GIF_HEADER = 'GIF89a';

export function looksLikeDataUrl(value: string): boolean {
  return value.startsWith('data:image/') || value.startsWith('data:audio/');
}

export function describe(bytes: Uint8Array): string {
  if (PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) return 'PNG';
  if (String.fromCharCode(...bytes.subarray(0, 6)) === GIF_HEADER) return 'GIF';
  // "RIFF" .... "WAVE" is a WAV file; "OggS" starts an Ogg page
  return 'unknown';
}
`,
);

const require = createRequire(import.meta.url);
copyFileSync(require.resolve('lodash/core.min.js'), new URL('minified.js', out));

write(
  'dom-snapshot.json',
  json({
    type: 2,
    timestamp: 1763719200000,
    data: {
      node: {
        type: 0,
        id: 1,
        childNodes: [
          { type: 1, id: 2, name: 'html' },
          {
            type: 2,
            id: 3,
            tagName: 'body',
            attributes: { class: 'checkout' },
            childNodes: [
              { type: 2, id: 4, tagName: 'img', attributes: { src: 'https://cdn.shop.example/logo.png', alt: 'Shop logo' }, childNodes: [] },
              {
                type: 2,
                id: 5,
                tagName: 'svg',
                isSVG: true,
                attributes: { viewBox: '0 0 24 24', width: '24', height: '24', xmlns: 'http://www.w3.org/2000/svg' },
                childNodes: [
                  {
                    type: 2,
                    id: 6,
                    tagName: 'path',
                    isSVG: true,
                    attributes: { d: 'M12 2C6.48 2 2 6.48 2 12s4.48 10 10 10 10-4.48 10-10S17.52 2 12 2zm1 15h-2v-6h2v6zm0-8h-2V7h2v2z', fill: 'currentColor' },
                    childNodes: [],
                  },
                ],
              },
              {
                type: 2,
                id: 7,
                tagName: 'style',
                attributes: { _cssText: '.hero{background:url(https://cdn.shop.example/hero.jpg) no-repeat}' },
                childNodes: [],
              },
              { type: 2, id: 8, tagName: 'canvas', attributes: { width: '300', height: '150' }, childNodes: [] },
              { type: 3, id: 9, textContent: 'Total: 42.00 EUR' },
            ],
          },
        ],
      },
      initialOffset: { left: 0, top: 0 },
    },
  }),
);

write(
  'rrweb-events.json',
  json([
    { type: 4, data: { href: 'https://shop.example/checkout', width: 1280, height: 720 }, timestamp: 1 },
    { type: 3, data: { source: 1, positions: [{ x: 10, y: 20, id: 4, timeOffset: 0 }] }, timestamp: 2 },
    {
      type: 3,
      data: {
        source: 9,
        id: 8,
        type: 1,
        commands: [{ property: 'bufferData', args: [34962, { rr_type: 'Float32Array', args: [[-1, -1, 3, -1, -1, 3]] }, 35044] }],
      },
      timestamp: 3,
    },
    {
      type: 3,
      data: {
        source: 9,
        id: 8,
        type: 0,
        commands: [
          { property: 'fillRect', args: [0, 0, 300, 150] },
          { property: 'drawImage', args: [{ rr_type: 'HTMLImageElement', src: 'https://cdn.shop.example/logo.png' }, 0, 0] },
        ],
      },
      timestamp: 4,
    },
    rrwebPack({ type: 3, data: { source: 5, text: 'card holder name', isChecked: false, id: 12 }, timestamp: 5 }),
    { type: 5, data: { tag: 'note', payload: { formula: 'x^2 + y^2', airport: 'HKG', escaped: 'x\u0001 is not zlib' } }, timestamp: 6 },
  ]),
);

write(
  'events.ndjson',
  `${Array.from({ length: 300 }, (_, i) =>
    JSON.stringify({
      ts: `2026-11-21T10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
      requestId: `${b64url(randomBytes(6))}-${i}`,
      traceId: Array.from(randomBytes(16), (byte) => byte.toString(16).padStart(2, '0')).join(''),
      digest: `sha256-${b64(randomBytes(32))}`,
      message: i % 7 === 0 ? 'upload rejected: image/png is not accepted' : 'ok',
    }),
  ).join('\n')}\n`,
);

write(
  'multilingual.txt',
  `Grüße aus München! Ça va très bien, merci.
Привет! Как дела? Скриншоты не сохраняются.
你好，我们不保存截图或录音。
こんにちは、画像は保存されません。
مرحبا! لا نحفظ الصور.
Emoji: 📷🚫 🎤🚫 🎬🚫 ✅
`,
);

write(
  'page.html',
  `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Checkout</title>
<style>.logo{background-image:url("https://cdn.shop.example/logo.svg")}</style></head>
<body>
<img src="https://cdn.shop.example/banner.jpg" alt="Banner">
<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="green"/></svg>
<p>Send us a description, not a screenshot. PNG, GIF and MP4 uploads are disabled.</p>
<script>const isImage = (url) => url.startsWith("data:image/");</script>
</body>
</html>
`,
);

write(
  'form.multipart',
  multipart(
    [
      { headers: 'Content-Disposition: form-data; name="subject"', body: utf8('Order 4471: wrong price') },
      {
        headers: 'Content-Disposition: form-data; name="transcript"; filename="chat.json"\r\nContent-Type: application/json',
        body: utf8('{"messages":["hi","the PNG export is broken"]}'),
      },
      { headers: 'Content-Disposition: form-data; name="notes"; filename="notes.txt"\r\nContent-Type: text/plain', body: utf8('FORMAT: text only\n') },
    ],
    BENIGN_MULTIPART_BOUNDARY,
  ).body,
);

write(
  'notes.zip',
  zip(
    [
      { name: 'notes/readme.txt', bytes: utf8(english) },
      { name: 'notes/chat.json', bytes: utf8('{"messages":["no screenshots please"]}') },
    ],
    'deflated',
  ),
);
write('stored.zip', zip([{ name: 'table.csv', bytes: utf8('a,b\n1,2\n') }], 'stored'));
write('random.bin', randomBytes(64 * 1024));

// --- binaries that are not media. Programs and shared libraries from Debian 12
// (packages fontconfig, netpbm, x11-utils, libjxr-tools, pkgconf-bin, libabsl20220623,
// libxcb-cursor0, libxau6, libxdmcp6, libffi8, libdrm-radeon1, libogg0, libthai0),
// most of them once refused as MPEG audio; fonts (fonts-noto-mono, fonts-glyphicons-halflings,
// fonts-urw-base35); a WebAssembly module and minified bundles from node_modules.
// Their versions and licences are in SOURCES.md beside them: update it with any copy.
const copies: Record<string, string> = {
  'elf-fc-pattern': '/usr/bin/fc-pattern',
  'elf-tgatoppm': '/usr/bin/tgatoppm',
  'elf-xlsfonts': '/usr/bin/xlsfonts',
  'elf-JxrDecApp': '/usr/bin/JxrDecApp',
  'elf-pkgconf': '/usr/bin/pkgconf',
  'lib-absl-throw-delegate.so': '/usr/lib/x86_64-linux-gnu/libabsl_throw_delegate.so.20220623.0.0',
  'lib-xcb-cursor.so': '/usr/lib/x86_64-linux-gnu/libxcb-cursor.so.0.0.0',
  'lib-Xau.so': '/usr/lib/x86_64-linux-gnu/libXau.so.6.0.0',
  'lib-Xdmcp.so': '/usr/lib/x86_64-linux-gnu/libXdmcp.so.6.0.0',
  'lib-ffi.so': '/usr/lib/x86_64-linux-gnu/libffi.so.8.1.2',
  'lib-ogg.so': '/usr/lib/x86_64-linux-gnu/libogg.so.0.8.5',
  'lib-thai.so': '/usr/lib/x86_64-linux-gnu/libthai.so.0.3.1',
  'font-noto-mono.ttf': '/usr/share/fonts/truetype/noto/NotoMono-Regular.ttf',
  'font-glyphicons.ttf': '/usr/share/fonts/truetype/glyphicons/glyphicons-halflings-regular.ttf',
  'font-dingbats.t1': '/usr/share/fonts/type1/urw-base35/D050000L.t1',
};
for (const [name, source] of Object.entries(copies)) copyFileSync(source, new URL(name, out));
copyFileSync(require.resolve('blake3-wasm/dist/wasm/web/blake3_js_bg.wasm'), new URL('blake3.wasm', out));
copyFileSync(require.resolve('ipaddr.js/ipaddr.min.js'), new URL('ipaddr.min.js', out));
copyFileSync(require.resolve('fecha/dist/fecha.min.js'), new URL('fecha.min.js', out));

// --- numeric arrays: what a sensor, a chart or a model sends, in both byte orders
function typed(
  length: number,
  bytesPerValue: 2 | 4 | 8,
  set: (view: DataView, at: number, i: number, littleEndian: boolean) => void,
  littleEndian: boolean,
): Uint8Array {
  const view = new DataView(new ArrayBuffer(length * bytesPerValue));
  for (let i = 0; i < length; i++) set(view, i * bytesPerValue, i, littleEndian);
  return new Uint8Array(view.buffer);
}
const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
for (const [order, littleEndian] of [
  ['le', true],
  ['be', false],
] as const) {
  write(
    `int16-random-${order}.bin`,
    typed(8192, 2, (v, at, _, le) => v.setInt16(at, Math.floor(random() * 65536) - 32768, le), littleEndian),
  );
  write(
    `int16-small-${order}.bin`,
    typed(8192, 2, (v, at, _, le) => v.setInt16(at, Math.round(gaussian() * 40), le), littleEndian),
  );
  write(
    `int32-random-${order}.bin`,
    typed(4096, 4, (v, at, _, le) => v.setInt32(at, Math.floor(random() * 2 ** 32) - 2 ** 31, le), littleEndian),
  );
  // -1, -2, ...: FF FF FF FF, FE FF FF FF, ... (once read as MPEG audio layer I)
  write(
    `int32-small-negative-${order}.bin`,
    typed(4096, 4, (v, at, i, le) => v.setInt32(at, -1 - (i % 512), le), littleEndian),
  );
  write(
    `int32-small-mixed-${order}.bin`,
    typed(4096, 4, (v, at, _, le) => v.setInt32(at, Math.round(gaussian() * 30), le), littleEndian),
  );
  write(
    `float32-random-${order}.bin`,
    typed(4096, 4, (v, at, _, le) => v.setFloat32(at, gaussian() * 1000, le), littleEndian),
  );
  write(
    `float32-unit-${order}.bin`,
    typed(4096, 4, (v, at, _, le) => v.setFloat32(at, random() * 2 - 1, le), littleEndian),
  );
  write(
    `float64-series-${order}.bin`,
    typed(2048, 8, (v, at, i, le) => v.setFloat64(at, 20 + i / 100 + gaussian() / 10, le), littleEndian),
  );
}

// --- logs and recordings
const LEVELS = ['INFO', 'INFO', 'INFO', 'WARN', 'DEBUG', 'ERROR'];
write(
  'gateway.log',
  `${Array.from({ length: 400 }, (_, i) => {
    const level = LEVELS[Math.floor(random() * LEVELS.length)]!;
    const took = Math.floor(random() * 900);
    return `2026-11-21T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z ${level} [worker-${i % 4}] PUT /v1/objects/chat/${b64url(randomBytes(9))} 201 ${took}ms bytes=${Math.floor(random() * 1e6)} ua="Mozilla/5.0 (X11; Linux x86_64)"`;
  }).join('\n')}\n`,
);
write(
  'access.log',
  `${Array.from(
    { length: 300 },
    (_, i) =>
      `10.${i % 255}.${(i * 7) % 255}.${(i * 13) % 255} - - [21/Nov/2026:10:${String(i % 60).padStart(2, '0')}:00 +0000] "GET /assets/app.${b64url(randomBytes(6))}.js HTTP/1.1" 200 ${Math.floor(random() * 90000)} "-" "curl/7.88.1"`,
  ).join('\n')}\n`,
);
write(
  'rrweb-session.json',
  json(
    Array.from({ length: 400 }, (_, i) => {
      const timestamp = 1763719200000 + i * 16;
      switch (i % 4) {
        case 0:
          return {
            type: 3,
            data: { source: 1, positions: [{ x: Math.floor(random() * 1280), y: Math.floor(random() * 720), id: 4, timeOffset: -8 }] },
            timestamp,
          };
        case 1:
          return {
            type: 3,
            data: { source: 2, type: Math.floor(random() * 6), id: 5 + (i % 30), x: Math.floor(random() * 1280), y: Math.floor(random() * 720) },
            timestamp,
          };
        case 2:
          return {
            type: 3,
            data: {
              source: 0,
              texts: [{ id: 9, value: `Total: ${(random() * 100).toFixed(2)} EUR` }],
              attributes: [{ id: 10, attributes: { class: i % 8 ? 'open' : null } }],
              removes: [],
              adds: [],
            },
            timestamp,
          };
        default:
          return { type: 3, data: { source: 3, id: 1, x: 0, y: Math.floor(i * 3.5) }, timestamp };
      }
    }),
  ),
);

// --- bytes spelt out without media: lists, escapes and dumps the inspector decodes and must then store as sent
const spelt = seededRandom(20261203);
const speltBytes = (length: number): Uint8Array => Uint8Array.from({ length }, () => Math.floor(spelt() * 256));
const sha256 = (text: string): string => createHmac('sha256', 'benign').update(text).digest('hex');
const uuid = (): string => {
  const hex = Array.from(speltBytes(16), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};
write(
  'histogram.csv',
  `bucket_set,${Array.from({ length: 32 }, (_, i) => `b${i}`).join(',')}\n${Array.from(
    { length: 120 },
    (_, row) => `${row},${Array.from({ length: 32 }, () => Math.floor(spelt() * 256)).join(',')}`,
  ).join('\n')}\n`,
);
write(
  'digests.log',
  `${Array.from({ length: 200 }, (_, i) => {
    const id = uuid();
    return `2026-12-03T09:${String(i % 60).padStart(2, '0')}:00Z INFO stored object=${id} sha256=${sha256(id)} etag="${sha256(`${i}`).slice(0, 32)}" commit ${sha256(`c${i}`).slice(0, 40)} mac 3c:22:fb:${(i % 256).toString(16).padStart(2, '0')}:10:7e peer [2001:db8::${i.toString(16)}]:443 took 12 34 56 ms`;
  }).join('\n')}\n`,
);
write(
  'bytes-repr.txt',
  `>>> sock.recv(64)
${pythonRepr(utf8('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello'))}
>>> b'hello world\\n'
b'hello world\\n'
>>> bytes([0, 1, 2, 3])
b'\\x00\\x01\\x02\\x03'
>>> os.urandom(32)
${pythonRepr(speltBytes(32))}
>>> 'caf\\xe9 cr\\xe8me br\\xfbl\\xe9e'.encode('latin-1')
b'caf\\xe9 cr\\xe8me br\\xfbl\\xe9e'
>>> json.dumps({'key': repr(os.urandom(24))})
${JSON.stringify(JSON.stringify({ key: pythonRepr(speltBytes(24)) }))}
const RED = "\\x1b[31m", RESET = "\\x1b[0m"; printf '\\x1b[1;32mok\\x1b[0m\\n'
`,
);
write(
  'email-fr.txt',
  `From: =?UTF-8?Q?Ana=C3=AFs_Lef=C3=A8vre?= <anais@example.fr>
To: support@example.com
Subject: =?UTF-8?Q?Probl=C3=A8me_de_t=C3=A9l=C3=A9chargement?=
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Bonjour,

Je n'arrive pas =C3=A0 t=C3=A9l=C3=A9charger la capture d'=C3=A9cran de ma=
 commande n=C2=B0 4471 : le bouton reste gris=C3=A9. Les octets affich=C3=
=A9s dans la console sont 137, 80, 78, 71, puis plus rien.

Cordialement,
Ana=C3=AFs
`,
);
const text = utf8(english.slice(0, 600));
write('dumps.txt', `$ xxd notes.txt\n${xxd(text)}$ hexdump -C seed.bin\n${hexdumpC(speltBytes(200))}$ od -An -tx1 notes.txt\n${odHex(text.subarray(0, 160))}`);
write(
  'byte-arrays.json',
  json({
    key: signedBytes(speltBytes(64)),
    greeting: signedBytes(utf8('Grüße aus Köln, ¿qué tal? 你好')),
    digest: Array.from(speltBytes(32), (byte) => byte.toString(16).padStart(2, '0')),
    nonce: Array.from(speltBytes(24), String),
    iv: hexLiterals(speltBytes(16)),
    small: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
    sensor: Array.from({ length: 64 }, () => Math.floor(spelt() * 120) - 60),
  }),
);
const sbox = speltBytes(256);
write(
  'lookup-table.c',
  `/* a substitution table and colour codes */
#include <stdint.h>
static const uint8_t SBOX[256] = {
${Array.from({ length: 16 }, (_, row) => `  ${hexLiterals(sbox.subarray(row * 16, row * 16 + 16)).join(', ')},`).join('\n')}
};
static const uint32_t CRC_SEEDS[4] = {0x77073096, 0xee0e612c, 0x990951ba, 0x076dc419};
static const char *RED = "\\x1b[31m", *RESET = "\\x1b[0m";
`,
);

await import('./make-fixtures-lookalikes.ts');

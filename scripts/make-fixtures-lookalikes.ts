/**
 * Writes the benign look-alikes of the layers that are refused unopened or
 * searched as opaque bytes (test/fixtures/benign/lookalike-*): text that
 * names archive formats and spells their magic numbers, those magic numbers
 * by chance in random bytes, hex hashes, numbers, a Python repr of bytes, a
 * quoted-printable e-mail with a base64 attachment. None holds media: each
 * must be stored byte-identical. Deterministic (seeded); run by
 * make-fixtures-benign.ts, or alone:
 *
 *   node --import tsx scripts/make-fixtures-lookalikes.ts
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { seededRandom, utf8 } from '../test/helpers/inspect-stream.ts';

const out = new URL('../test/fixtures/benign/', import.meta.url);
const write = (name: string, content: string | Uint8Array): void => writeFileSync(new URL(name, out), content);
const random = seededRandom(20261203);
const randomBytes = (length: number): Uint8Array => Uint8Array.from({ length }, () => Math.floor(random() * 256));

/** The first bytes of each format's header: what may occur by chance, without the header that would confirm it. */
const MAGIC_PREFIXES: readonly (readonly number[])[] = [
  [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c],
  [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x00],
  [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x01, 0x00],
  [0x04, 0x22, 0x4d, 0x18],
  [0x02, 0x21, 0x4c, 0x18],
  [0x4c, 0x5a, 0x49, 0x50, 0x01],
  [0x1f, 0x9d, 0x90],
  [0x89, 0x4c, 0x5a, 0x4f],
  [0x4d, 0x53, 0x43, 0x46, 0, 0, 0, 0],
  [0x60, 0xea],
  [0x2d, 0x6c, 0x68, 0x35, 0x2d],
  [0x37, 0x6b, 0x53, 0x74],
  [0x42, 0x5a, 0x33, 0x76, 0x31],
  [0x4c, 0x52, 0x5a, 0x49, 0x00],
  [0x68, 0x73, 0x71, 0x73],
  [0x4d, 0x53, 0x57, 0x49, 0x4d],
  [0x53, 0x5a, 0x44, 0x44],
];

const spelled = (magic: readonly number[]): string => magic.map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
const pythonRepr = (bytes: Uint8Array): string =>
  `b'${Array.from(bytes, (byte) =>
    byte === 0x27 ? "\\'" : byte === 0x5c ? '\\\\' : byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`,
  ).join('')}'`;

write(
  'lookalike-archive-magic.txt',
  `Archive formats the upload service sees, and how each file begins (hex):\n${MAGIC_PREFIXES.map(
    (magic) => `- ${spelled(magic)}  "${String.fromCharCode(...magic.filter((byte) => byte >= 0x20 && byte < 0x7f))}"`,
  ).join('\n')}\nA .7z starts with "7z" and a RAR file with "Rar!"; lzip files with "LZIP", cabinets with "MSCF", lha with -lh5-.\n`,
);

write(
  'lookalike-python-repr.txt',
  `${MAGIC_PREFIXES.map((magic, i) => `>>> header[${i}]\n${pythonRepr(Uint8Array.from([...magic, ...randomBytes(12)]))}`).join('\n')}\n`,
);

const parts: Uint8Array[] = [];
for (let round = 0; round < 16; round++) for (const magic of MAGIC_PREFIXES) parts.push(randomBytes(61 + round * 7), Uint8Array.from(magic));
write('lookalike-magic-random.bin', Buffer.concat(parts));

write(
  'lookalike-hashes.csv',
  `file,size,md5,sha256\n${Array.from({ length: 300 }, (_, i) => {
    const content = randomBytes(16 + i);
    return `upload-${i}.bin,${content.length},${createHash('md5').update(content).digest('hex')},${createHash('sha256').update(content).digest('hex').toUpperCase()}`;
  }).join('\n')}\n`,
);

write(
  'lookalike-numbers.csv',
  `sensor,t,value,raw\n${Array.from(
    { length: 600 },
    (_, i) => `s${i % 7},${1764720000 + i * 15},${(random() * 2000 - 1000).toFixed(4)},${Math.floor(random() * 2 ** 53)}${Math.floor(random() * 1e9)}`,
  ).join('\n')}\n`,
);

/** Quoted-printable (RFC 2045) of UTF-8 text, lines of at most 76 characters. */
function quotedPrintable(text: string): string {
  const encoded = Array.from(utf8(text), (byte) =>
    byte === 0x0a ? '\n' : byte >= 0x20 && byte < 0x7f && byte !== 0x3d ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');
  return encoded
    .split('\n')
    .map((line) => line.replace(/(.{72}[^=]{0,2})(?=.)/g, '$1=\n'))
    .join('\n');
}

const attachment = Buffer.from(randomBytes(6000)).toString('base64').replace(/.{76}/g, '$&\n');
write(
  'lookalike-email-fr.txt',
  `From: =?UTF-8?Q?Am=C3=A9lie_Dupr=C3=A9?= <amelie@example.fr>
Subject: =?UTF-8?Q?R=C3=A9sum=C3=A9_de_la_r=C3=A9union?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="frontiere"

--frontiere
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

${quotedPrintable(
  `Bonjour à toutes et à tous,

Voici le résumé de la réunion de jeudi : nous avons décidé de ne garder aucune capture d'écran, aucun enregistrement audio ni vidéo. Les journaux compressés (.7z, .rar, .lz4) ne seront plus acceptés sur la passerelle, car elle ne peut pas les ouvrir.

Pièce jointe : la clé de chiffrement de test (données aléatoires).

Bien cordialement,
Amélie`,
)}

--frontiere
Content-Type: application/octet-stream; name="cle.bin"
Content-Transfer-Encoding: base64

${attachment}
--frontiere--
`,
);

/**
 * User metadata as HTTP carries it: names lowercase tokens, values byte
 * strings (one character per byte). Exactly `bytes` bytes as S3 counts them
 * (names plus values), with every byte an HTTP field value may hold (tab,
 * visible ASCII, space, and the bytes 0x80-0xFF: UTF-8 of several scripts),
 * quotes, `=`, `%` and `,`. No value starts or ends with whitespace (HTTP
 * would trim it). `ascii`: visible ASCII and single spaces only, as a
 * client's own text (a client sends a string's UTF-8, and signs its
 * whitespace collapsed).
 */
export function userMetadataOf(bytes: number, options: { ascii?: boolean } = {}): Record<string, string> {
  const allowed: string[] = [];
  for (let code = 1; code < 256; code++) if (code === 0x09 || (code >= 0x20 && code !== 0x7f)) allowed.push(String.fromCharCode(code));
  const utf8 = (text: string) => String.fromCharCode(...new TextEncoder().encode(text));
  const seed = options.ascii
    ? ['=?UTF-8?B?x?=', 'a,b;c="d"%20', allowed.filter((char) => char > '\t' && char < '\x7f').join('')]
    : [utf8('café 東京 🙂 Ünïcode'), '=?UTF-8?B?x?=', 'a,b;c="d"%20', allowed.join('')];
  const metadata: Record<string, string> = {};
  let left = bytes;
  for (let index = 0; left > 0; index++) {
    const name = `field-${index}`;
    const room = left - name.length;
    if (room < 2) {
      // Too little room for another field: lengthen the first value instead.
      metadata['field-0'] = `${metadata['field-0'] ?? ''}${'x'.repeat(left)}`;
      break;
    }
    const source = seed[index % seed.length]!;
    let value = source.repeat(Math.ceil(room / source.length)).slice(0, Math.min(room, 400));
    value = `v${value.slice(1, -1)}v`;
    metadata[name] = value;
    left -= name.length + value.length;
  }
  return metadata;
}

/** Bytes of user metadata as S3 counts them. */
export function userMetadataBytes(metadata: Readonly<Record<string, string>>): number {
  return Object.entries(metadata).reduce((sum, [name, value]) => sum + name.length + value.length, 0);
}

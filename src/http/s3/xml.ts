const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** One element; `content` is already XML (child elements), or text to escape when a string or number. */
export function element(tag: string, content: string | number | boolean): string {
  return `<${tag}>${typeof content === 'string' ? escapeXml(content) : String(content)}</${tag}>`;
}

/** Child elements, already XML, inside one element. */
export function elements(tag: string, children: readonly string[]): string {
  return `<${tag}>${children.join('')}</${tag}>`;
}

export const XML_PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** A root element with its children, without the prolog. */
export function xmlRoot(root: string, children: readonly string[], namespace = S3_NAMESPACE): string {
  return `<${root}${namespace === '' ? '' : ` xmlns="${namespace}"`}>${children.join('')}</${root}>`;
}

export function xmlResponse(
  root: string,
  children: readonly string[],
  init: { status?: number; headers?: Record<string, string>; namespace?: string } = {},
): Response {
  return new Response(XML_PROLOG + xmlRoot(root, children, init.namespace), {
    status: init.status ?? 200,
    headers: { 'content-type': 'application/xml', ...init.headers },
  });
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[entity]!;
  });
}

/**
 * The text of each `<tag>` directly inside every `<parent>` of a small
 * request document (CompleteMultipartUpload, Delete): enough XML for the two
 * bodies S3 clients send, not a general parser. Returns null when the
 * document is not of that shape.
 */
export function childTexts(xml: string, parent: string, tags: readonly string[]): Array<Record<string, string>> | null {
  const records: Array<Record<string, string>> = [];
  const parentPattern = new RegExp(`<${parent}>([\\s\\S]*?)</${parent}>`, 'g');
  for (const [, inner] of xml.matchAll(parentPattern)) {
    const record: Record<string, string> = {};
    for (const tag of tags) {
      const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(inner!);
      if (match) record[tag] = unescapeXml(match[1]!);
    }
    records.push(record);
  }
  return records;
}

/** The text of the first `<tag>` of a document, if any. */
export function firstText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return match ? unescapeXml(match[1]!) : undefined;
}

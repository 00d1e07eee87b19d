import { MediaRefusal } from '../media/finding.ts';
import { findMediaInText } from '../media/inspect.ts';

const encoder = new TextEncoder();

/**
 * What a write stores beside its body as text — the object key, user
 * metadata names and values — is inspected like the body, whatever the data
 * class allows the body: a `data:` URL in `x-amz-meta-thumbnail` or the
 * base64 of a PNG in a key would otherwise be stored unseen. Media there is
 * refused (`media_refused`), never redacted: a key or header cannot be
 * rewritten without changing what the client asked for.
 */
export async function refuseMediaBesideBody(key: string, userMetadata: Readonly<Record<string, string>> = {}): Promise<void> {
  const texts: Array<[string, string]> = [['the object key', key]];
  for (const [name, value] of Object.entries(userMetadata)) texts.push([`the name of x-amz-meta-${name}`, name], [`x-amz-meta-${name}`, value]);
  for (const [what, text] of texts) {
    const finding = await findMediaInText(encoder.encode(text));
    if (finding) throw new MediaRefusal({ ...finding, where: `${finding.where} of ${what}` });
  }
}

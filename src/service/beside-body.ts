import { MediaRefusal } from '../media/finding.ts';
import { findMediaInText } from '../media/inspect.ts';

const encoder = new TextEncoder();

/** What a write stores beside its body as text. */
export interface BesideBody {
  key: string;
  /** Kept as the object's type: its parameters are free text (`text/plain; name="data:image/png;base64,..."`). */
  contentType: string;
  userMetadata?: Readonly<Record<string, string>> | undefined;
}

/**
 * What a write stores beside its body as text — the object key, its
 * Content-Type, user metadata names and values — is inspected like the body, whatever the data
 * class allows the body: a `data:` URL in `x-amz-meta-thumbnail` or the
 * base64 of a PNG in a key would otherwise be stored unseen. Media there is
 * refused (`media_refused`), never redacted: a key or header cannot be
 * rewritten without changing what the client asked for.
 */
export async function refuseMediaBesideBody({ key, contentType, userMetadata = {} }: BesideBody): Promise<void> {
  const texts: Array<[string, string]> = [
    ['the object key', key],
    ['the Content-Type', contentType],
  ];
  for (const [name, value] of Object.entries(userMetadata)) texts.push([`the name of x-amz-meta-${name}`, name], [`x-amz-meta-${name}`, value]);
  for (const [what, text] of texts) {
    const finding = await findMediaInText(encoder.encode(text));
    if (finding) throw new MediaRefusal({ ...finding, where: `${finding.where} of ${what}` });
  }
}

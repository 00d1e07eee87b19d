import { isTextual, parseMediaType } from '../media/content-type.ts';
import { Refusal } from '../policy/refusal.ts';
import { detectorsFor } from './detectors.ts';
import { JsonMasker } from './json-masker.ts';
import type { CustomMask, MaskCounts, MaskKind } from './kinds.ts';
import { TextMasker } from './text-masker.ts';

export interface MaskingOptions {
  kinds: readonly MaskKind[];
  custom: readonly CustomMask[];
  /** The body's declared Content-Type: JSON types are masked as JSON, other text types as text. */
  contentType: string;
}

export interface Masking {
  /** Bytes in, masked bytes out (UTF-8). */
  readonly stream: TransformStream<Uint8Array, Uint8Array>;
  /** Masks made so far, by kind; final once the stream has closed. */
  counts(): MaskCounts;
}

/**
 * A streaming masker for one body of a data class with `mask`. Only text
 * (UTF-8) and JSON bodies can be masked: any other declared type is refused
 * rather than stored unmasked, and so is text that is not valid UTF-8.
 */
export function createMasking(options: MaskingOptions): Masking {
  const format = maskableFormat(options.contentType);
  if (format === null) {
    throw new Refusal(
      'body_uninspectable',
      `this data class masks ${[...options.kinds, ...options.custom.map((mask) => mask.name)].join(', ')}; ` +
        `a body of type "${options.contentType || 'application/octet-stream'}" cannot be masked: send UTF-8 text or JSON`,
    );
  }
  const counts: MaskCounts = {};
  const text = new TextMasker(detectorsFor(options.kinds, options.custom), counts);
  const masker = format === 'json' ? new JsonMasker(text, counts, options.kinds.includes('card-number')) : text;
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const encoder = new TextEncoder();
  // Invalid UTF-8 is refused at the end of the body, so that the media inspector before this stream gives its verdict first.
  let invalid = false;
  const decode = (bytes?: Uint8Array): string => {
    if (invalid) return '';
    try {
      return bytes === undefined ? decoder.decode() : decoder.decode(bytes, { stream: true });
    } catch {
      invalid = true;
      return '';
    }
  };
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const out = masker.push(decode(chunk));
      if (out !== '' && !invalid) controller.enqueue(encoder.encode(out));
    },
    flush(controller) {
      const out = masker.push(decode()) + masker.end();
      if (invalid) throw new Refusal('body_uninspectable', 'the body is not valid UTF-8, so it cannot be masked; it was not stored');
      if (out !== '') controller.enqueue(encoder.encode(out));
    },
  });
  return { stream, counts: () => ({ ...counts }) };
}

/** `json`, `text`, or null when a body of this declared type cannot be masked. */
export function maskableFormat(contentType: string): 'json' | 'text' | null {
  const type = parseMediaType(contentType);
  if (!type || !isTextual(type)) return null;
  const charset = type.params.get('charset')?.toLowerCase();
  if (charset !== undefined && !['utf-8', 'utf8', 'us-ascii', 'ascii'].includes(charset)) return null;
  const json =
    type.essence === 'application/json' ||
    type.subtype.endsWith('+json') ||
    ['application/x-ndjson', 'application/jsonl', 'application/json-seq'].includes(type.essence);
  return json ? 'json' : 'text';
}

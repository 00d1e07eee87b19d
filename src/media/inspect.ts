import { Refusal } from '../policy/refusal.ts';
import { isTextual, mediaKindOf, parseMediaType, splitOutsideQuotes, textCharset, type MediaType } from './content-type.ts';
import { DEFAULT_BUDGETS, InspectionContext, type InspectionBudgets } from './context.ts';
import { Decoder, decompression, runtimeDecompression, type ByteSink, type DecoderFactory } from './decoder.ts';
import { isMediaRefusal, MediaRefusal, type MediaFinding } from './finding.ts';
import { ContentScanner } from './scanner/index.ts';

export { isMediaRefusal, MediaRefusal, type MediaFinding } from './finding.ts';
export { DEFAULT_BUDGETS, type InspectionBudgets } from './context.ts';
export { REDACTION_MARKER } from './redaction.ts';
export type { DecoderFactory, DecoderPair } from './decoder.ts';

export interface InspectionOptions {
  /** The declared Content-Type header value, '' when absent. */
  contentType: string;
  /** The Content-Encoding header value, '' when absent. */
  contentEncoding: string;
  /** From the data class: 'refuse' (default) or 'redact' embedded media. */
  embeddedMedia: 'refuse' | 'redact';
  /** Tighter or looser budgets than DEFAULT_BUDGETS. */
  budgets?: Partial<InspectionBudgets>;
  /**
   * Decoders for content codings the runtime's DecompressionStream lacks,
   * e.g. `br` on Node 20 (the Node entry can pass one built on node:zlib).
   */
  decoders?: Readonly<Record<string, DecoderFactory>>;
}

export interface Inspection {
  /** Put between the request body and the store: body.pipeThrough(inspection.stream). */
  readonly stream: TransformStream<Uint8Array, Uint8Array>;
  /** Number of embedded media items replaced by the marker; final once the stream has closed. */
  readonly redactions: number;
}

/** The media a declared Content-Type names (merged duplicate headers included), or null. */
function declaredMedia(contentType: string): MediaFinding | null {
  for (const value of splitOutsideQuotes(contentType, ',')) {
    const type = parseMediaType(value);
    const kind = type && mediaKindOf(type);
    if (type && kind) return { kind, format: type.essence, where: 'declared by Content-Type' };
  }
  return null;
}

const BUILT_IN_DECODERS: Readonly<Record<string, DecoderFactory | undefined>> = {
  gzip: decompression('gzip'),
  'x-gzip': decompression('gzip'),
  deflate: decompression('deflate'),
  br: runtimeDecompression('br'),
};

/** The decoders for a Content-Encoding list, in the order they were applied; refuses codings that cannot be undone here. */
function contentDecoders(contentEncoding: string, options: InspectionOptions, maxDepth: number): { coding: string; decoder: DecoderFactory }[] {
  const codings = contentEncoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > maxDepth) {
    throw new Refusal('media_refused', `Content-Encoding "${contentEncoding}" nests ${codings.length} codings, more than the ${maxDepth} that are inspected`);
  }
  return codings.map((coding) => {
    const decoder = options.decoders?.[coding] ?? BUILT_IN_DECODERS[coding];
    if (!decoder) {
      const supported = Object.keys(BUILT_IN_DECODERS).filter((name) => BUILT_IN_DECODERS[name] || options.decoders?.[name]);
      throw new Refusal('media_refused', `Content-Encoding "${coding}" cannot be inspected for media here; use ${supported.join(', ')} or none`);
    }
    return { coding, decoder };
  });
}

/** The first parseable media type of the header, or null. */
function declaredType(contentType: string): MediaType | null {
  for (const value of splitOutsideQuotes(contentType, ',')) {
    const type = parseMediaType(value);
    if (type) return type;
  }
  return null;
}

function multipartBoundary(type: MediaType | null): Uint8Array | undefined {
  if (type?.type !== 'multipart') return undefined;
  const boundary = type.params.get('boundary');
  if (!boundary || boundary.length > 200) throw new Refusal('bad_request', `${type.essence} needs a boundary parameter (1-200 characters) in Content-Type`);
  return new TextEncoder().encode(boundary);
}

/** Whether the body must be valid UTF-8 (declared text in UTF-8); refuses text in a charset whose bytes cannot be scanned. */
function mustBeUtf8(type: MediaType | null): boolean {
  if (!type || !isTextual(type)) return false;
  const charset = textCharset(type);
  if (charset === 'unsupported') {
    throw new Refusal('media_refused', `text in charset "${type.params.get('charset')}" cannot be inspected for media; send UTF-8`);
  }
  return charset === 'utf-8';
}

/**
 * Throws Refusal('media_refused') synchronously when the declared type is
 * image/*, audio/*, video/* or an alias, or when the Content-Encoding or
 * charset cannot be inspected (Refusal('bad_request') for a multipart type
 * without boundary). Otherwise returns the stream that inspects the body on
 * its way to the store and errors with a Refusal the moment it finds media
 * (or a budget runs out), which aborts the store write.
 */
export function createInspection(options: InspectionOptions): Inspection {
  const declared = declaredMedia(options.contentType);
  if (declared) throw new MediaRefusal(declared);
  const budgets = { ...DEFAULT_BUDGETS, ...options.budgets };
  const decoders = contentDecoders(options.contentEncoding ?? '', options, budgets.maxDepth);
  const type = declaredType(options.contentType);
  const boundary = multipartBoundary(type);
  const utf8 = mustBeUtf8(type);

  const context = new InspectionContext(budgets);
  const rewritten: Uint8Array[] = [];
  // Redaction rewrites the stored bytes, which are the bytes as sent: only possible without a Content-Encoding.
  const redact = options.embeddedMedia === 'redact' && decoders.length === 0;
  const decodedAs = decoders.map(({ coding }) => coding).reverse().join('+');
  let sink: ByteSink = new ContentScanner(context, {
    depth: decoders.length,
    locate: decoders.length === 0 ? (offset) => `at byte ${offset}` : (offset) => `at byte ${offset} of the ${decodedAs}-decoded body`,
    utf8,
    ...(boundary && { boundary }),
    ...(redact && { emit: (chunk: Uint8Array) => rewritten.push(chunk) }),
  });
  for (const { coding, decoder } of decoders) {
    sink = new Decoder(decoder(), context, sink, (error) =>
      context.fail(new Refusal('bad_request', `the body is not valid ${coding} data (${error instanceof Error ? error.message : String(error)})`)),
    );
  }
  const body = sink;

  const failIfFound = (): void => {
    if (!context.failure) return;
    context.stopAll();
    throw context.failure;
  };
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      context.received(chunk.length);
      body.push(chunk);
      await body.drain();
      failIfFound();
      if (!redact) controller.enqueue(chunk);
      for (const part of rewritten.splice(0)) controller.enqueue(part);
    },
    async flush(controller) {
      body.end();
      await context.settle();
      failIfFound();
      for (const part of rewritten.splice(0)) controller.enqueue(part);
    },
  });
  return {
    stream,
    get redactions() {
      return context.redactions;
    },
  };
}

/**
 * For POST /v1/explain: inspects a small sample completely and reports the
 * first media found (as `refuse` would), never throws for media. Refusals
 * that are not about media (an encoding that cannot be undone, invalid
 * UTF-8 in declared text, a budget) are thrown as they would be for a write.
 */
export async function inspectSample(sample: Uint8Array, options: InspectionOptions): Promise<{ media: null | MediaFinding }> {
  try {
    const { stream } = createInspection({ ...options, embeddedMedia: 'refuse' });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(sample);
        controller.close();
      },
    });
    const reader = body.pipeThrough(stream).getReader();
    while (!(await reader.read()).done);
    return { media: null };
  } catch (error) {
    if (isMediaRefusal(error)) return { media: error.finding };
    throw error;
  }
}

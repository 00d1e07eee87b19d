import { Refusal } from '../policy/refusal.ts';
import { isTextual, mediaKindOf, parseMediaType, splitOutsideQuotes, textCharset, type MediaType } from './content-type.ts';
import { DEFAULT_BUDGETS, InspectionContext, uninspectable, type InspectionBudgets } from './context.ts';
import { Decoder, runtimeDecompression, type ByteSink, type DecoderFactory } from './decoder.ts';
import { GzipStream } from './layers/gzip.ts';
import { Inflater } from './layers/inflate.ts';
import type { LayerLimits, LayerOutput, LayerStream } from './layers/layer.ts';
import { LayerSink } from './layers/sink.ts';
import { declaredWideText, wideCharset, type WideEncoding } from './layers/utf16-32.ts';
import { ZstdStream } from './layers/zstd.ts';
import { isMediaRefusal, MediaRefusal, type MediaFinding } from './finding.ts';
import { ContentScanner } from './scanner/index.ts';
import { MIN_RUN_CHARS } from './scanner/runs.ts';

export { isMediaRefusal, MediaRefusal, type MediaFinding } from './finding.ts';
export { budgetsFromLimits, DEFAULT_BUDGETS, type InspectionBudgets, type InspectionLimits } from './context.ts';
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
   * Decoders for content codings neither this module nor the runtime's
   * DecompressionStream has (used only then): an injected decoder must
   * fail on bytes after the end of its data, or they go unseen.
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

/** A content coding decoded here, by its bytes, the same way on every runtime (pako, fzstd): it says where its data ends. */
type LayerCoding = (output: LayerOutput, limits: LayerLimits) => LayerStream;

const LAYER_CODINGS: Readonly<Record<string, LayerCoding | undefined>> = {
  gzip: (output) => new GzipStream(output),
  'x-gzip': (output) => new GzipStream(output),
  deflate: (output) => new Inflater('zlib', (bytes) => output.data(bytes)),
  zstd: (output, limits) => new ZstdStream(output, limits),
};

/** `br` where the runtime's DecompressionStream has it (Node 24, workerd), unless the caller injects a decoder. */
const RUNTIME_CODINGS: Readonly<Record<string, DecoderFactory | undefined>> = {
  br: runtimeDecompression('brotli'),
};

/** Whether this runtime inspects a Content-Encoding by itself (`br`: Node 24, not Node 22 nor workerd). */
export function runtimeDecodes(coding: string): boolean {
  return RUNTIME_CODINGS[coding] !== undefined;
}

interface Coding {
  readonly coding: string;
  readonly layer?: LayerCoding;
  readonly decoder?: DecoderFactory;
}

/** The decoders for a Content-Encoding list, in the order they were applied; refuses codings that cannot be undone here. */
function contentDecoders(contentEncoding: string, options: InspectionOptions, maxDepth: number): Coding[] {
  const codings = contentEncoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > maxDepth) {
    throw uninspectable(`Content-Encoding "${contentEncoding}" nests ${codings.length} codings, more than the ${maxDepth} layers that are inspected`);
  }
  return codings.map((coding) => {
    // the decoders here say where their data ends, and so refuse bytes after it: an injected one is the last resort
    const layer = LAYER_CODINGS[coding];
    if (layer) return { coding, layer };
    const decoder = RUNTIME_CODINGS[coding] ?? options.decoders?.[coding];
    if (decoder) return { coding, decoder };
    const supported = [...Object.keys(LAYER_CODINGS), ...Object.keys(RUNTIME_CODINGS).filter((name) => RUNTIME_CODINGS[name] || options.decoders?.[name])];
    throw new Refusal('media_refused', `Content-Encoding "${coding}" cannot be inspected for media here; use ${supported.join(', ')} or none`);
  });
}

/**
 * Decoding errors of a declared coding: bytes after its end are
 * uninspectable (422), anything else is not data of that coding (400). The
 * zstd decoder cannot tell the two apart, so its errors are all 422.
 */
function codingFailure(coding: string, error: unknown): Refusal {
  const message = error instanceof Error ? error.message : String(error);
  if (coding === 'zstd' || /trailing|junk|after the end/i.test(message))
    return uninspectable(`the ${coding} data cannot be decoded to its last byte (${message})`);
  return new Refusal('bad_request', `the body is not valid ${coding} data (${message})`);
}

/** Wraps `inner` in the decoder of one content coding, `depth` layers below the body as received. */
function codingSink(coding: Coding, context: InspectionContext, inner: ByteSink, depth: number): ByteSink {
  const fail = (error: unknown): void => context.fail(codingFailure(coding.coding, error));
  if (coding.decoder) return new Decoder(coding.decoder(), context, inner, fail);
  const limits = { maxMemoryBytes: context.budgets.maxLayerMemoryBytes };
  return new LayerSink((output) => coding.layer!(output, limits), context, inner, {
    field: (name) => {
      const where = `the ${name} field of the ${coding.coding} header`;
      return context.allowDepth(depth, where) ? new ContentScanner(context, { depth, locate: (offset) => `at byte ${offset} of ${where}`, utf8: false }) : null;
    },
    trailing: (at) => context.fail(uninspectable(`${at}-byte ${coding.coding} data is followed by more bytes, which cannot be inspected as ${coding.coding}`)),
    corrupt: fail,
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

/**
 * How declared text is read: as UTF-8 that must be valid, as a UTF-16 or
 * UTF-32 layer, or as bytes (another ASCII-compatible charset, or not text);
 * refuses text in a charset whose bytes cannot be scanned.
 */
function declaredText(type: MediaType | null): { utf8: boolean; wide?: WideEncoding } {
  if (!type || !isTextual(type)) return { utf8: false };
  const charset = textCharset(type);
  const wide = wideCharset(type.params.get('charset') ?? '');
  if (wide) return { utf8: false, wide };
  if (charset === 'unsupported') {
    throw new Refusal('media_refused', `text in charset "${type.params.get('charset')}" cannot be inspected for media; send UTF-8`);
  }
  return { utf8: charset === 'utf-8' };
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
  const { utf8, wide } = declaredText(type);

  const context = new InspectionContext(budgets);
  const rewritten: Uint8Array[] = [];
  // Redaction rewrites the stored bytes, which are the bytes as sent: only possible without a Content-Encoding or a wide charset.
  const redact = options.embeddedMedia === 'redact' && decoders.length === 0 && !wide;
  const decodedAs = decoders
    .map(({ coding }) => coding)
    .reverse()
    .join('+');
  let sink: ByteSink = new ContentScanner(context, {
    depth: decoders.length,
    locate: decoders.length === 0 ? (offset) => `at byte ${offset}` : (offset) => `at byte ${offset} of the ${decodedAs}-decoded body`,
    utf8,
    ...(boundary && { boundary }),
    ...(redact && { emit: (chunk: Uint8Array) => rewritten.push(chunk) }),
  });
  if (wide) {
    // the scanner sees the text as UTF-8; the body's own bytes are what is stored
    sink = new LayerSink(declaredWideText(wide), context, sink, { field: () => null, trailing: () => undefined, corrupt: () => undefined });
  }
  decoders.forEach((coding, applied) => {
    sink = codingSink(coding, context, sink, decoders.length - applied);
  });
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
 * Media in a short text stored beside a body (an object key, a user metadata
 * value): the text is scanned like a body whose type says nothing, without
 * a stream around it. Returns what was found, or null; a text that cannot be
 * inspected within the default budgets throws its Refusal.
 */
export async function findMediaInText(text: Uint8Array): Promise<MediaFinding | null> {
  // most keys and types (`application/json`) are shorter than any spelling of a file: the shortest base64 run decoded
  if (text.length < MIN_RUN_CHARS) return null;
  const context = new InspectionContext(DEFAULT_BUDGETS);
  const scanner = new ContentScanner(context, { depth: 0, locate: (offset) => `at byte ${offset}`, utf8: false });
  context.received(text.length);
  scanner.push(text);
  scanner.end();
  await context.settle();
  const failure = context.failure;
  if (failure === undefined) return null;
  if (isMediaRefusal(failure)) return failure.finding;
  throw failure;
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

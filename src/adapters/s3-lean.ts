import { bareEtag, metadataFromFields, reportedEtag } from './metadata-fields.ts';
import { createS3Signer, EMPTY_PAYLOAD_SHA256, encodeKeySegment, payloadSha256, type SigningCredentials } from './s3-signing.ts';
import type { ObjectInfo } from './types.ts';

/**
 * The S3 requests a small write makes many of (HeadObject, and a PutObject
 * whose body is already in hand), signed here and handed straight to the
 * SDK's own HTTP handler (node:http with its keep-alive pool on Node, fetch
 * on Workers), past the SDK's middleware stack, endpoint rules and error
 * deserialisation: those cost more than the request itself
 * (bench/store-request-cpu.ts).
 */
export interface LeanS3Client {
  head(key: string, signal: AbortSignal): Promise<ObjectInfo | null>;
  /** One ListObjectsV2 page: the keys, and where the next page starts. */
  listKeys(prefix: string, limit: number, cursor: string | undefined, signal: AbortSignal): Promise<{ keys: string[]; cursor?: string }>;
  /** One PutObject of bytes in hand; the answer's ETag. */
  put(key: string, bytes: Uint8Array, headers: Record<string, string>, signal: AbortSignal): Promise<string | undefined>;
}

/** The SDK's HTTP handler, as far as it is used here. */
export interface SdkHttpHandler {
  handle(
    request: {
      method: string;
      protocol: string;
      hostname: string;
      port?: number;
      path: string;
      query: Record<string, string>;
      headers: Record<string, string>;
      body?: Uint8Array;
    },
    options?: { abortSignal?: AbortSignal },
  ): Promise<{ response: { statusCode: number; headers: Record<string, string>; body?: unknown } }>;
}

export interface LeanS3Options {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  /** The credentials the SDK client resolved (its provider chain, cached and refreshed by the SDK). */
  credentials(): Promise<SigningCredentials>;
  handler: SdkHttpHandler;
  /** Attempts of a read, as the SDK's `maxAttempts`: 5xx, 429 and connection failures are tried again. */
  readAttempts: number;
}

/** A failed answer, shaped as the SDK's errors are for `statusOf` and `toStoreError`. */
class S3ResponseError extends Error {
  override readonly name = 'S3ResponseError';
  readonly $metadata: { httpStatusCode: number };
  readonly code: string | undefined;
  constructor(status: number, code: string | undefined) {
    super(`S3 answered ${status}`);
    this.$metadata = { httpStatusCode: status };
    this.code = code;
  }
}

const META_PREFIX = 'x-amz-meta-';
const RETRY_BASE_MS = 50;

export function createLeanS3Client(options: LeanS3Options): LeanS3Client {
  const address = addressOf(options);
  const sign = createS3Signer();

  const send = async (
    method: string,
    key: string,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
    signal: AbortSignal,
    query: Record<string, string> = {},
  ) => {
    const path = `${address.pathPrefix}/${key.split('/').map(encodeKeySegment).join('/')}`;
    const payloadHash = body ? await payloadSha256(body) : EMPTY_PAYLOAD_SHA256;
    const signed = sign({
      method,
      host: address.host,
      path,
      query,
      headers,
      payloadHash,
      region: options.region,
      credentials: await options.credentials(),
      now: new Date(),
    });
    const { response } = await options.handler.handle(
      {
        method,
        protocol: address.protocol,
        hostname: address.hostname,
        ...(address.port !== undefined && { port: address.port }),
        path,
        query,
        headers: body ? { ...signed, 'content-length': String(body.byteLength) } : signed,
        ...(body && { body }),
      },
      { abortSignal: signal },
    );
    // Read to the end whatever the status, so that the connection goes back to the pool.
    return { status: response.statusCode, headers: response.headers, text: await readText(response.body) };
  };

  /** A read, tried again as the SDK would: 5xx, 429 and connection failures, with jittered backoff. */
  const read = async <T>(signal: AbortSignal, attempt: () => Promise<T>): Promise<T> => {
    for (let tried = 1; ; tried++) {
      try {
        return await attempt();
      } catch (error) {
        if (signal.aborted || tried >= options.readAttempts || !retryable(error)) throw error;
        await sleep(RETRY_BASE_MS * 2 ** tried * Math.random(), signal);
      }
    }
  };

  return {
    head: (key, signal) =>
      read(signal, async () => {
        const answer = await send('HEAD', key, {}, undefined, signal);
        if (answer.status === 404) return null;
        if (answer.status < 200 || answer.status > 299) throw new S3ResponseError(answer.status, undefined);
        return infoFrom(key, answer.headers);
      }),

    listKeys: (prefix, limit, cursor, signal) =>
      read(signal, async () => {
        const query = { 'list-type': '2', prefix, 'max-keys': String(limit), ...(cursor !== undefined && { 'continuation-token': cursor }) };
        // The bucket itself: the path prefix and an empty key.
        const answer = await send('GET', '', {}, undefined, signal, query);
        if (answer.status < 200 || answer.status > 299) throw new S3ResponseError(answer.status, errorCode(answer.text));
        return listPage(answer.text);
      }),

    async put(key, bytes, headers, signal) {
      const answer = await send('PUT', key, headers, bytes, signal);
      if (answer.status < 200 || answer.status > 299) throw new S3ResponseError(answer.status, errorCode(answer.text));
      return answer.headers.etag;
    },
  };
}

interface Address {
  protocol: string;
  hostname: string;
  port?: number;
  /** host[:port], as signed. */
  host: string;
  /** Before the key: the endpoint's own path, and the bucket when path-style. */
  pathPrefix: string;
}

/**
 * Where objects live, as the SDK addresses them: path-style under a custom
 * endpoint when asked (and for a bucket name with dots, which would not match
 * a virtual-hosted TLS name), else virtual-hosted.
 */
function addressOf(options: LeanS3Options): Address {
  const base = new URL(options.endpoint ?? `https://s3.${options.region}.amazonaws.com${options.region.startsWith('cn-') ? '.cn' : ''}`);
  const pathStyle = options.forcePathStyle === true || options.bucket.includes('.');
  const hostname = pathStyle ? base.hostname : `${options.bucket}.${base.hostname}`;
  return {
    protocol: base.protocol,
    hostname,
    ...(base.port !== '' && { port: Number(base.port) }),
    host: base.port === '' ? hostname : `${hostname}:${base.port}`,
    pathPrefix: `${base.pathname.replace(/\/$/, '')}${pathStyle ? `/${encodeKeySegment(options.bucket)}` : ''}`,
  };
}

function infoFrom(key: string, headers: Record<string, string>): ObjectInfo {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith(META_PREFIX)) fields[lower.slice(META_PREFIX.length)] = value;
  }
  const header = (name: string) => headers[name] ?? Object.entries(headers).find(([candidate]) => candidate.toLowerCase() === name)?.[1];
  const lastModified = header('last-modified');
  const metadata = metadataFromFields(header('content-type'), fields, header('content-disposition'));
  return {
    key,
    size: Number(header('content-length') ?? 0),
    etag: reportedEtag(metadata, bareEtag(header('etag'))),
    lastModified: (lastModified ? new Date(lastModified) : new Date(0)).toISOString(),
    metadata,
  };
}

function retryable(error: unknown): boolean {
  if (error instanceof S3ResponseError) return error.$metadata.httpStatusCode >= 500 || error.$metadata.httpStatusCode === 429;
  // The handler rejects with the connection's error (ECONNRESET, a fetch TypeError); anything else is not the network's.
  return error instanceof TypeError || (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string');
}

async function readText(body: unknown): Promise<string> {
  if (typeof body !== 'object' || body === null || !(Symbol.asyncIterator in body)) return '';
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/**
 * The keys of a ListObjectsV2 answer, and its continuation token when
 * truncated. S3 writes keys as XML text (entities for markup characters,
 * character references for the rest); nothing else of the document is read.
 */
export function listPage(xml: string): { keys: string[]; cursor?: string } {
  const keys = Array.from(xml.matchAll(/<Contents>[\s\S]*?<Key>([^<]*)<\/Key>[\s\S]*?<\/Contents>/g), (match) => xmlText(match[1]!));
  const truncated = /<IsTruncated>true<\/IsTruncated>/.test(xml);
  const next = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml)?.[1];
  return truncated && next ? { keys, cursor: xmlText(next) } : { keys };
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function xmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return XML_ENTITIES[entity]!;
  });
}

/** The `<Code>` of an S3 error document. */
function errorCode(xml: string): string | undefined {
  return /<Code>([^<]{1,64})<\/Code>/.exec(xml)?.[1];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * The part of the Workers R2 binding API that the R2 adapter uses, typed here
 * because @cloudflare/workers-types is not a dependency. Names and shapes
 * follow Cloudflare's R2 Workers API reference.
 */

export interface R2HttpMetadata {
  contentType?: string;
  contentDisposition?: string;
}

export interface R2Object {
  readonly key: string;
  readonly size: number;
  /** Bare etag; `httpEtag` is the quoted form. */
  readonly etag: string;
  readonly uploaded: Date;
  readonly httpMetadata?: R2HttpMetadata;
  readonly customMetadata?: Record<string, string>;
}

export interface R2ObjectBody extends R2Object {
  readonly body: ReadableStream<Uint8Array>;
}

export interface R2WriteOptions {
  httpMetadata?: R2HttpMetadata;
  customMetadata?: Record<string, string>;
}

export interface R2ListOptions {
  prefix?: string;
  limit?: number;
  cursor?: string;
  /** Without it, listed objects carry no metadata. */
  include?: Array<'httpMetadata' | 'customMetadata'>;
}

export type R2Objects = { objects: R2Object[] } & ({ truncated: true; cursor: string } | { truncated: false });

export interface R2UploadedPart {
  partNumber: number;
  etag: string;
}

export interface R2MultipartUpload {
  readonly key: string;
  readonly uploadId: string;
  uploadPart(partNumber: number, value: ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array>): Promise<R2UploadedPart>;
  abort(): Promise<void>;
  complete(parts: R2UploadedPart[]): Promise<R2Object>;
}

/** A bucket binding (`[[r2_buckets]]` in wrangler.toml). */
export interface R2Bucket {
  head(key: string): Promise<R2Object | null>;
  get(key: string): Promise<R2ObjectBody | null>;
  /** A stream value must have a known length (a request body with Content-Length, or a FixedLengthStream). */
  put(key: string, value: ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array> | null, options?: R2WriteOptions): Promise<R2Object | null>;
  delete(keys: string | string[]): Promise<void>;
  list(options?: R2ListOptions): Promise<R2Objects>;
  createMultipartUpload(key: string, options?: R2WriteOptions): Promise<R2MultipartUpload>;
}

/** True when a binding looks like an R2 bucket (bindings arrive untyped). */
export function isR2Bucket(binding: unknown): binding is R2Bucket {
  if (typeof binding !== 'object' || binding === null) return false;
  const candidate = binding as Record<string, unknown>;
  return ['head', 'get', 'put', 'delete', 'list', 'createMultipartUpload'].every((method) => typeof candidate[method] === 'function');
}

/**
 * The one interface every storage backend implements. Adapters move bytes and
 * metadata; they know nothing of zones, tokens or data classes beyond the
 * metadata they are handed. Keys arrive already namespaced by account.
 *
 * Contract shared by every adapter (checked by test/adapter-conformance.ts):
 * - `put` consumes the stream to its end. If the stream errors (a refusal
 *   found mid-stream, a client that went away) or the store fails, `put`
 *   rejects and nothing becomes visible: no partial object, no listing entry.
 *   A concurrent `put` to the same key ends with one whole object, never a mix.
 * - `get`/`head` return `null` for a missing object, `delete` returns whether
 *   something was deleted.
 * - Failures of the backend are thrown as `StoreError` (see ./errors.ts).
 */
export interface ObjectMetadata {
  contentType: string;
  /** The Content-Encoding the body was sent and stored with (e.g. `gzip`), if any. */
  contentEncoding?: string;
  account: string;
  dataClass: string;
  /** Keyed hash of the data subject, never the raw id. */
  subject?: string;
  /** ISO 8601 instant after which retention ends. */
  expiresAt?: string;
  /**
   * The ETag the gateway computed as the body streamed (S3's forms: hex MD5,
   * or `md5-of-part-md5s-N`). Stores report it as the object's ETag; objects
   * stored without it keep the store's own.
   */
  etag?: string;
  /**
   * The client's user metadata (S3 `x-amz-meta-*` without the prefix): names
   * lowercased, values as byte strings (one character per byte, as HTTP
   * headers carry them), so they come back byte for byte.
   */
  userMetadata?: Readonly<Record<string, string>>;
}

export interface ObjectInfo {
  key: string;
  size: number;
  etag: string;
  /** ISO 8601 */
  lastModified: string;
  metadata: ObjectMetadata;
}

export interface PutOptions {
  /** Exact byte length when the client declared one; lets stores pick a single-shot upload. */
  contentLength?: number;
  /** Aborting makes `put` reject and discard whatever was written. */
  signal?: AbortSignal;
  /**
   * The ETag the caller computes over the body, asked for only once the body
   * has ended; the store keeps it as `metadata.etag`. A store that cannot
   * keep it reports its own ETag, and `put` always answers the ETag that
   * later reads report.
   */
  etag?: () => string;
}

export interface PutResult {
  size: number;
  etag: string;
}

export interface ListOptions {
  limit?: number;
  cursor?: string;
}

export interface ListPage {
  items: ObjectInfo[];
  /** Present when there are more items; pass back as `cursor`. */
  cursor?: string;
}

export interface StoredObject {
  info: ObjectInfo;
  body: ReadableStream<Uint8Array>;
}

/** Where a backend says it physically is, as reported by the backend itself. */
export interface LocationReport {
  /** Cloud region name as the backend reports it (e.g. `eu-west-2`). */
  region: string;
}

export interface ObjectStore {
  /** Adapter kind, e.g. `fs`, `s3`. */
  readonly kind: string;
  put(key: string, body: ReadableStream<Uint8Array>, metadata: ObjectMetadata, options?: PutOptions): Promise<PutResult>;
  get(key: string): Promise<StoredObject | null>;
  head(key: string): Promise<ObjectInfo | null>;
  delete(key: string): Promise<boolean>;
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  /**
   * Reachability check. Stores that can prove where they are (S3) return the
   * location the backend reports; others return `null` (location declared only).
   */
  probe(): Promise<LocationReport | null>;
  /**
   * Removes what writes that died (a crash, a kill, a lost connection) left
   * behind and no reader can see: temporary files, incomplete multipart
   * uploads, uncommitted blocks. Only leftovers idle since before
   * `idleSince` are touched, so writes still in flight on other instances
   * are left alone. Hosts call it once at start-up with now minus the
   * request timeout; the sweep calls it on every run. Returns how many
   * leftovers it removed.
   */
  removeIncomplete?(idleSince: Date): Promise<number>;
  close?(): Promise<void>;
}

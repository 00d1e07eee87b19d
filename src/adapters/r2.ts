import { meterBody, putRejection } from './body.ts';
import { StoreError } from './errors.ts';
import { DEFAULT_TIMEOUT_MS, storeCaller, toStoreError } from './failure.ts';
import { pageLimit } from './listing.ts';
import { completedMetadata, metadataFields, metadataFromFields, reportedEtag, userMetadataDisposition } from './metadata-fields.ts';
import type { R2Bucket, R2Object, R2UploadedPart, R2WriteOptions } from './r2-types.ts';
import { readBlocks } from './streams.ts';
import type { ObjectInfo, ObjectMetadata, ObjectStore, PutOptions } from './types.ts';

export interface R2StoreOptions {
  /** The bucket binding from the Worker's environment. */
  bucket: R2Bucket;
  /** Per R2 call (head, get, list, delete, each multipart step); a streaming put is paced by its body instead. */
  timeoutMs?: number;
  /** Part size of multipart uploads, at least R2's minimum of 5 MiB. */
  partBytes?: number;
}

const MiB = 1024 * 1024;
const MIN_PART_BYTES = 5 * MiB;
const MAX_PARTS = 10_000;
/** R2's largest single-part upload; Workers never receive a body this large, but the adapter does not rely on that. */
const MAX_SINGLE_PUT_BYTES = 5 * 1024 * MiB - 5 * MiB;
/** Read by `probe` to see that the bucket answers; whether it exists does not matter. */
const PROBE_KEY = '.residency-proxy-probe';

interface FixedLengthStreamClass {
  new (length: number): TransformStream<Uint8Array, Uint8Array>;
}

/**
 * An R2 bucket through its Workers binding; runs only in workerd.
 *
 * R2 streams a `put` only when it knows the length up front. With a declared
 * length the body streams through a FixedLengthStream in one put. Without one
 * (a chunked request, or a body rewritten by redaction) it is read in parts
 * of `partBytes`: a body that ends within the first part is one put of that
 * buffer, a longer one a multipart upload of equal parts, aborted when the
 * body or R2 fails, so memory stays at about one part and nothing partial
 * becomes visible. Both kinds of put replace an object atomically.
 */
export function createR2Store(options: R2StoreOptions): ObjectStore {
  const { bucket } = options;
  const partBytes = Math.max(options.partBytes ?? MIN_PART_BYTES, MIN_PART_BYTES);
  const call = storeCaller('r2', options.timeoutMs ?? DEFAULT_TIMEOUT_MS);

  async function putStreaming(key: string, body: ReadableStream<Uint8Array>, length: number, write: R2WriteOptions): Promise<R2Object | null> {
    const fixed = fixedLengthStream(length);
    // A failure on either side reaches the other: a body error errors the put, a failed put cancels the body.
    const piping = body
      .pipeThrough(untilCleanEnd())
      .pipeTo(fixed.writable)
      .catch(() => {});
    const object = await bucket.put(key, fixed.readable, write);
    await piping;
    return object;
  }

  async function putInParts(key: string, body: ReadableStream<Uint8Array>, metadata: ObjectMetadata, putOptions: PutOptions): Promise<R2Object | null> {
    const blocks = readBlocks(body, partBytes);
    const first = await blocks.next();
    if (first.done) throw new StoreError('failed', 'r2 put read no block'); // readBlocks always yields one
    // The body has ended within the first part: its metadata is complete.
    if (first.value.byteLength < partBytes) return call('put', () => bucket.put(key, first.value, writeOptions(completedMetadata(metadata, putOptions))));

    const upload = await call('put', () => bucket.createMultipartUpload(key, writeOptions(metadata)));
    try {
      const parts: R2UploadedPart[] = [];
      for (let block: IteratorResult<Uint8Array> = first; !block.done; block = await blocks.next()) {
        if (parts.length === MAX_PARTS)
          throw new StoreError('failed', `r2 put: a body of unknown length is limited to ${MAX_PARTS} parts of ${partBytes} bytes`);
        const part = block.value;
        parts.push(await call('put', () => upload.uploadPart(parts.length + 1, part)));
      }
      return await call('put', () => upload.complete(parts));
    } catch (error) {
      await upload.abort().catch(() => {});
      throw error;
    }
  }

  const head = (key: string) =>
    call('head', async () => {
      const object = await bucket.head(key);
      return object ? toInfo(object) : null;
    });

  return {
    kind: 'r2',

    async put(key, body, metadata, putOptions = {}) {
      const metered = meterBody(body, putOptions);
      const { contentLength } = putOptions;
      try {
        // A streaming put and a multipart upload take their metadata before the body, so the ETag
        // computed over it is kept only by the put of a buffered body; R2's own ETag of a streamed
        // single put is the MD5 already, so reads and this answer agree either way.
        const object =
          contentLength !== undefined && contentLength <= MAX_SINGLE_PUT_BYTES
            ? await putStreaming(key, metered.stream, contentLength, writeOptions(metadata))
            : await putInParts(key, metered.stream, metadata, putOptions);
        if (!object) throw new StoreError('failed', 'r2 put stored nothing');
        return { size: object.size, etag: toInfo(object).etag };
      } catch (error) {
        throw putRejection(metered, putOptions.signal, () => toStoreError(error, 'r2', 'put'));
      }
    },

    get: (key) =>
      call('get', async () => {
        const object = await bucket.get(key);
        return object ? { info: toInfo(object), body: object.body } : null;
      }),

    head,

    async delete(key) {
      // R2's delete succeeds whether or not the key exists; the head tells which.
      if (!(await head(key))) return false;
      await call('delete', () => bucket.delete(key));
      return true;
    },

    async list(prefix, listOptions = {}) {
      const page = await call('list', () =>
        bucket.list({
          prefix,
          limit: pageLimit(listOptions.limit),
          include: ['httpMetadata', 'customMetadata'],
          ...(listOptions.cursor !== undefined && { cursor: listOptions.cursor }),
        }),
      );
      const items = page.objects.map(toInfo);
      return page.truncated ? { items, cursor: page.cursor } : { items };
    },

    async probe() {
      // R2 cannot report where a bucket is: its jurisdiction is declared by the policy and checked against wrangler.toml.
      await call('probe', () => bucket.head(PROBE_KEY));
      return null;
    },

    /**
     * The Workers binding cannot list multipart uploads: R2 aborts an
     * incomplete one itself after 7 days (its default lifecycle rule), and
     * a put aborts its own upload when its body or R2 fails.
     */
    async removeIncomplete() {
      return 0;
    },
  };
}

function writeOptions(metadata: ObjectMetadata): R2WriteOptions {
  const contentDisposition = userMetadataDisposition(metadata);
  return {
    httpMetadata: { contentType: metadata.contentType, ...(contentDisposition !== undefined && { contentDisposition }) },
    customMetadata: metadataFields(metadata),
  };
}

function toInfo(object: R2Object): ObjectInfo {
  const metadata = metadataFromFields(object.httpMetadata?.contentType, object.customMetadata, object.httpMetadata?.contentDisposition);
  return {
    key: object.key,
    size: object.size,
    etag: reportedEtag(metadata, object.etag),
    lastModified: object.uploaded.toISOString(),
    metadata,
  };
}

/**
 * Holds back the latest chunk until the next arrives or the body ends
 * cleanly. R2 commits a put as soon as it has the declared number of bytes,
 * so a body that fails after its last byte (a refusal found at the very end)
 * must not hand that byte over before the end is known to be clean.
 */
function untilCleanEnd(): TransformStream<Uint8Array, Uint8Array> {
  let held: Uint8Array | undefined;
  return new TransformStream({
    transform(chunk, controller) {
      if (held) controller.enqueue(held);
      held = chunk;
    },
    flush(controller) {
      if (held) controller.enqueue(held);
    },
  });
}

function fixedLengthStream(length: number): TransformStream<Uint8Array, Uint8Array> {
  const FixedLengthStream = (globalThis as { FixedLengthStream?: FixedLengthStreamClass }).FixedLengthStream;
  if (!FixedLengthStream) throw new StoreError('failed', 'r2 put needs the Workers runtime (FixedLengthStream)');
  return new FixedLengthStream(length);
}

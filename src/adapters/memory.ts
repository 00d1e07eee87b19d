import { meterBody, putRejection } from './body.ts';
import { StoreError } from './errors.ts';
import { compareKeys, decodeCursor, encodeCursor, pageLimit } from './listing.ts';
import { readAll } from './streams.ts';
import { completedMetadata, pickMetadata, reportedEtag } from './metadata-fields.ts';
import type { ObjectInfo, ObjectStore } from './types.ts';

/**
 * Objects held in memory, for tests of the HTTP layer and for development.
 * Same semantics as the other stores: an object appears only once its whole
 * body has arrived, concurrent writes to a key leave one whole object.
 */
export function createMemoryStore(): ObjectStore {
  const objects = new Map<string, { bytes: Uint8Array; info: ObjectInfo }>();
  let version = 0;

  const copyInfo = (info: ObjectInfo): ObjectInfo => ({ ...info, metadata: pickMetadata(info.metadata) });

  return {
    kind: 'memory',

    async put(key, body, metadata, options = {}) {
      const metered = meterBody(body, options);
      let bytes: Uint8Array;
      try {
        bytes = await readAll(metered.stream);
        options.signal?.throwIfAborted();
      } catch {
        throw putRejection(metered, options.signal, () => new StoreError('failed', 'memory put failed'));
      }
      // Without the caller's ETag: nothing outside this process compares it with a content hash, so a version number is a strong validator.
      const stored = pickMetadata(completedMetadata(metadata, options));
      const etag = reportedEtag(stored, `v${(++version).toString(16)}`);
      const info: ObjectInfo = { key, size: bytes.byteLength, etag, lastModified: new Date().toISOString(), metadata: stored };
      objects.set(key, { bytes, info });
      return { size: info.size, etag };
    },

    async get(key) {
      const object = objects.get(key);
      if (!object) return null;
      const bytes = object.bytes.slice();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          if (bytes.byteLength > 0) controller.enqueue(bytes);
          controller.close();
        },
      });
      return { info: copyInfo(object.info), body };
    },

    async head(key) {
      const object = objects.get(key);
      return object ? copyInfo(object.info) : null;
    },

    async delete(key) {
      return objects.delete(key);
    },

    async list(prefix, options = {}) {
      const limit = pageLimit(options.limit);
      const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
      const matching = [...objects.values()]
        .map(({ info }) => info)
        .filter(({ key }) => key.startsWith(prefix) && (after === undefined || compareKeys(key, after) > 0))
        .sort((a, b) => compareKeys(a.key, b.key));
      const items = matching.slice(0, limit).map(copyInfo);
      const last = items.at(-1);
      return matching.length > limit && last ? { items, cursor: encodeCursor(last.key) } : { items };
    },

    async probe() {
      return null;
    },

    /** A write keeps its bytes in its own closure until it commits: a failed one leaves nothing here. */
    async removeIncomplete() {
      return 0;
    },
  };
}

import {
  BlobServiceClient,
  type BlobDownloadResponseParsed,
  type BlobGetPropertiesResponse,
  type ContainerClient,
  type ContainerListBlobFlatSegmentResponse,
} from '@azure/storage-blob';
import { meterBody, putRejection } from './body.ts';
import { StoreError } from './errors.ts';
import { DEFAULT_TIMEOUT_MS, statusOf, storeCaller, toStoreError, type StoreCaller } from './failure.ts';
import { pageLimit } from './listing.ts';
import { bareEtag, completedMetadata, metadataFields, metadataFromFields, reportedEtag, userMetadataDisposition } from './metadata-fields.ts';
import { readBlocks, streamFromIterable } from './streams.ts';
import type { ObjectInfo, ObjectMetadata, ObjectStore, PutResult } from './types.ts';

export interface AzureBlobStoreOptions {
  connectionString: string;
  container: string;
  encryptionScope?: string;
  /**
   * Per request to the store (one block of an upload is one request), and
   * for a download, per silence of its body.
   */
  timeoutMs?: number;
}

/** Bytes per staged block; an upload holds about BLOCKS_IN_FLIGHT + 1 of them in memory. */
const BLOCK_BYTES = 4 * 1024 * 1024;
const BLOCKS_IN_FLIGHT = 2;

/** Characters Azure accepts in a blob index tag value. */
const TAG_VALUE = /^[A-Za-z0-9 +\-./:=_]{0,256}$/;

/**
 * An Azure Blob Storage container of block blobs (Node: the SDK hands bodies
 * out as Node streams). A body that fits in one block is one Put Blob;
 * a longer one is staged block by block and committed with one Put Block
 * List, so a body that fails before its end commits nothing and no blob
 * appears (staged blocks expire unseen). Only reads (GET, HEAD, list) and
 * DELETE are retried.
 *
 * The data plane cannot say where an account is: `probe` only checks that
 * the container is reachable and returns null (the location is declared).
 */
export function createAzureBlobStore(options: AzureBlobStoreOptions): ObjectStore {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const reads = containerClient(options, 3);
  const writes = containerClient(options, 1);
  const call = storeCaller('azure-blob', timeoutMs);
  const { encryptionScope } = options;

  return {
    kind: 'azure-blob',

    async put(key, body, metadata, putOptions = {}) {
      const metered = meterBody(body, putOptions);
      const blob = writes.getBlockBlobClient(key);
      const signal = putOptions.signal;
      const withCaller = <T>(run: (abortSignal: AbortSignal) => Promise<T>) =>
        call('put', (deadline) => run(signal ? AbortSignal.any([deadline, signal]) : deadline));
      // Both a Put Blob and a Put Block List go out once the body has ended, so they carry the completed metadata.
      const described = () => {
        const completed = completedMetadata(metadata, putOptions);
        const disposition = userMetadataDisposition(completed);
        return {
          blobHTTPHeaders: { blobContentType: completed.contentType, ...(disposition !== undefined && { blobContentDisposition: disposition }) },
          metadata: metadataFields(completed),
          tags: indexTags(completed),
          encryptionScope,
        };
      };
      try {
        const blocks = readBlocks(metered.stream, BLOCK_BYTES);
        const first = await blocks.next();
        const second = await blocks.next();
        let result: { etag?: string };
        if (second.done) {
          const bytes = first.done ? new Uint8Array(0) : first.value;
          result = await withCaller((abortSignal) => blob.upload(bytes, bytes.byteLength, { ...described(), abortSignal }));
        } else {
          const blockIds = await stageBlocks(prepend([first.value, second.value], blocks), (blockId, bytes) =>
            withCaller((abortSignal) => blob.stageBlock(blockId, bytes, bytes.byteLength, { encryptionScope, abortSignal })),
          );
          result = await withCaller((abortSignal) => blob.commitBlockList(blockIds, { ...described(), abortSignal }));
        }
        return { size: metered.bytes, etag: reportedEtag(completedMetadata(metadata, putOptions), bareEtag(result.etag)) } satisfies PutResult;
      } catch (error) {
        throw putRejection(metered, signal, () => toStoreError(error, 'azure-blob', 'put'));
      }
    },

    get: (key) =>
      call('get', async (abortSignal) => {
        try {
          const download = await reads.getBlobClient(key).download(0, undefined, { abortSignal, maxRetryRequests: 3 });
          if (!download.readableStreamBody) throw new StoreError('failed', 'azure-blob get returned no body');
          const body = streamFromIterable(download.readableStreamBody as AsyncIterable<Uint8Array>, {
            timeoutMs,
            onIdle: () => new StoreError('unavailable', `azure-blob get stalled for ${timeoutMs} ms`),
          });
          return { info: toInfo(key, download), body };
        } catch (error) {
          if (statusOf(error) === 404) return null;
          throw error;
        }
      }),

    head: (key) => headWith(call, reads, key),

    delete: (key) =>
      call('delete', async (abortSignal) => {
        const { succeeded } = await reads.getBlobClient(key).deleteIfExists({ abortSignal, deleteSnapshots: 'include' });
        return succeeded;
      }),

    list: (prefix, listOptions = {}) =>
      call('list', async (abortSignal) => {
        const pages = reads
          .listBlobsFlat({ prefix, includeMetadata: true, abortSignal })
          .byPage({ maxPageSize: pageLimit(listOptions.limit), ...(listOptions.cursor ? { continuationToken: listOptions.cursor } : {}) });
        const page: ContainerListBlobFlatSegmentResponse | undefined = (await pages.next()).value;
        const items: ObjectInfo[] = (page?.segment.blobItems ?? []).map((item) => toInfo(item.name, { ...item.properties, metadata: item.metadata }));
        return page?.continuationToken ? { items, cursor: page.continuationToken } : { items };
      }),

    probe: () =>
      call('probe', async (abortSignal) => {
        await reads.getProperties({ abortSignal });
        return null;
      }),

    /**
     * Blocks staged by an upload that died are never readable or listed as
     * a blob, and Azure discards uncommitted blocks after 7 days. They
     * cannot be dropped sooner without committing a block list, which would
     * make an empty blob visible or replace the object at that key, so they
     * are left to expire (docs/stores.md).
     */
    async removeIncomplete() {
      return 0;
    },
  };
}

function containerClient(options: AzureBlobStoreOptions, maxTries: number): ContainerClient {
  let service: BlobServiceClient;
  try {
    service = BlobServiceClient.fromConnectionString(options.connectionString, {
      retryOptions: { maxTries, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 },
    });
  } catch {
    // The SDK's message may quote the connection string, and with it the account key.
    throw new StoreError('failed', 'azure-blob connection string is not valid');
  }
  return service.getContainerClient(options.container);
}

function headWith(call: StoreCaller, client: ContainerClient, key: string): Promise<ObjectInfo | null> {
  return call('head', async (abortSignal) => {
    try {
      return toInfo(key, await client.getBlobClient(key).getProperties({ abortSignal }));
    } catch (error) {
      // A HEAD has no body, so a missing blob shows only in the status.
      if (statusOf(error) === 404) return null;
      throw error;
    }
  });
}

/** Stages blocks, a few in flight at a time, stopping at the first failure; returns the block ids in order. */
async function stageBlocks(blocks: AsyncIterable<Uint8Array>, stage: (blockId: string, bytes: Uint8Array) => Promise<unknown>): Promise<string[]> {
  // Ids are unique per upload, so concurrent uploads to one blob never commit each other's blocks.
  const upload = crypto.randomUUID();
  const blockIds: string[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let failure: { error: unknown } | undefined;
  for await (const bytes of blocks) {
    const blockId = btoa(`${upload}-${String(blockIds.length).padStart(6, '0')}`);
    blockIds.push(blockId);
    const staging = stage(blockId, bytes).catch((error: unknown) => {
      failure ??= { error };
    });
    inFlight.add(staging);
    void staging.finally(() => inFlight.delete(staging));
    if (inFlight.size >= BLOCKS_IN_FLIGHT) await Promise.race(inFlight);
    if (failure) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  return blockIds;
}

async function* prepend<T>(firsts: T[], rest: AsyncIterable<T>): AsyncGenerator<T> {
  yield* firsts;
  yield* rest;
}

function indexTags({ dataClass, subject }: ObjectMetadata): Record<string, string> {
  const tags: Record<string, string> = {};
  if (TAG_VALUE.test(dataClass)) tags.dataclass = dataClass;
  if (subject !== undefined && TAG_VALUE.test(subject)) tags.subject = subject;
  return tags;
}

type BlobProperties = Pick<
  BlobGetPropertiesResponse | BlobDownloadResponseParsed,
  'contentLength' | 'etag' | 'lastModified' | 'contentType' | 'contentDisposition' | 'metadata'
>;

function toInfo(key: string, properties: BlobProperties): ObjectInfo {
  const metadata = metadataFromFields(properties.contentType, properties.metadata, properties.contentDisposition);
  return {
    key,
    size: properties.contentLength ?? 0,
    etag: reportedEtag(metadata, bareEtag(properties.etag)),
    lastModified: (properties.lastModified ?? new Date(0)).toISOString(),
    metadata,
  };
}

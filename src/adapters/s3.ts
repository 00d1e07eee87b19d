import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandOutput,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { meterBody, putRejection, type MeteredBody } from './body.ts';
import { StoreError } from './errors.ts';
import { DEFAULT_TIMEOUT_MS, statusOf, storeCaller, toStoreError } from './failure.ts';
import { pageLimit } from './listing.ts';
import { bareEtag, completedMetadata, metadataFields, metadataFromFields, reportedEtag, userMetadataDisposition } from './metadata-fields.ts';
import { createLeanS3Client } from './s3-lean.ts';
import { readAll } from './streams.ts';
import type { ObjectInfo, ObjectMetadata, ObjectStore, PutOptions, PutResult } from './types.ts';

export interface S3StoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible endpoint instead of AWS's. */
  endpoint?: string;
  forcePathStyle?: boolean;
  sse?: 'aws:kms' | 'AES256';
  kmsKeyId?: string;
  /**
   * Per request to the store: connecting, and then any silence of the
   * connection (nothing sent, nothing received) longer than this. An upload
   * that keeps moving never times out however long it takes.
   */
  timeoutMs?: number;
  /** Explicit keys, where the AWS SDK's default provider chain is not available (Workers secrets, tests). On Node leave it out. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** S3's smallest part; bodies up to this size go up in one PutObject. */
const PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;
/** Parts in flight per upload; memory held is about (this + 1) parts. */
const PARTS_IN_FLIGHT = 4;
/** HeadObject calls in flight while filling a list page with metadata. */
const HEADS_IN_FLIGHT = 8;

/** Read attempts (GET, HEAD, list, DELETE), as the SDK's maxAttempts; writes are tried once. */
const READ_ATTEMPTS = 3;

/**
 * An S3 bucket (AWS or S3-compatible). A body of declared length that fits
 * in one part is read whole and sent as one signed PutObject without the SDK
 * (`s3-lean.ts`: signed here, sent by the SDK's own HTTP handler), and so
 * are HeadObject and ListObjectsV2, which every write's data-rights checks
 * make; the rest goes through the AWS SDK. A longer or undeclared body
 * goes through lib-storage's Upload: within one part, one PutObject with a
 * known length; longer, a multipart upload that is aborted
 * (AbortMultipartUpload) when the body or the store fails, so nothing becomes
 * visible. Only reads (GET, HEAD, list) and DELETE are retried. The client's
 * user metadata is the object's Content-Disposition (metadata-fields.ts); an
 * ETag computed over a body that went up in parts is set after the upload.
 *
 * Nothing here needs Node: bodies are Web streams both ways, so the adapter
 * can move to Workers with its request handler.
 */
export function createS3Store(options: S3StoreOptions): ObjectStore {
  const { bucket } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const config: S3ClientConfig = {
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    // Flexible checksums would send aws-chunked bodies; plain bodies work with every S3-compatible server.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: timeoutMs, socketTimeout: timeoutMs },
  };
  const reads = new S3Client({ ...config, maxAttempts: READ_ATTEMPTS });
  const writes = new S3Client({ ...config, maxAttempts: 1 });
  const lean = createLeanS3Client({
    bucket,
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: () => writes.config.credentials(),
    handler: writes.config.requestHandler,
    readAttempts: READ_ATTEMPTS,
  });
  const call = storeCaller('s3', timeoutMs);
  const encryption = {
    ...(options.sse ? { ServerSideEncryption: options.sse } : {}),
    ...(options.sse === 'aws:kms' && options.kmsKeyId ? { SSEKMSKeyId: options.kmsKeyId } : {}),
  };
  const encryptionHeaders = {
    ...(encryption.ServerSideEncryption && { 'x-amz-server-side-encryption': encryption.ServerSideEncryption }),
    ...(encryption.SSEKMSKeyId && { 'x-amz-server-side-encryption-aws-kms-key-id': encryption.SSEKMSKeyId }),
  };

  const head = (key: string) => call('head', (abortSignal) => lean.head(key, abortSignal));

  /** A body that fits in one part, read whole and sent as one signed PutObject. */
  const putInOne = async (key: string, metered: MeteredBody, metadata: ObjectMetadata, putOptions: PutOptions): Promise<PutResult> => {
    const { signal } = putOptions;
    const bytes = await readAll(metered.stream);
    const completed = completedMetadata(metadata, putOptions);
    const disposition = userMetadataDisposition(completed);
    const headers = {
      'content-type': completed.contentType,
      ...(disposition !== undefined && { 'content-disposition': disposition }),
      ...Object.fromEntries(Object.entries(metadataFields(completed)).map(([field, value]) => [`x-amz-meta-${field}`, value])),
      ...encryptionHeaders,
    };
    const etag = await call('put', (deadline) => lean.put(key, bytes, headers, signal ? AbortSignal.any([deadline, signal]) : deadline));
    return { size: metered.bytes, etag: reportedEtag(completed, bareEtag(etag)) };
  };

  /** The object's own metadata parameters, as PutObject, CreateMultipartUpload and CopyObject take them. */
  const described = (metadata: ObjectMetadata) => ({
    ContentType: metadata.contentType,
    ContentDisposition: userMetadataDisposition(metadata),
    Metadata: metadataFields(metadata),
    ...encryption,
  });

  /**
   * A multipart upload's metadata is fixed when it begins, before the body
   * has been read; the ETag the caller computed over the body is set after,
   * by copying the object onto itself with the completed metadata (a copy
   * inside S3, not through the gateway). The copy is conditional on the
   * upload's own ETag: if another write replaced the object meanwhile, that
   * object is not relabelled with this write's metadata (its subject, its
   * ETag), and this write simply lost the race, as a plain PutObject would.
   */
  const completeMetadata = async (key: string, uploadEtag: string | undefined, completed: ObjectMetadata, signal: AbortSignal | undefined) => {
    const CopySource = `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
    const copy = new CopyObjectCommand({
      Bucket: bucket,
      Key: key,
      CopySource,
      ...(uploadEtag !== undefined && { CopySourceIfMatch: uploadEtag }),
      MetadataDirective: 'REPLACE',
      ...described(completed),
    });
    await call('put', async (deadline) => {
      try {
        await writes.send(copy, { abortSignal: signal ? AbortSignal.any([deadline, signal]) : deadline });
      } catch (error) {
        if (statusOf(error) !== 412) throw error;
      }
    });
  };

  return {
    kind: 's3',

    async put(key, body, metadata, putOptions: PutOptions = {}) {
      const metered = meterBody(body, putOptions);
      if (putOptions.contentLength !== undefined && putOptions.contentLength <= PART_BYTES) {
        try {
          return await putInOne(key, metered, metadata, putOptions);
        } catch (error) {
          throw putRejection(metered, putOptions.signal, () => toStoreError(error, 's3', 'put'));
        }
      }
      const upload = new Upload({
        client: writes,
        queueSize: PARTS_IN_FLIGHT,
        partSize: partSizeFor(putOptions.contentLength),
        params: { Bucket: bucket, Key: key, Body: metered.stream, ...described(metadata) },
      });
      try {
        const result = await upload.done();
        if (!putOptions.etag) return { size: metered.bytes, etag: bareEtag(result.ETag) };
        const completed = completedMetadata(metadata, putOptions);
        await completeMetadata(key, result.ETag, completed, putOptions.signal);
        return { size: metered.bytes, etag: reportedEtag(completed, bareEtag(result.ETag)) };
      } catch (error) {
        throw putRejection(metered, putOptions.signal, () => toStoreError(error, 's3', 'put'));
      }
    },

    get: (key) =>
      call('get', async (abortSignal) => {
        try {
          const object = await reads.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
          if (!object.Body) throw new StoreError('failed', 's3 get returned no body');
          return { info: toInfo(key, object), body: object.Body.transformToWebStream() };
        } catch (error) {
          if (statusOf(error) === 404) return null;
          throw error;
        }
      }),

    head,

    async delete(key) {
      // DeleteObject succeeds whether or not the key exists; the HEAD tells which.
      if (!(await head(key))) return false;
      await call('delete', (abortSignal) => reads.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal }));
      return true;
    },

    async list(prefix, listOptions = {}) {
      const page = await call('list', (abortSignal) => lean.listKeys(prefix, pageLimit(listOptions.limit), listOptions.cursor, abortSignal));
      // ListObjectsV2 carries no user metadata. An object deleted since the listing is simply not listed.
      const items = (await mapInBatches(page.keys, HEADS_IN_FLIGHT, head)).filter((info) => info !== null);
      return page.cursor === undefined ? { items } : { items, cursor: page.cursor };
    },

    probe: () => call('probe', (abortSignal) => reportedRegion(reads, bucket, abortSignal)),

    /**
     * Aborts multipart uploads initiated before `idleSince`: an upload that
     * died leaves its parts billed and unseen until then. The bucket's
     * lifecycle rule (AbortIncompleteMultipartUpload) is the backstop.
     */
    async removeIncomplete(idleSince) {
      let aborted = 0;
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      for (;;) {
        const page: ListMultipartUploadsCommandOutput = await call('removeIncomplete', async (abortSignal) => {
          try {
            return await reads.send(new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }), { abortSignal });
          } catch (error) {
            // Some S3-compatible servers cannot list uploads; their own expiry (or the lifecycle rule) is all there is.
            if (statusOf(error) === 501) return { Uploads: [], IsTruncated: false, $metadata: {} };
            throw error;
          }
        });
        for (const upload of page.Uploads ?? []) {
          if (!upload.Key || !upload.UploadId || (upload.Initiated ?? new Date(0)) >= idleSince) continue;
          const { Key, UploadId } = upload;
          await call('removeIncomplete', (abortSignal) => reads.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }), { abortSignal }));
          aborted += 1;
        }
        if (!page.IsTruncated) return aborted;
        keyMarker = page.NextKeyMarker;
        uploadIdMarker = page.NextUploadIdMarker;
      }
    },

    async close() {
      reads.destroy();
      writes.destroy();
    },
  };
}

function partSizeFor(contentLength: number | undefined): number {
  return Math.max(PART_BYTES, Math.ceil((contentLength ?? 0) / MAX_PARTS));
}

interface ObjectHeaders {
  ContentLength?: number;
  ETag?: string;
  LastModified?: Date;
  ContentType?: string;
  ContentDisposition?: string;
  Metadata?: Record<string, string>;
}

function toInfo(key: string, object: ObjectHeaders): ObjectInfo {
  const metadata = metadataFromFields(object.ContentType, object.Metadata, object.ContentDisposition);
  return {
    key,
    size: object.ContentLength ?? 0,
    etag: reportedEtag(metadata, bareEtag(object.ETag)),
    lastModified: (object.LastModified ?? new Date(0)).toISOString(),
    metadata,
  };
}

/**
 * Where the bucket says it is. HeadBucket answers with `x-amz-bucket-region`
 * even when it refuses (403) or redirects (301, a bucket outside the client's
 * region), so the header is read from the raw response whatever the status.
 * Without it, GetBucketLocation, whose empty answer means us-east-1 and whose
 * legacy `EU` means eu-west-1.
 */
async function reportedRegion(client: S3Client, bucket: string, abortSignal: AbortSignal): Promise<{ region: string }> {
  const command = new HeadBucketCommand({ Bucket: bucket });
  let headerRegion: string | undefined;
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const headers = (result.response as { headers?: Record<string, string | undefined> }).headers;
      headerRegion = headers?.['x-amz-bucket-region'] || undefined;
      return result;
    },
    { step: 'finalizeRequest', name: 'readBucketRegionHeader' },
  );
  try {
    const answer = await client.send(command, { abortSignal });
    headerRegion ??= answer.BucketRegion || undefined;
  } catch (error) {
    const status = statusOf(error);
    if (headerRegion === undefined && (status === undefined || status === 404)) throw error;
  }
  if (headerRegion) return { region: headerRegion };
  const { LocationConstraint } = await client.send(new GetBucketLocationCommand({ Bucket: bucket }), { abortSignal });
  const location: string = LocationConstraint ?? '';
  return { region: location === '' ? 'us-east-1' : location === 'EU' ? 'eu-west-1' : location };
}

async function mapInBatches<T, R>(items: T[], batchSize: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += batchSize) {
    results.push(...(await Promise.all(items.slice(start, start + batchSize).map(map))));
  }
  return results;
}

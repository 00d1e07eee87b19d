import type { ObjectStore } from '../adapters/types.ts';
import { readAll, streamOf } from '../adapters/streams.ts';
import { decide } from '../policy/decide.ts';
import type { IdentifierHasher } from '../policy/identifiers.ts';
import { checkKey, stagedUploadsPrefix } from '../policy/keys.ts';
import type { CompiledPolicy } from '../policy/load.ts';
import { Refusal } from '../policy/refusal.ts';
import { refuseMediaBesideBody } from './beside-body.ts';
import { md5Etag, multipartEtag } from './md5.ts';
import type { Call, ObjectName, ObjectService, Placement } from './objects.ts';
import type { StoreRegistry } from './stores.ts';
import { erasureOverlapped, readMarker, type MarkerReading } from '../rights/erasure-markers.ts';

export interface MultipartDeps {
  policy: CompiledPolicy;
  stores: StoreRegistry;
  objects: ObjectService;
  hashIdentifier: IdentifierHasher;
  /** Milliseconds since the epoch. */
  now: () => number;
}

/** Why a multipart request cannot go on, in S3's words; the HTTP layer renders it. */
export type MultipartProblem = 'NoSuchUpload' | 'InvalidPart' | 'InvalidPartOrder';

export class MultipartRefusal extends Refusal {
  constructor(
    readonly problem: MultipartProblem,
    detail: string,
  ) {
    super(problem === 'NoSuchUpload' ? 'not_found' : 'bad_request', detail);
  }
}

export interface UploadInit {
  contentType: string;
  contentEncoding: string;
  subject?: string;
  userMetadata?: Readonly<Record<string, string>>;
}

export interface StagedPart {
  partNumber: number;
  etag: string;
  size: number;
  lastModified: string;
}

export interface UploadSummary {
  uploadId: string;
  key: string;
  initiated: string;
}

interface Manifest {
  dataClass: string;
  key: string;
  contentType: string;
  contentEncoding: string;
  subjectHash?: string;
  /** Applied to the object at Complete. */
  userMetadata?: Readonly<Record<string, string>>;
  initiated: string;
  /** The erasure markers of the account and the subject when the upload began: an erasure since then erased its staged parts' data too. */
  markers?: { account: MarkerReading; subject?: MarkerReading };
}

export const MAX_PART_NUMBER = 10_000;
/** Where every account's staged uploads (stagedUploadsPrefix) live. */
const UPLOADS_ROOT = 'uploads/';
/** Staged parts carry this expiry, so a store's lifecycle rules or the sweep can remove abandoned uploads. */
const STAGING_DAYS = 7;

/**
 * Multipart uploads, staged in the zone's own store under
 * `uploads/<account>/<uploadId>/` (names that say nothing of the data). The
 * object exists only after `complete`, which writes the parts, read in order
 * as one stream, through the object service: inspection sees the whole
 * object, so a signature split across a part boundary is found. Complete
 * (whatever its outcome) and abort leave no staged bytes behind.
 */
export class MultipartService {
  readonly #deps: MultipartDeps;

  constructor(deps: MultipartDeps) {
    this.#deps = deps;
  }

  async create(call: Call, name: ObjectName, init: UploadInit): Promise<string> {
    const store = this.#zoneStore(call, name);
    // refused at once rather than at Complete, after every part was sent
    await refuseMediaBesideBody({ key: name.key, contentType: init.contentType, userMetadata: init.userMetadata });
    const uploadId = Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
    const subjectHash = init.subject === undefined ? undefined : await this.#deps.hashIdentifier(init.subject);
    const manifest: Manifest = {
      dataClass: name.dataClass,
      key: name.key,
      contentType: init.contentType,
      contentEncoding: init.contentEncoding,
      ...(subjectHash !== undefined && { subjectHash }),
      ...(init.userMetadata !== undefined && { userMetadata: init.userMetadata }),
      initiated: new Date(this.#deps.now()).toISOString(),
      markers: await erasureMarkers(store, call.principal.account, subjectHash),
    };
    const bytes = new TextEncoder().encode(JSON.stringify(manifest));
    await store.put(manifestKey(call, uploadId), streamOf(bytes), this.#stagingMetadata(call, name.dataClass), { contentLength: bytes.length });
    return uploadId;
  }

  async uploadPart(
    call: Call,
    name: ObjectName,
    uploadId: string,
    partNumber: number,
    body: ReadableStream<Uint8Array>,
    contentLength?: number,
  ): Promise<{ etag: string; size: number }> {
    const store = this.#zoneStore(call, name);
    await this.#manifest(store, call, name, uploadId);
    // A part's ETag is the MD5 of its bytes, as S3's; Complete builds the object's from them.
    const hashing = md5Etag(this.#deps.objects.md5);
    const result = await store.put(partKey(call, uploadId, partNumber), body.pipeThrough(hashing.stream), this.#stagingMetadata(call, name.dataClass), {
      ...(contentLength !== undefined && { contentLength }),
      etag: hashing.etag,
    });
    return { etag: result.etag, size: result.size };
  }

  async listParts(call: Call, name: ObjectName, uploadId: string): Promise<StagedPart[]> {
    const store = this.#zoneStore(call, name);
    await this.#manifest(store, call, name, uploadId);
    return this.#parts(store, call, uploadId);
  }

  async abort(call: Call, name: ObjectName, uploadId: string): Promise<void> {
    const store = this.#zoneStore(call, name);
    await this.#manifest(store, call, name, uploadId);
    await this.#discard(store, call, uploadId);
  }

  async complete(call: Call, name: ObjectName, uploadId: string, chosen: ReadonlyArray<{ partNumber: number; etag: string }>): Promise<Placement> {
    const store = this.#zoneStore(call, name);
    const manifest = await this.#manifest(store, call, name, uploadId);
    const staged = new Map((await this.#parts(store, call, uploadId)).map((part) => [part.partNumber, part]));
    if (chosen.length === 0) throw new MultipartRefusal('InvalidPart', 'CompleteMultipartUpload must name at least one part');
    let size = 0;
    const partEtags: string[] = [];
    chosen.forEach((part, index) => {
      if (index > 0 && part.partNumber <= chosen[index - 1]!.partNumber)
        throw new MultipartRefusal('InvalidPartOrder', 'parts must be listed in ascending order of part number');
      const stagedPart = staged.get(part.partNumber);
      if (!stagedPart || stagedPart.etag !== part.etag.replace(/^"(.*)"$/, '$1'))
        throw new MultipartRefusal('InvalidPart', `part ${part.partNumber} was not uploaded with that ETag`);
      size += stagedPart.size;
      partEtags.push(stagedPart.etag);
    });
    if (manifest.markers && erasedSince(manifest.markers, await erasureMarkers(store, call.principal.account, manifest.subjectHash))) {
      await this.#discard(store, call, uploadId);
      throw new MultipartRefusal('NoSuchUpload', 'an erasure of the account or of the data subject ran after this upload began: its parts are erased');
    }
    if (size > this.#deps.objects.maxObjectBytes) {
      await this.#discard(store, call, uploadId);
      throw new Refusal('payload_too_large', `the parts add up to ${size} bytes, over the limit of ${this.#deps.objects.maxObjectBytes}`);
    }
    const etag = multipartEtag(this.#deps.objects.md5, partEtags);
    try {
      return await this.#deps.objects.write(call, name, () => ({
        body: concatenated(
          store,
          chosen.map((part) => partKey(call, uploadId, part.partNumber)),
        ),
        contentType: manifest.contentType,
        contentEncoding: manifest.contentEncoding,
        contentLength: size,
        ...(manifest.subjectHash !== undefined && { subjectHash: manifest.subjectHash }),
        ...(manifest.userMetadata !== undefined && { userMetadata: manifest.userMetadata }),
        ...(etag !== undefined && { etag }),
      }));
    } finally {
      await this.#discard(store, call, uploadId);
    }
  }

  async listUploads(call: Call, dataClass: string): Promise<UploadSummary[]> {
    const store = this.#zoneStore(call, { dataClass });
    const uploads: UploadSummary[] = [];
    const prefix = uploadsPrefix(call);
    for (const info of await everyKey(store, prefix)) {
      if (!info.endsWith('/manifest')) continue;
      const manifest = await readManifest(store, info);
      if (manifest?.dataClass !== dataClass) continue;
      uploads.push({ uploadId: info.slice(prefix.length, -'/manifest'.length), key: manifest.key, initiated: manifest.initiated });
    }
    return uploads;
  }

  #zoneStore(call: Call, name: { dataClass: string; key?: string }): ObjectStore {
    Object.assign(call.trail, { dataClass: name.dataClass, ...(name.key !== undefined && { key: name.key }) });
    if (name.key !== undefined) {
      const invalid = checkKey(name.key);
      if (invalid) throw invalid;
    }
    const decision = decide(this.#deps.policy, call.principal, { action: 'write', dataClass: name.dataClass, now: this.#deps.now() });
    if (!decision.allowed) throw decision.refusal;
    const { zone } = decision;
    Object.assign(call.trail, { zone: zone.name, store: zone.storeName, location: zone.placement.location });
    return this.#deps.stores.forZone(zone);
  }

  #stagingMetadata(call: Call, dataClass: string) {
    return {
      contentType: 'application/octet-stream',
      account: call.principal.account,
      dataClass,
      expiresAt: new Date(this.#deps.now() + STAGING_DAYS * 86_400_000).toISOString(),
    };
  }

  async #manifest(store: ObjectStore, call: Call, name: ObjectName, uploadId: string): Promise<Manifest> {
    const manifest = /^[0-9a-f]{32}$/.test(uploadId) ? await readManifest(store, manifestKey(call, uploadId)) : null;
    if (!manifest || manifest.dataClass !== name.dataClass || manifest.key !== name.key) {
      throw new MultipartRefusal('NoSuchUpload', 'no such upload for this key (it may have been completed or aborted)');
    }
    return manifest;
  }

  async #parts(store: ObjectStore, call: Call, uploadId: string): Promise<StagedPart[]> {
    const prefix = `${uploadPrefix(call, uploadId)}part-`;
    const parts: StagedPart[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list(prefix, { limit: 1000, ...(cursor !== undefined && { cursor }) });
      for (const item of page.items) {
        parts.push({ partNumber: Number(item.key.slice(prefix.length)), etag: item.etag, size: item.size, lastModified: item.lastModified });
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async #discard(store: ObjectStore, call: Call, uploadId: string): Promise<void> {
    for (const key of await everyKey(store, uploadPrefix(call, uploadId))) await store.delete(key);
  }
}

async function erasureMarkers(store: ObjectStore, account: string, subjectHash: string | undefined): Promise<NonNullable<Manifest['markers']>> {
  const [accountMarker, subjectMarker] = await Promise.all([
    readMarker(store, account),
    subjectHash === undefined ? null : readMarker(store, account, subjectHash),
  ]);
  return { account: accountMarker, ...(subjectHash !== undefined && { subject: subjectMarker }) };
}

function erasedSince(before: NonNullable<Manifest['markers']>, now: NonNullable<Manifest['markers']>): boolean {
  return erasureOverlapped(before.account, now.account) || (before.subject !== undefined && erasureOverlapped(before.subject, now.subject ?? null));
}

/**
 * Removes what abandoned uploads left in a store: every staged manifest and
 * part past its expiry (`STAGING_DAYS` after it was written). The retention
 * sweep runs it over each zone's store. Returns how many keys it removed.
 */
export async function removeAbandonedUploads(store: ObjectStore, now: number): Promise<number> {
  let removed = 0;
  let cursor: string | undefined;
  const expired: string[] = [];
  do {
    const page = await store.list(UPLOADS_ROOT, { limit: 1000, ...(cursor !== undefined && { cursor }) });
    for (const item of page.items) {
      const expiresAt = item.metadata.expiresAt === undefined ? Number.NaN : Date.parse(item.metadata.expiresAt);
      if (!(expiresAt > now)) expired.push(item.key);
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  for (const key of expired) if (await store.delete(key)) removed += 1;
  return removed;
}

function uploadsPrefix(call: Call): string {
  return stagedUploadsPrefix(call.principal.account);
}

function uploadPrefix(call: Call, uploadId: string): string {
  return `${uploadsPrefix(call)}${uploadId}/`;
}

function manifestKey(call: Call, uploadId: string): string {
  return `${uploadPrefix(call, uploadId)}manifest`;
}

function partKey(call: Call, uploadId: string, partNumber: number): string {
  return `${uploadPrefix(call, uploadId)}part-${String(partNumber).padStart(5, '0')}`;
}

async function readManifest(store: ObjectStore, key: string): Promise<Manifest | null> {
  const object = await store.get(key);
  if (!object) return null;
  return JSON.parse(new TextDecoder().decode(await readAll(object.body))) as Manifest;
}

async function everyKey(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(prefix, { limit: 1000, ...(cursor !== undefined && { cursor }) });
    keys.push(...page.items.map((item) => item.key));
    cursor = page.cursor;
  } while (cursor !== undefined);
  return keys;
}

/** The staged parts, in the order given, as one stream: each part is opened only when the one before has been read. */
function concatenated(store: ObjectStore, keys: readonly string[]): ReadableStream<Uint8Array> {
  let index = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          if (!reader) {
            if (index >= keys.length) return controller.close();
            const part = await store.get(keys[index++]!);
            if (!part) throw new MultipartRefusal('InvalidPart', 'a part went missing while the upload was completed');
            reader = part.body.getReader();
          }
          const { done, value } = await reader.read();
          if (done) {
            reader = undefined;
            continue;
          }
          controller.enqueue(value);
          return;
        }
      },
      cancel(reason) {
        return reader?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

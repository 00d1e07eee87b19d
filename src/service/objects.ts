import type { ObjectInfo, ObjectMetadata, ObjectStore, StoredObject } from '../adapters/types.ts';
import { openStoredObject, plaintextInfo } from '../crypto/stored-object.ts';
import type { ZoneEncryption } from '../crypto/zone-encryption.ts';
import { maskingForWrite } from '../masking/for-class.ts';
import { budgetsFromLimits, createInspection, type DecoderFactory, type InspectionBudgets } from '../media/inspect.ts';
import { decide, type Action, type Allowed } from '../policy/decide.ts';
import type { IdentifierHasher } from '../policy/identifiers.ts';
import { checkKey, checkStoredKeyLength, dataClassPrefix, storeKey } from '../policy/keys.ts';
import type { CompiledPolicy } from '../policy/load.ts';
import type { Principal } from '../policy/principal.ts';
import { isRefusal, Refusal } from '../policy/refusal.ts';
import { deleteObject } from '../rights/erasure.ts';
import { type GuardedPutResult, guardedPut } from '../rights/write-guard.ts';
import type { AuditTrail } from './audit.ts';
import { refuseMediaBesideBody } from './beside-body.ts';
import { guardBody } from './body.ts';
import type { StoreRegistry } from './stores.ts';
import { inSpanSync, tracedTransform } from './tracing-spans.ts';
import { BUDGET_RETRY_AFTER_SECONDS, type BodyBudget, type BodyLease } from './body-budget.ts';
import { md5Etag, portableMd5, type Md5Factory } from './md5.ts';

/** What the object service needs; every front door shares one instance. */
export interface ObjectServiceDeps {
  /** Bounds the request body bytes this process holds at once (Node); absent: unbounded (Workers bound memory per isolate themselves). */
  bodyBudget?: BodyBudget;
  policy: CompiledPolicy;
  stores: StoreRegistry;
  hashIdentifier: IdentifierHasher;
  /** Content-Encoding decoders the runtime has beyond its DecompressionStream. */
  decoders?: Readonly<Record<string, DecoderFactory>>;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Envelope encryption of the zones whose policy has `encryption`, by zone name. */
  encryption?: ReadonlyMap<string, ZoneEncryption>;
  /** The host's MD5, for S3's ETags; absent: the portable one. */
  md5?: Md5Factory;
}

/** Who asks, and where the front door records what happened. */
export interface Call {
  principal: Principal;
  trail: AuditTrail;
}

/** An object as a caller names it: the account comes from the principal, never from the request. */
export interface ObjectName {
  dataClass: string;
  key: string;
}

export interface WriteRequest {
  body: ReadableStream<Uint8Array>;
  /** The declared Content-Type, '' when absent. */
  contentType: string;
  /** The declared Content-Encoding, '' when absent. */
  contentEncoding: string;
  /** The declared length, when the client sent one (already checked against the limit). */
  contentLength?: number;
  /** The data subject the object is about, in clear; stored only as a keyed hash. */
  subject?: string;
  /** The keyed hash of the subject of an object being copied, which keeps its subject (S3 CopyObject). */
  subjectHash?: string;
  /** The client's user metadata (S3 `x-amz-meta-*` but the subject), kept with the object. */
  userMetadata?: Readonly<Record<string, string>>;
  /**
   * The object's ETag when it is known before its body: S3's form for a
   * completed multipart upload. Else the ETag is the MD5 of the bytes as
   * stored (after redaction and masking, before encryption), computed as they stream.
   */
  etag?: string;
}

/** Where a written object landed: the `201` body of DESIGN. */
export interface Placement {
  account: string;
  dataClass: string;
  key: string;
  zone: string;
  store: string;
  location: string;
  jurisdiction: string;
  size: number;
  etag: string;
  expiresAt: string | null;
  redactions?: number;
  /** Values masked before storage, by kind (classes with `mask`). */
  masks?: Record<string, number>;
}

/** Where a read or list was served from. */
export interface ZonePlacement {
  zone: string;
  location: string;
}

export interface ReadResult extends StoredObject {
  placement: ZonePlacement;
}

export interface HeadResult {
  info: ObjectInfo;
  placement: ZonePlacement;
}

export interface ListRequest {
  /** Start of a key; '' for all. */
  prefix: string;
  limit: number;
  cursor?: string;
}

export interface ListResult {
  /** Keys relative to the data class, as callers name them. */
  items: ObjectInfo[];
  cursor?: string;
  placement: ZonePlacement;
}

interface Resolved {
  decision: Allowed;
  store: ObjectStore;
}

/**
 * The one object service behind every front door: the decision (zone, data
 * class, retention), the key rules, inspection, the store, the subject index.
 * Front doors translate their dialect into these calls; refusals are thrown as
 * `Refusal` and what happened is left in `call.trail` for the front door's
 * audit record.
 */
export class ObjectService {
  readonly #deps: ObjectServiceDeps;

  /** The inspector's bounds from the policy's `limits`, worked out once. */
  readonly inspectionBudgets: Partial<InspectionBudgets>;

  /** The MD5 of S3's ETags, shared with the multipart service's parts. */
  readonly md5: Md5Factory;

  constructor(deps: ObjectServiceDeps) {
    this.#deps = deps;
    this.md5 = deps.md5 ?? portableMd5;
    this.inspectionBudgets = budgetsFromLimits(deps.policy.document.limits);
  }

  get maxObjectBytes(): number {
    return this.#deps.policy.document.limits.maxObjectBytes;
  }

  /** Stores a body. The request is read only once the decision allows the write, so policy refusals come first. */
  async write(call: Call, name: ObjectName, readRequest: () => WriteRequest): Promise<Placement> {
    const { decision, store } = this.#resolve(call, 'write', name);
    const request = readRequest();
    const lease = this.#admit(request.contentLength);
    try {
      return await this.#store(call, name, decision, store, request);
    } finally {
      lease?.release();
    }
  }

  /** A share of the process's budget of in-flight body bytes; past it the upload is refused at once, not queued. */
  #admit(contentLength: number | undefined): BodyLease | undefined {
    const budget = this.#deps.bodyBudget;
    if (!budget) return undefined;
    const lease = budget.tryAcquire(contentLength);
    if (!lease) throw new Refusal('gateway_busy', `the gateway holds as many uploads as its memory allows; retry in ${BUDGET_RETRY_AFTER_SECONDS} s`);
    return lease;
  }

  async #store(call: Call, name: ObjectName, decision: Allowed, store: ObjectStore, request: WriteRequest): Promise<Placement> {
    const { account } = call.principal;
    Object.assign(call.trail, { key: name.key, ...(request.subject !== undefined && { subject: request.subject }) });
    await refuseMediaBesideBody({ key: name.key, contentType: request.contentType, userMetadata: request.userMetadata });
    const { embeddedMedia } = decision.classConfig;
    const inspection = createInspection({
      contentType: request.contentType,
      contentEncoding: request.contentEncoding,
      embeddedMedia,
      decoders: this.#deps.decoders,
      budgets: this.inspectionBudgets,
    });
    const subjectHash = request.subject === undefined ? request.subjectHash : await this.#deps.hashIdentifier(request.subject);
    // Masking reads what inspection let through; encryption comes last, just before the store.
    const masking = maskingForWrite(decision.classConfig.mask, request.contentType, request.contentEncoding);
    const encryption = this.#encryptionOf(decision);
    const sealing = encryption && (await encryption.seal(account, subjectHash, storeKey({ account, ...name })));
    const hashing = request.etag === undefined ? md5Etag(this.md5) : undefined;
    const body = guardBody(request.body, [
      tracedTransform('inspection', {}, inspection.stream),
      ...(masking ? [masking.stream] : []),
      ...(hashing ? [hashing.stream] : []),
      ...(sealing ? [sealing] : []),
    ]);
    const userMetadata = request.userMetadata && Object.keys(request.userMetadata).length > 0 ? request.userMetadata : undefined;
    const metadata: ObjectMetadata = {
      contentType: request.contentType || 'application/octet-stream',
      ...(request.contentEncoding !== '' && { contentEncoding: request.contentEncoding }),
      account,
      dataClass: name.dataClass,
      ...(subjectHash !== undefined && { subject: subjectHash }),
      ...(decision.expiresAt !== undefined && { expiresAt: decision.expiresAt }),
      ...(request.etag !== undefined && { etag: request.etag }),
      ...(userMetadata !== undefined && { userMetadata }),
    };
    const tooLong = checkStoredKeyLength({ account, ...name }, subjectHash);
    if (tooLong) throw tooLong;
    let result: GuardedPutResult;
    try {
      // Redaction changes the length, so the declared length only holds when nothing is rewritten.
      const declaredLength = embeddedMedia === 'refuse' && !masking && !sealing ? request.contentLength : undefined;
      const target = { account, dataClass: name.dataClass, key: name.key, ...(subjectHash !== undefined && { subjectHash }) };
      // Holds, the subject index and erasures running beside the write: src/rights/write-guard.ts.
      result = await guardedPut(store, target, () =>
        store.put(storeKey({ account, ...name }), body.stream, metadata, { contentLength: declaredLength, ...(hashing && { etag: hashing.etag }) }),
      );
    } catch (error) {
      const failure = body.failure();
      throw isRefusal(failure) ? failure : error;
    }
    const masks = masking?.counts();
    Object.assign(call.trail, { bytes: result.size, ...(embeddedMedia === 'redact' && { redactions: inspection.redactions }), ...(masks && { masks }) });
    const { zone } = decision;
    return {
      account,
      dataClass: name.dataClass,
      key: name.key,
      zone: zone.name,
      store: zone.storeName,
      location: zone.placement.location,
      jurisdiction: zone.placement.jurisdiction,
      size: encryption ? encryption.plaintextLength(result.size) : result.size,
      etag: result.etag,
      expiresAt: decision.expiresAt ?? null,
      ...(embeddedMedia === 'redact' && { redactions: inspection.redactions }),
      ...(masks && { masks }),
    };
  }

  async read(call: Call, name: ObjectName): Promise<ReadResult> {
    const { decision, store } = this.#resolve(call, 'read', name);
    const encryption = this.#encryptionOf(decision);
    const objectKey = storeKey({ account: call.principal.account, ...name });
    const stored = await store.get(objectKey);
    if (!stored) throw new Refusal('not_found', 'no such object');
    const object = encryption ? await openStoredObject(encryption, stored, objectKey) : stored;
    call.trail.bytes = object.info.size;
    return Object.assign(object, { placement: zonePlacement(decision) });
  }

  async head(call: Call, name: ObjectName): Promise<HeadResult> {
    const { decision, store } = this.#resolve(call, 'read', name);
    const info = await store.head(storeKey({ account: call.principal.account, ...name }));
    if (!info) throw new Refusal('not_found', 'no such object');
    const encryption = this.#encryptionOf(decision);
    return { info: encryption ? plaintextInfo(encryption, info) : info, placement: zonePlacement(decision) };
  }

  /** Deletes an object; `not_found` when there was none. */
  async delete(call: Call, name: ObjectName): Promise<ZonePlacement> {
    const { decision, store } = this.#resolve(call, 'delete', name);
    if ((await deleteObject(store, { account: call.principal.account, ...name })) === null) {
      throw new Refusal('not_found', 'no such object');
    }
    return zonePlacement(decision);
  }

  async list(call: Call, dataClass: string, request: ListRequest): Promise<ListResult> {
    // A prefix is the start of a valid key: it may end in "/" or mid-segment.
    const invalid = request.prefix === '' ? null : checkKey(`${request.prefix}x`);
    if (invalid) throw new Refusal('key_invalid', `prefix: ${invalid.detail}`);
    const { decision, store } = this.#resolve(call, 'list', { dataClass });
    const classPrefix = dataClassPrefix(call.principal.account, dataClass);
    const page = await store.list(classPrefix + request.prefix, { limit: request.limit, ...(request.cursor && { cursor: request.cursor }) });
    const encryption = this.#encryptionOf(decision);
    return {
      items: page.items.map((info) => ({ ...(encryption ? plaintextInfo(encryption, info) : info), key: info.key.slice(classPrefix.length) })),
      ...(page.cursor !== undefined && { cursor: page.cursor }),
      placement: zonePlacement(decision),
    };
  }

  /** The zone's encryption; a zone whose policy encrypts but whose keys this gateway did not open serves nothing (fail closed). */
  #encryptionOf(decision: Allowed): ZoneEncryption | undefined {
    const { zone } = decision;
    const encryption = this.#deps.encryption?.get(zone.name);
    if (!encryption && zone.encryption) {
      throw new Refusal('store_unavailable', `zone "${zone.name}" encrypts its data and its keys are not open here`);
    }
    return encryption;
  }

  /** The decision and the zone's store for a request, refusing what the policy or the key rules do not allow. */
  #resolve(call: Call, action: Action, name: { dataClass: string; key?: string }): Resolved {
    call.trail.dataClass = name.dataClass;
    if (name.key !== undefined) {
      call.trail.key = name.key;
      const invalid = checkKey(name.key);
      if (invalid) throw invalid;
    }
    const decided = inSpanSync('decision', { 'residency.data_class': name.dataClass }, () =>
      decide(this.#deps.policy, call.principal, { action, dataClass: name.dataClass, now: this.#deps.now() }),
    );
    if (!decided.allowed) throw decided.refusal;
    const { zone } = decided;
    Object.assign(call.trail, { zone: zone.name, store: zone.storeName, location: zone.placement.location });
    return { decision: decided, store: this.#deps.stores.forZone(zone) };
  }
}

function zonePlacement(decision: Allowed): ZonePlacement {
  return { zone: decision.zone.name, location: decision.zone.placement.location };
}

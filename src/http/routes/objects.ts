import type { Context, Hono } from 'hono';
import type { ObjectInfo, ObjectMetadata, ObjectStore } from '../../adapters/types.ts';
import { decide, type Action, type Allowed } from '../../policy/decide.ts';
import { createInspection, isMediaRefusal } from '../../media/inspect.ts';
import { checkKey, dataClassPrefix, decodeKey, storeKey } from '../../policy/keys.ts';
import { isRefusal, Refusal } from '../../policy/refusal.ts';
import { audit } from '../app.ts';
import { guardBody } from '../../service/body.ts';
import type { GatewayDeps, GatewayEnv } from '../context.ts';
import { deleteObject, dropIndexIfUnused, indexSubject } from '../../rights/erasure.ts';
import { toRefusal } from '../../service/to-refusal.ts';

const OBJECTS = '/v1/objects/';
const MAX_LIST_LIMIT = 1000;
const DEFAULT_LIST_LIMIT = 100;

type Ctx = Context<GatewayEnv>;

interface Target {
  dataClass: string;
  /** Undefined for the listing route `/v1/objects/{dataClass}`. */
  key?: string;
}

/** Reads `{dataClass}` and `{key}` from the raw path, so `..` and `%2e%2e` reach the key rules instead of being normalised away. */
function targetOf(c: Ctx, deps: GatewayDeps): Target {
  const path = deps.runtime.rawPath(c);
  const rest = path.slice(OBJECTS.length);
  const slash = rest.indexOf('/');
  const dataClass = decodeKey(slash === -1 ? rest : rest.slice(0, slash));
  if (isRefusal(dataClass)) throw new Refusal('data_class_unknown', 'the data class is not valid percent-encoded UTF-8');
  if (slash === -1) return { dataClass };
  const key = decodeKey(rest.slice(slash + 1));
  if (isRefusal(key)) throw key;
  const invalid = checkKey(key);
  if (invalid) throw invalid;
  return { dataClass, key };
}

/** One object request: its decision, its store, and the audit record of how it ended. */
async function handle(
  c: Ctx,
  deps: GatewayDeps,
  action: Action,
  run: (ctx: { target: Target; decision: Allowed; store: ObjectStore; key: string }) => Promise<Response>,
): Promise<Response> {
  let target: Target | undefined;
  let decision: Allowed | undefined;
  try {
    target = targetOf(c, deps);
    const principal = c.get('principal');
    const decided = decide(deps.policy, principal, { action, dataClass: target.dataClass, now: deps.now() });
    if (!decided.allowed) throw decided.refusal;
    decision = decided;
    const store = deps.stores.forZone(decided.zone);
    const key = target.key === undefined ? dataClassPrefix(principal.account, target.dataClass) : storeKey(principal.account, target.dataClass, target.key);
    return await run({ target, decision: decided, store, key });
  } catch (error) {
    const refusal = toRefusal(error);
    const media = isMediaRefusal(refusal) ? refusal.finding : undefined;
    if (media) deps.metrics.count('residency_media_refused_total', 'Media refused, by kind and format.', { kind: media.kind, format: media.format });
    await audit(c, deps, {
      action,
      outcome: refusal.status >= 500 ? 'failed' : 'refused',
      code: refusal.code,
      ...(media && { media: `${media.kind}/${media.format}` }),
      dataClass: target?.dataClass,
      key: target?.key,
      ...zoneFields(decision),
    });
    throw refusal;
  }
}

function zoneFields(decision: Allowed | undefined) {
  if (!decision) return {};
  const { zone } = decision;
  return { zone: zone.name, store: zone.storeName, location: zone.placement.location };
}

function placementHeaders(decision: Allowed): Record<string, string> {
  return { 'x-residency-zone': decision.zone.name, 'x-residency-location': decision.zone.placement.location };
}

/** A header that must appear at most once; repeated values are a 400, not merged. */
function singleHeader(c: Ctx, deps: GatewayDeps, name: string): string {
  const values = deps.runtime.headerValues(c, name);
  if (values.length > 1) throw new Refusal('bad_request', `the ${name} header appears ${values.length} times`);
  return values[0] ?? '';
}

function contentLengthOf(c: Ctx, deps: GatewayDeps, maxBytes: number): number | undefined {
  const header = singleHeader(c, deps, 'content-length');
  if (header === '') return undefined;
  if (!/^\d{1,16}$/.test(header)) throw new Refusal('bad_request', 'Content-Length is not a number');
  const length = Number(header);
  if (length > maxBytes) throw new Refusal('payload_too_large', `Content-Length ${length} is over the limit of ${maxBytes} bytes`);
  return length;
}

function subjectOf(c: Ctx): string | undefined {
  const subject = c.req.header('x-subject-id');
  if (subject === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,256}$/.test(subject)) throw new Refusal('bad_request', 'X-Subject-Id must be 1-256 printable ASCII characters');
  return subject;
}

function objectHeaders(info: ObjectInfo, decision: Allowed): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': info.metadata.contentType,
    'content-length': String(info.size),
    etag: `"${info.etag}"`,
    'last-modified': new Date(info.lastModified).toUTCString(),
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
    ...placementHeaders(decision),
  };
  if (info.metadata.contentEncoding) headers['content-encoding'] = info.metadata.contentEncoding;
  if (info.metadata.expiresAt) headers['x-residency-expires-at'] = info.metadata.expiresAt;
  return headers;
}

export function objectRoutes(app: Hono<GatewayEnv>, deps: GatewayDeps): void {
  const { maxObjectBytes } = deps.policy.document.limits;

  app.put(`${OBJECTS}*`, (c) =>
    handle(c, deps, 'write', async ({ target, decision, store, key }) => {
      if (target.key === undefined) throw new Refusal('key_invalid', 'PUT needs a key: /v1/objects/{dataClass}/{key}');
      const principal = c.get('principal');
      const contentType = singleHeader(c, deps, 'content-type');
      const contentEncoding = singleHeader(c, deps, 'content-encoding');
      const contentLength = contentLengthOf(c, deps, maxObjectBytes);
      const subject = subjectOf(c);
      const { embeddedMedia } = decision.classConfig;
      const inspection = createInspection({ contentType, contentEncoding, embeddedMedia, decoders: deps.runtime.decoders });
      const body = guardBody(deps.runtime.requestBody(c, maxObjectBytes), [inspection.stream]);
      const subjectHash = subject === undefined ? undefined : await deps.hashIdentifier(subject);
      const metadata: ObjectMetadata = {
        contentType: contentType || 'application/octet-stream',
        ...(contentEncoding !== '' && { contentEncoding }),
        account: principal.account,
        dataClass: target.dataClass,
        ...(subjectHash !== undefined && { subject: subjectHash }),
        ...(decision.expiresAt !== undefined && { expiresAt: decision.expiresAt }),
      };
      if (subjectHash !== undefined) await indexSubject(store, principal.account, subjectHash, target.dataClass, target.key);
      let result;
      try {
        // Redaction changes the length, so the declared length only holds when nothing is rewritten.
        const declaredLength = embeddedMedia === 'refuse' ? contentLength : undefined;
        result = await store.put(key, body.stream, metadata, { contentLength: declaredLength });
      } catch (error) {
        if (subjectHash !== undefined) await dropIndexIfUnused(store, principal.account, subjectHash, target.dataClass, target.key);
        const failure = body.failure();
        throw isRefusal(failure) ? failure : error;
      }
      const { zone } = decision;
      await audit(c, deps, {
        action: 'write',
        outcome: 'allowed',
        dataClass: target.dataClass,
        key: target.key,
        subject,
        bytes: result.size,
        redactions: inspection.redactions,
        ...zoneFields(decision),
      });
      return c.json(
        {
          account: principal.account,
          dataClass: target.dataClass,
          key: target.key,
          zone: zone.name,
          store: zone.storeName,
          location: zone.placement.location,
          jurisdiction: zone.placement.jurisdiction,
          size: result.size,
          etag: result.etag,
          expiresAt: decision.expiresAt ?? null,
          ...(embeddedMedia === 'redact' && { redactions: inspection.redactions }),
        },
        201,
        placementHeaders(decision),
      );
    }),
  );

  app.on('HEAD', `${OBJECTS}*`, (c) =>
    handle(c, deps, 'read', async ({ target, decision, store, key }) => {
      if (target.key === undefined) throw new Refusal('key_invalid', 'HEAD needs a key');
      const info = await store.head(key);
      if (!info) throw new Refusal('not_found', 'no such object');
      await audit(c, deps, { action: 'head', outcome: 'allowed', dataClass: target.dataClass, key: target.key, ...zoneFields(decision) });
      return new Response(null, { status: 200, headers: objectHeaders(info, decision) });
    }),
  );

  app.get(`${OBJECTS}*`, (c) =>
    handle(c, deps, isListing(c, deps) ? 'list' : 'read', async ({ target, decision, store, key }) => {
      if (target.key === undefined) return list(c, deps, decision, store, key);
      const object = await store.get(key);
      if (!object) throw new Refusal('not_found', 'no such object');
      await audit(c, deps, {
        action: 'read',
        outcome: 'allowed',
        dataClass: target.dataClass,
        key: target.key,
        bytes: object.info.size,
        ...zoneFields(decision),
      });
      return new Response(object.body, { status: 200, headers: objectHeaders(object.info, decision) });
    }),
  );

  app.delete(`${OBJECTS}*`, (c) =>
    handle(c, deps, 'delete', async ({ target, decision, store }) => {
      if (target.key === undefined) throw new Refusal('key_invalid', 'DELETE needs a key');
      if ((await deleteObject(store, c.get('principal').account, target.dataClass, target.key)) === null) {
        throw new Refusal('not_found', 'no such object');
      }
      await audit(c, deps, { action: 'delete', outcome: 'allowed', dataClass: target.dataClass, key: target.key, ...zoneFields(decision) });
      return new Response(null, { status: 204, headers: placementHeaders(decision) });
    }),
  );
}

function isListing(c: Ctx, deps: GatewayDeps): boolean {
  return !deps.runtime.rawPath(c).slice(OBJECTS.length).includes('/');
}

async function list(c: Ctx, deps: GatewayDeps, decision: Allowed, store: ObjectStore, classPrefix: string): Promise<Response> {
  const prefix = c.req.query('prefix') ?? '';
  // A prefix is the start of a valid key: it may end in "/" or mid-segment.
  const invalid = prefix === '' ? null : checkKey(`${prefix}x`);
  if (invalid) throw new Refusal('key_invalid', `prefix: ${invalid.detail}`);
  const limitText = c.req.query('limit');
  const limit = limitText === undefined ? DEFAULT_LIST_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new Refusal('bad_request', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  }
  const cursor = c.req.query('cursor');
  const page = await store.list(classPrefix + prefix, { limit, ...(cursor && { cursor }) });
  await audit(c, deps, { action: 'list', outcome: 'allowed', dataClass: decision.dataClass, ...zoneFields(decision) });
  return c.json(
    {
      items: page.items.map((info) => ({
        key: info.key.slice(classPrefix.length),
        size: info.size,
        etag: info.etag,
        lastModified: info.lastModified,
        contentType: info.metadata.contentType,
        expiresAt: info.metadata.expiresAt ?? null,
      })),
      cursor: page.cursor ?? null,
    },
    200,
    placementHeaders(decision),
  );
}

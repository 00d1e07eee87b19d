import type { Context, Hono } from 'hono';
import { emptyBody } from '../../adapters/streams.ts';
import type { ObjectInfo } from '../../adapters/types.ts';
import { decodeKey } from '../../policy/keys.ts';
import { Refusal, valueOrThrow } from '../../policy/refusal.ts';
import type { Call, ObjectName, ZonePlacement } from '../../service/objects.ts';
import { answerRead } from '../conditional-read.ts';
import type { GatewayDeps, GatewayEnv } from '../context.ts';

const OBJECTS = '/v1/objects/';
const MAX_LIST_LIMIT = 1000;
const DEFAULT_LIST_LIMIT = 100;

type Ctx = Context<GatewayEnv>;

/** `{dataClass}` and `{key}` from the raw path, so `..` and `%2e%2e` reach the key rules instead of being normalised away. */
function targetOf(c: Ctx, deps: GatewayDeps): { dataClass: string; key?: string } {
  const rest = deps.runtime.rawPath(c).slice(OBJECTS.length);
  const slash = rest.indexOf('/');
  const dataClass = decodeKey(slash === -1 ? rest : rest.slice(0, slash));
  if (!dataClass.ok) throw new Refusal('data_class_unknown', 'the data class is not valid percent-encoded UTF-8');
  if (slash === -1) return { dataClass: dataClass.value };
  return { dataClass: dataClass.value, key: valueOrThrow(decodeKey(rest.slice(slash + 1))) };
}

/** The object a keyed route names, with the route's action in the audit trail. */
function objectOf(c: Ctx, deps: GatewayDeps, action: string): ObjectName {
  c.get('trail').action = action;
  const { dataClass, key } = targetOf(c, deps);
  c.get('trail').dataClass = dataClass;
  if (key === undefined) throw new Refusal('key_invalid', `${c.req.method} needs a key: /v1/objects/{dataClass}/{key}`);
  return { dataClass, key };
}

function callOf(c: Ctx): Call {
  return { principal: c.get('principal'), trail: c.get('trail') };
}

function placementHeaders(placement: ZonePlacement): Record<string, string> {
  return { 'x-residency-zone': placement.zone, 'x-residency-location': placement.location };
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

function objectHeaders(info: ObjectInfo, placement: ZonePlacement): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': info.metadata.contentType,
    'content-length': String(info.size),
    etag: `"${info.etag}"`,
    'last-modified': new Date(info.lastModified).toUTCString(),
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
    ...placementHeaders(placement),
  };
  if (info.metadata.contentEncoding) headers['content-encoding'] = info.metadata.contentEncoding;
  if (info.metadata.expiresAt) headers['x-residency-expires-at'] = info.metadata.expiresAt;
  return headers;
}

/** The `/v1/objects` routes: HTTP in, calls of the object service out. */
export function objectRoutes(app: Hono<GatewayEnv>, deps: GatewayDeps): void {
  const { objects } = deps;

  app.put(`${OBJECTS}*`, async (c) => {
    const name = objectOf(c, deps, 'write');
    const placement = await objects.write(callOf(c), name, () => {
      const subject = subjectOf(c);
      return {
        contentType: singleHeader(c, deps, 'content-type'),
        contentEncoding: singleHeader(c, deps, 'content-encoding'),
        contentLength: contentLengthOf(c, deps, objects.maxObjectBytes),
        ...(subject !== undefined && { subject }),
        body: deps.runtime.requestBody(c, objects.maxObjectBytes),
      };
    });
    return c.json(placement, 201, placementHeaders(placement));
  });

  // Hono dispatches HEAD to the GET handler (and drops the body), so HEAD is told apart here: it reads the object's headers only.
  app.on(['GET', 'HEAD'], `${OBJECTS}*`, async (c) => {
    const { dataClass, key } = targetOf(c, deps);
    if (key === undefined) return list(c, deps, dataClass);
    if (c.req.raw.method === 'HEAD') {
      const { info, placement } = await objects.head(callOf(c), objectOf(c, deps, 'head'));
      const headers = objectHeaders(info, placement);
      return answerRead(c.req.raw.headers, { info, body: emptyBody() }, headers, c.get('requestId')).response;
    }
    const object = await objects.read(callOf(c), objectOf(c, deps, 'read'));
    const { response, bytes } = answerRead(c.req.raw.headers, object, objectHeaders(object.info, object.placement), c.get('requestId'));
    c.get('trail').bytes = bytes;
    return response;
  });

  app.delete(`${OBJECTS}*`, async (c) => {
    const placement = await objects.delete(callOf(c), objectOf(c, deps, 'delete'));
    return new Response(null, { status: 204, headers: placementHeaders(placement) });
  });
}

async function list(c: Ctx, deps: GatewayDeps, dataClass: string): Promise<Response> {
  c.get('trail').action = 'list';
  const limitText = c.req.query('limit');
  const limit = limitText === undefined ? DEFAULT_LIST_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new Refusal('bad_request', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  }
  const cursor = c.req.query('cursor');
  const page = await deps.objects.list(callOf(c), dataClass, { prefix: c.req.query('prefix') ?? '', limit, ...(cursor && { cursor }) });
  return c.json(
    {
      items: page.items.map((info) => ({
        key: info.key,
        size: info.size,
        etag: info.etag,
        lastModified: info.lastModified,
        contentType: info.metadata.contentType,
        expiresAt: info.metadata.expiresAt ?? null,
      })),
      cursor: page.cursor ?? null,
    },
    200,
    placementHeaders(page.placement),
  );
}

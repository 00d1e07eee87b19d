import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { GatewayEnv } from './context.ts';
import * as schemas from './schemas.ts';

/**
 * The OpenAPI 3.1 document of the `/v1` API (and the health routes), built
 * from the zod schemas the routes validate requests with and build answers
 * from; a schema with a `meta` id becomes a component. Served at `/v1/openapi.json` without a token: it describes the
 * public interface only, nothing of the policy (zones, data classes).
 */
export const OPENAPI_PATH = '/v1/openapi.json';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: schemas.problem } } });
const header = (description: string) => ({ schema: { type: 'string' as const }, description });

const objectPath = z.object({
  dataClass: z.string().describe('A data class of the policy.'),
  key: z.string().describe('1-1024 bytes of UTF-8; may contain `/`; no control characters, backslash, empty, `.` or `..` segment.'),
});
const classPath = objectPath.pick({ dataClass: true });
const subjectPath = z.object({ subject: z.string().describe('The data subject id, 1-256 printable ASCII characters.') });

const placementHeaders = {
  'X-Residency-Zone': header('The zone that served the request.'),
  'X-Residency-Location': header("Where the zone's store is."),
};

/** Refusals every authenticated route can answer. */
const refusals = {
  400: problem('`bad_request`, `key_invalid`, `data_class_unknown`'),
  401: problem('`token_missing`, `token_invalid`, `token_expired`; with `WWW-Authenticate: Bearer`'),
  403: problem('`account_missing`, `region_missing`, `region_unknown`, `scope_required`, `data_class_not_persisted`'),
  405: problem('`method_not_allowed`, with `Allow`'),
  502: problem('`store_error`'),
  503: problem("`store_unavailable`, with `Retry-After`: the zone's store is down; other zones are not affected"),
};

const objectRoutes: RouteConfig[] = [
  {
    method: 'put',
    path: '/v1/objects/{dataClass}/{key}',
    summary: 'Store an object (streamed): refused if it is or holds image, audio or video',
    request: {
      params: objectPath,
      headers: z.object({ 'X-Subject-Id': z.string().optional().describe('The data subject the object is about; stored as a keyed hash.') }),
      body: { content: { '*/*': { schema: { type: 'string', format: 'binary' } } }, required: true },
    },
    responses: {
      201: { ...json(schemas.placement, 'Stored; where it went.'), headers: placementHeaders },
      ...refusals,
      409: problem('`legal_hold`: the object is held'),
      413: problem('`payload_too_large`'),
      415: problem('`media_refused`'),
      422: problem('`body_uninspectable`'),
    },
  },
  {
    method: 'get',
    path: '/v1/objects/{dataClass}/{key}',
    summary: 'Read an object, whole or one byte range; conditional on its ETag or date',
    request: {
      params: objectPath,
      headers: z.object({
        Range: z.string().optional().describe('One range: `bytes=first-last`, `bytes=first-` or `bytes=-suffix`.'),
        'If-Match': z.string().optional(),
        'If-None-Match': z.string().optional(),
        'If-Modified-Since': z.string().optional(),
        'If-Unmodified-Since': z.string().optional(),
      }),
    },
    responses: {
      200: {
        description: 'The object, with its stored Content-Type.',
        content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
        headers: placementHeaders,
      },
      206: { description: 'The requested range, with `Content-Range`.', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
      304: { description: 'Not modified (`If-None-Match`, `If-Modified-Since`).' },
      ...refusals,
      404: problem('`not_found`'),
      412: problem('`precondition_failed` (`If-Match`, `If-Unmodified-Since`)'),
      416: problem('`range_not_satisfiable`, with `Content-Range: bytes */size`'),
    },
  },
  {
    method: 'head',
    path: '/v1/objects/{dataClass}/{key}',
    summary: "An object's headers",
    request: { params: objectPath },
    responses: { 200: { description: 'The headers a GET would carry.', headers: placementHeaders }, ...refusals, 404: { description: 'No such object.' } },
  },
  {
    method: 'delete',
    path: '/v1/objects/{dataClass}/{key}',
    summary: 'Delete an object',
    request: { params: objectPath },
    responses: { 204: { description: 'Deleted.', headers: placementHeaders }, ...refusals, 404: problem('`not_found`'), 409: problem('`legal_hold`') },
  },
  ...(['get', 'head'] as const).map((method) => ({
    method,
    path: '/v1/objects/{dataClass}',
    summary: method === 'get' ? "List the account's objects of a data class, a page at a time" : 'The headers of a list',
    request: {
      params: classPath,
      query: z.object({
        prefix: z.string().optional(),
        limit: z.coerce.number().int().min(1).max(1000).optional().describe('Default 100.'),
        cursor: z.string().optional(),
      }),
    },
    responses: { 200: { ...json(schemas.listPage, 'A page of objects.'), headers: placementHeaders }, ...refusals },
  })),
];

const adminRoutes: RouteConfig[] = [
  {
    method: 'get',
    path: '/v1/subjects/{subject}/objects',
    summary: 'Admin: every object of a data subject in the account',
    request: { params: subjectPath, query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional(), cursor: z.string().optional() }) },
    responses: { 200: json(schemas.subjectObjects, "The subject's objects."), ...refusals },
  },
  {
    method: 'delete',
    path: '/v1/subjects/{subject}',
    summary: 'Admin: erase every object of a data subject',
    request: { params: subjectPath },
    responses: { 200: json(schemas.erasureReceipt, 'Erased; a receipt.'), ...refusals, 409: problem('`legal_hold`') },
  },
  {
    method: 'delete',
    path: '/v1/account',
    summary: 'Admin: erase every object of the account',
    request: { headers: z.object({ 'X-Confirm-Account': z.string().describe('The account id of the token, repeated.') }) },
    responses: { 200: json(schemas.erasureReceipt, 'Erased; a receipt.'), ...refusals, 409: problem('`legal_hold`') },
  },
  {
    method: 'get',
    path: '/v1/holds',
    summary: "Admin: the account's legal holds",
    responses: { 200: json(schemas.holdList, 'The holds.'), ...refusals },
  },
  ...[
    { path: '/v1/holds/account', what: 'the account', params: undefined },
    { path: '/v1/holds/subjects/{subject}', what: 'a data subject', params: subjectPath },
  ].flatMap(({ path, what, params }): RouteConfig[] => [
    {
      method: 'put',
      path,
      summary: `Admin: place a legal hold on ${what}`,
      request: { ...(params && { params }), body: { content: { 'application/json': { schema: schemas.holdRequest } }, required: true } },
      responses: { 201: json(schemas.hold, 'The hold.'), ...refusals },
    },
    {
      method: 'delete',
      path,
      summary: `Admin: release the legal hold on ${what}`,
      ...(params && { request: { params } }),
      responses: { 204: { description: 'Released.' }, ...refusals, 404: problem('`not_found`: no such hold') },
    },
  ]),
];

const otherRoutes: RouteConfig[] = [
  {
    method: 'post',
    path: '/v1/explain',
    summary: 'Where a write would go, or why it would be refused; stores nothing',
    request: { body: { content: { 'application/json': { schema: schemas.explainRequest } }, required: true } },
    responses: { 200: json(schemas.explainAnswer, 'The verdict.'), ...refusals },
  },
  {
    method: 'get',
    path: OPENAPI_PATH,
    summary: 'This document',
    security: [],
    responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } },
  },
  ...[
    { path: '/healthz', summary: 'Liveness' },
    { path: '/readyz', summary: "Readiness: 200 while keys are usable and at least one zone can serve; each zone's state in the body" },
    { path: '/metrics', summary: 'Prometheus text exposition' },
  ].map(
    ({ path, summary }): RouteConfig => ({
      method: 'get',
      path,
      summary,
      security: [],
      responses: { 200: { description: 'OK' }, ...(path === '/readyz' && { 503: { description: 'Not ready; the body says why.' } }) },
    }),
  ),
];

/** Builds the document; hono answers HEAD with GET handlers, so every GET path also takes HEAD. */
export function openApiDocument(): Record<string, unknown> {
  const generator = new OpenAPIHono();
  const registry = generator.openAPIRegistry;
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const route of [...objectRoutes, ...adminRoutes, ...otherRoutes]) registry.registerPath(route);
  return generator.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'residency-proxy',
      version: '1',
      description: 'Data-residency enforcing storage gateway. Errors are application/problem+json (RFC 9457) with a stable `code`.',
    },
    security: [{ bearer: [] }],
  }) as unknown as Record<string, unknown>;
}

/** `GET /v1/openapi.json`, registered before the `/v1` authentication so that it needs no token. */
export function openApiRoutes(app: Hono<GatewayEnv>): void {
  let document: string | undefined;
  app.get(OPENAPI_PATH, (c) => {
    document ??= JSON.stringify(openApiDocument());
    return c.body(document, 200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
  });
}

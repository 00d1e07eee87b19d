import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../src/http/app.ts';
import { RouteTable } from '../src/http/route-table.ts';
import * as schemas from '../src/http/schemas.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

const GB = { account_id: 'acme', account_region: 'GB' };
const ADMIN = { ...GB, scope: 'residency:admin' };
const METHODS = ['get', 'put', 'post', 'delete', 'head', 'patch', 'options'];

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  security: unknown[];
}

let gw: TestGateway;
let document: OpenApiDocument;
before(async () => {
  gw = await startTestGateway();
  const response = await fetch(`${gw.url}/v1/openapi.json`);
  assert.equal(response.status, 200, 'served without a token');
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  document = (await response.json()) as OpenApiDocument;
});
after(() => gw.stop());

/** Every operation the app registered, as `METHOD template`, mapped as operators see them. */
function registeredOperations(): string[] {
  const table = new RouteTable(createApp(gw.deps).routes);
  return table
    .registered()
    .filter(({ template }) => template.startsWith('/v1/') || ['/healthz', '/readyz', '/metrics'].includes(template))
    .flatMap(({ template, methods }) => methods.map((method) => `${method} ${template}`))
    .sort();
}

function documentedOperations(): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => METHODS.includes(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}

describe('the OpenAPI document', () => {
  test('is OpenAPI 3.1 with bearer security by default and none on the open routes', () => {
    assert.equal(document.openapi, '3.1.0');
    assert.deepEqual(document.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    assert.deepEqual(document.security, [{ bearer: [] }]);
    for (const path of ['/v1/openapi.json', '/healthz', '/readyz', '/metrics']) assert.deepEqual(document.paths[path]?.get?.security, [], path);
  });

  test('documents every operation the app registers, and nothing it does not', () => {
    assert.deepEqual(documentedOperations(), registeredOperations());
  });

  test('every $ref resolves', () => {
    const refs = JSON.stringify(document).match(/"\$ref":"[^"]+"/g) ?? [];
    assert.ok(refs.length > 0);
    for (const ref of refs) {
      const name = /#\/components\/schemas\/([^"]+)"/.exec(ref)?.[1];
      assert.ok(name && document.components.schemas[name], ref);
    }
  });

  test('every authenticated operation documents the 401 and the 503 of a zone whose store is down', () => {
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (operation.security?.length === 0) continue;
        assert.ok(operation.responses['401'], `${method} ${path}: 401`);
        assert.ok(operation.responses['503'], `${method} ${path}: 503`);
      }
    }
  });
});

describe('real answers match the documented schemas', () => {
  test('a write, a list, an explain, an erasure, a hold and a problem', async () => {
    const put = await gw.as(GB, '/v1/objects/chat-transcript/openapi/a.json', { method: 'PUT', headers: { 'x-subject-id': 'v-1' }, body: '{}' });
    schemas.placement.parse(await put.json());
    const redacted = await gw.as(GB, '/v1/objects/feedback-log/openapi/b.json', { method: 'PUT', body: '{}' });
    schemas.placement.parse(await redacted.json());
    schemas.listPage.parse(await (await gw.as(GB, '/v1/objects/chat-transcript?prefix=openapi/')).json());
    schemas.explainAnswer.parse(await (await gw.as(GB, '/v1/explain', { method: 'POST', body: '{"dataClass":"chat-transcript"}' })).json());
    schemas.explainAnswer.parse(await (await gw.as(GB, '/v1/explain', { method: 'POST', body: '{"dataClass":"recording"}' })).json());
    schemas.explainAnswer.parse(
      await (
        await gw.as(GB, '/v1/explain', {
          method: 'POST',
          body: JSON.stringify({ dataClass: 'chat-transcript', sample: btoa('GIF89a\x01\x00\x01\x00\x00\x00\x00;') }),
        })
      ).json(),
    );
    schemas.subjectObjects.parse(await (await gw.as(ADMIN, '/v1/subjects/v-1/objects')).json());
    schemas.hold.parse(await (await gw.as(ADMIN, '/v1/holds/account', { method: 'PUT', body: '{"reason":"audit"}' })).json());
    schemas.holdList.parse(await (await gw.as(ADMIN, '/v1/holds')).json());
    assert.equal((await gw.as(ADMIN, '/v1/holds/account', { method: 'DELETE' })).status, 204);
    schemas.erasureReceipt.parse(await (await gw.as(ADMIN, '/v1/subjects/v-1', { method: 'DELETE' })).json());
    schemas.problem.parse(await (await gw.as(GB, '/v1/objects/chat-transcript/openapi/missing')).json());
    schemas.problem.parse(await (await gw.as(GB, '/v1/objects/chat-transcript/openapi/a.json', { headers: { 'if-match': '"other"' } })).json());
    schemas.problem.parse(await (await gw.as(GB, '/v1/objects/chat-transcript/openapi/a.json', { headers: { range: 'bytes=99-' } })).json());
  });

  test('what the explain schema refuses, explain refuses as bad_request', async () => {
    for (const body of [{}, { dataClass: '' }, { dataClass: 'chat-transcript', extra: 1 }, { dataClass: 'chat-transcript', sample: 'not base64!' }]) {
      assert.equal(schemas.explainRequest.safeParse(body).success, false);
      const response = await gw.as(GB, '/v1/explain', { method: 'POST', body: JSON.stringify(body) });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(((await response.json()) as { code: string }).code, 'bad_request');
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { allKeys, startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { rawRequest } from './helpers/raw-http.ts';

/**
 * Paths that URL parsing or Node's HTTP parser would change or reject before
 * the routes see them: each still gets a problem+json answer with a stable
 * code, and nothing is stored anywhere.
 */
describe('request paths as sent', () => {
  let gw: TestGateway;
  let token: string;
  before(async () => {
    gw = await startTestGateway();
    token = await gw.token();
  });
  after(() => gw.stop());

  // Objects only: a store also keeps its catalog of the classes it holds.
  const storedKeys = async () => (await Promise.all([...gw.stores.values()].map((store) => allKeys(store)))).flat().filter((key) => key.startsWith('objects/'));

  const dotPaths = [
    '/v1/objects/chat-transcript/../../x',
    '/v1/objects/../v1/objects/chat-transcript/x',
    '/v1/objects/chat-transcript/a/..',
    '/v1/objects/chat-transcript/./x',
    '/v1/objects/chat-transcript/%2e%2e/%2E%2E/x',
    '/v1/objects/chat-transcript/.%2e/x',
    '/v1/objects/chat-transcript/a/%2e/b',
    '/v1/subjects/../objects/chat-transcript/x',
  ];
  for (const path of dotPaths) {
    test(`PUT ${path}: 400 key_invalid, not a routing 404, and nothing stored`, async () => {
      const response = await rawRequest(gw.url, [`PUT ${path} HTTP/1.1`, `Authorization: Bearer ${token}`, 'Content-Type: application/json'], '{"a":1}');
      assert.equal(response.status, 400, response.headers);
      assert.match(response.headers, /content-type: application\/problem\+json/i);
      assert.equal(JSON.parse(response.body).code, 'key_invalid');
      assert.deepEqual(await storedKeys(), []);
    });
  }

  for (const [name, line] of [
    ['a raw backslash', 'PUT /v1/objects/chat-transcript/a\\b HTTP/1.1'],
    ['a raw space', 'PUT /v1/objects/chat-transcript/a b HTTP/1.1'],
    ['a control character', 'PUT /v1/objects/chat-transcript/a\u0001b HTTP/1.1'],
  ] as const) {
    test(`${name} in the path, which Node or its hono adapter cannot parse: problem+json 400, nothing stored`, async () => {
      const response = await rawRequest(gw.url, [line, `Authorization: Bearer ${token}`], '{}');
      assert.equal(response.status, 400, response.headers);
      assert.match(response.headers, /content-type: application\/problem\+json/i);
      const problem = JSON.parse(response.body);
      assert.equal(problem.code, 'bad_request');
      assert.equal(problem.status, 400);
      assert.doesNotMatch(response.body, new RegExp(token.slice(-20)));
      assert.deepEqual(await storedKeys(), []);
    });
  }

  test('a dot inside a segment is an ordinary key character', async () => {
    const response = await rawRequest(gw.url, [`PUT /v1/objects/chat-transcript/a/..b/.c/x.. HTTP/1.1`, `Authorization: Bearer ${token}`], '{}');
    assert.equal(response.status, 201, response.body);
    assert.deepEqual(await storedKeys(), ['objects/chat-transcript/acme/a/..b/.c/x..']);
  });
});

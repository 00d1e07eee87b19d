import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createIdentifierHasher } from '../src/policy/identifiers.ts';
import { nodeIdentifierHasher } from '../src/hosts/node-hasher.ts';
import { allKeys, startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { rawRequest } from './helpers/raw-http.ts';

// The subject index is keyed by these hashes: Node and Workers must compute the very same ones.
const VALUES = ['visitor-42', '', 'ünïcödé 東京 🙂', 'a'.repeat(5000), 'lone \ud800 surrogate', 'objects/chat/acme/2026/11/21/s1.json'];

test("the Node hasher gives exactly the Web Crypto hasher's output, keyed and unkeyed", async () => {
  for (const secret of [undefined, new TextEncoder().encode('a secret'), new Uint8Array(0)]) {
    const web = await createIdentifierHasher(secret);
    const node = nodeIdentifierHasher(secret);
    for (const value of VALUES) {
      const expected = await web(value);
      assert.match(expected, /^[0-9a-f]{32}$/);
      assert.equal(await node(value), expected, `${JSON.stringify(value.slice(0, 20))} with ${secret ? `${secret.byteLength}-byte secret` : 'no secret'}`);
    }
  }
});

test('a secret changes every hash', async () => {
  const plain = await createIdentifierHasher();
  const keyed = await createIdentifierHasher(new TextEncoder().encode('a secret'));
  for (const value of VALUES) assert.notEqual(await plain(value), await keyed(value));
});

describe('keys as they arrive on the wire', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.stop());

  const send = async (target: string, method = 'PUT') => {
    const token = await gw.token({ account_id: 'acme', account_region: 'GB' });
    return rawRequest(
      gw.url,
      [`${method} ${target} HTTP/1.1`, `Authorization: Bearer ${token}`, 'Content-Type: application/json'],
      method === 'PUT' ? '{"a":1}' : '',
    );
  };

  for (const target of [
    '/v1/objects/chat-transcript/a/../b',
    '/v1/objects/chat-transcript/../chat-transcript/x',
    '/v1/objects/chat-transcript/a/./b',
    '/v1/objects/chat-transcript/a/%2e%2e/b',
    '/v1/objects/chat-transcript/a/.%2E/b',
  ]) {
    for (const method of ['PUT', 'GET', 'DELETE']) {
      test(`${method} ${target}: 400 key_invalid as problem+json, nothing stored`, async () => {
        const response = await send(target, method);
        assert.equal(response.status, 400, response.headers);
        assert.match(response.headers, /content-type: application\/problem\+json/i);
        assert.equal((JSON.parse(response.body) as { code: string }).code, 'key_invalid');
        assert.deepEqual(await allKeys(gw.stores.get('london')!, 'objects/'), []);
      });
    }
  }

  test("a raw backslash, which Node's HTTP parser itself rejects, still answers problem+json", async () => {
    const response = await send('/v1/objects/chat-transcript/a\\b');
    assert.equal(response.status, 400, response.headers);
    assert.match(response.headers, /content-type: application\/problem\+json/i);
    assert.match((JSON.parse(response.body) as { code: string }).code, /^(key_invalid|bad_request)$/);
    assert.deepEqual(await allKeys(gw.stores.get('london')!, 'objects/'), []);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createIdentifierHasher } from '../src/policy/identifiers.ts';
import { nodeIdentifierHasher } from '../src/hosts/node-hasher.ts';

// The subject index is keyed by these hashes: Node and Workers must compute the very same ones.
const VALUES = ['visitor-42', '', 'ünïcödé 東京 🙂', 'a'.repeat(5000), 'lone \ud800 surrogate', 'objects/chat/acme/2026/11/21/s1.json'];

test('the Node hasher gives exactly the Web Crypto hasher\'s output, keyed and unkeyed', async () => {
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

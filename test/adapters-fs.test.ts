import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createFsStore } from '../src/adapters/fs.ts';
import type { ObjectMetadata } from '../src/adapters/types.ts';
import { checkStoredKeyLength, dataClassPrefix, MAX_STORE_KEY_BYTES, storeKey } from '../src/policy/keys.ts';
import { adapterConformance, assertNothingUnder, patternBody, streamOf } from './adapter-conformance.ts';

const META: ObjectMetadata = { contentType: 'text/plain', account: 'acme', dataClass: 'chat-transcript' };
const MiB = 1024 * 1024;

describe('fs adapter', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fs-store-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  adapterConformance(() => createFsStore({ root: join(root, 'conformance') }));

  test('no path component outside the encoded alphabet: a key never escapes the root', async () => {
    const store = createFsStore({ root: join(root, 'escape') });
    for (const key of ['../outside', '..%2f/x', 'a/../../b', './dot', 'back\\slash', 'a/./b']) {
      await store.put(key, streamOf(new TextEncoder().encode(key)), META);
      assert.equal((await store.head(key))?.key, key);
    }
    const names = (await allNames(join(root, 'escape'))).filter((name) => name !== '.incomplete');
    for (const name of names) assert.match(name, /^[a-z0-9_%-]+(\.[dc])?$/, name);
    assert.deepEqual((await readdir(root)).sort(), ['conformance', 'escape'], 'nothing written beside the store roots');
  });

  test('refuses a key with an empty segment instead of mapping it somewhere', async () => {
    const store = createFsStore({ root: join(root, 'empty-segment') });
    for (const key of ['a//b', '/lead', 'trail/']) {
      await assert.rejects(store.put(key, streamOf(new Uint8Array(1)), META), { name: 'StoreError' });
    }
    await assertNothingUnder(store, '');
  });

  test('an aborted write leaves no temporary file and no directory named after its key', async () => {
    const storeRoot = join(root, 'leftovers');
    const store = createFsStore({ root: storeRoot });
    await store.put('dir/kept', streamOf(new Uint8Array(3)), META);
    const refusal = new Error('refused');
    await assert.rejects(store.put('dir/aborted', patternBody(MiB, 1, { failAfter: MiB / 2, error: refusal }), META), (error) => error === refusal);
    await assert.rejects(store.put('jane-doe/2026/aborted', patternBody(MiB, 1, { failAfter: MiB / 2, error: refusal }), META), (error) => error === refusal);
    assert.deepEqual(await allNames(storeRoot), ['.incomplete', 'dir.d', 'kept']);
    assert.deepEqual(await readdir(join(storeRoot, '.incomplete')), []);
  });

  test('removeIncomplete removes temporary files of dead writes, old and new layout, and the directories they kept', async () => {
    const storeRoot = join(root, 'dead-writes');
    const store = createFsStore({ root: storeRoot });
    await store.put('acct/kept.json', streamOf(new Uint8Array(3)), META);
    // What a killed write leaves: a temporary file under .incomplete/, or (earlier versions) beside the object in directories named after the key.
    await mkdir(join(storeRoot, '.incomplete'), { recursive: true });
    await writeFile(join(storeRoot, '.incomplete', '.tmp-dead'), 'personal data');
    await mkdir(join(storeRoot, 'killco.d', 'jane-doe.d', '2026.d'), { recursive: true });
    await writeFile(join(storeRoot, 'killco.d', 'jane-doe.d', '2026.d', '.tmp-legacy'), 'personal data');
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const file of [join(storeRoot, '.incomplete', '.tmp-dead'), join(storeRoot, 'killco.d', 'jane-doe.d', '2026.d', '.tmp-legacy')])
      await utimes(file, hourAgo, hourAgo);
    // A write still in flight: touched just now.
    await writeFile(join(storeRoot, '.incomplete', '.tmp-live'), 'in flight');

    assert.equal(await store.removeIncomplete!(new Date(Date.now() - 60_000)), 2);
    assert.deepEqual(await allNames(storeRoot), ['.incomplete', '.tmp-live', 'acct.d', 'kept%2ejson']);
    assert.equal((await store.head('acct/kept.json'))?.size, 3);
    assert.equal(await store.removeIncomplete!(new Date(Date.now() - 60_000)), 0, 'running it again finds nothing');
  });

  test('a long non-ASCII account id and a key as long as S3 allows are stored, listed and read back', async () => {
    const store = createFsStore({ root: join(root, 'long-identifiers') });
    const account = '€'.repeat(256);
    const longest = '€'.repeat(Math.floor((MAX_STORE_KEY_BYTES - new TextEncoder().encode(dataClassPrefix(account, 'chat-transcript')).length) / 3));
    const keys = [`${longest}`, `a/${'ü'.repeat(120)}/b`, `${'x'.repeat(300)}/${'🙂'.repeat(100)}`];
    for (const key of keys) {
      assert.equal(checkStoredKeyLength({ account, dataClass: 'chat-transcript', key }), null, key.length.toString());
      const bytes = new TextEncoder().encode(key);
      await store.put(storeKey({ account, dataClass: 'chat-transcript', key }), streamOf(bytes), { ...META, account });
      const read = await store.get(storeKey({ account, dataClass: 'chat-transcript', key }));
      assert.ok(read);
      assert.equal(read.info.metadata.account, account);
      assert.equal(new TextDecoder().decode(await new Response(read.body).arrayBuffer()), key);
    }
    const listed = await store.list(dataClassPrefix(account, 'chat-transcript'));
    assert.deepEqual(listed.items.map((item) => item.key).sort(), keys.map((key) => storeKey({ account, dataClass: 'chat-transcript', key })).sort());
    assert.ok(checkStoredKeyLength({ account, dataClass: 'chat-transcript', key: `${longest}€` }), 'one more character is refused');
  });

  test('deleting the last object of a directory removes the empty directories', async () => {
    const storeRoot = join(root, 'pruning');
    const store = createFsStore({ root: storeRoot });
    await store.put('acme/subject-123/a', streamOf(new Uint8Array(1)), META);
    await store.put('acme/other', streamOf(new Uint8Array(1)), META);
    assert.equal(await store.delete('acme/subject-123/a'), true);
    assert.deepEqual(await allNames(storeRoot), ['.incomplete', 'acme.d', 'other']);
  });

  test('a 200 MiB streamed put does not hold the body in memory', async () => {
    const store = createFsStore({ root: join(root, 'memory') });
    const collectGarbage = exposeGc();
    const retained = () => {
      collectGarbage();
      const { heapUsed, arrayBuffers } = process.memoryUsage();
      return heapUsed + arrayBuffers;
    };
    const baseline = retained();
    let peak = 0;
    const size = 200 * MiB;
    const body = patternBody(size, 1, {
      chunkBytes: 256 * 1024,
      onBytes: (sent) => {
        if (sent % (16 * MiB) < 256 * 1024) peak = Math.max(peak, retained() - baseline);
      },
    });
    const put = await store.put('big/object', body, META, { contentLength: size });
    assert.equal(put.size, size);
    assert.ok(peak < 32 * MiB, `memory retained during the put grew by ${Math.round(peak / MiB)} MiB`);
  });
});

/** Full garbage collection on demand, so that only memory still referenced is measured. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function allNames(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true });
  return entries.map((entry) => entry.split(/[\\/]/).at(-1) ?? entry).sort();
}

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createMemoryStore } from '../src/adapters/memory.ts';
import { createS3Store } from '../src/adapters/s3.ts';
import type { ObjectStore } from '../src/adapters/types.ts';
import { allKeys, memoryPolicy, startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { S3_TEST_CREDENTIALS, startS3Front, startS3Server, type S3Front, type S3TestServer } from './helpers/s3-server.ts';

/**
 * A store fault or a store in the wrong place must never turn into a
 * residency breach: the zone's writes are refused, nothing is written
 * anywhere else, and /readyz says why.
 */
let s3: S3TestServer;
before(async () => {
  s3 = await startS3Server({ buckets: ['sessions-uk'] });
});
after(() => s3.stop());

function s3Policy() {
  const policy = memoryPolicy();
  policy.stores.london = { type: 's3', bucket: 'sessions-uk', region: 'eu-west-2', endpoint: 'http://127.0.0.1:1', forcePathStyle: true };
  return policy;
}

async function gatewayOn(endpoint: string, usStore: ObjectStore, s3Options: { timeoutMs?: number } = {}): Promise<{ gw: TestGateway; uk: ObjectStore }> {
  const uk = createS3Store({ bucket: 'sessions-uk', region: 'eu-west-2', endpoint, forcePathStyle: true, credentials: S3_TEST_CREDENTIALS, ...s3Options });
  const gw = await startTestGateway({
    policy: s3Policy(),
    stores: new Map([
      ['london', uk],
      ['virginia', usStore],
    ]),
  });
  return { gw, uk };
}

const GB = { account_id: 'acme', account_region: 'GB' };

describe('location proof', () => {
  test('a bucket that reports another region takes its zone out of service; nothing goes elsewhere', async () => {
    // s3rver reports no location, which S3 means as us-east-1.
    const us = createMemoryStore();
    const { gw, uk } = await gatewayOn(s3.endpoint, us);
    try {
      const put = await gw.as(GB, '/v1/objects/chat-transcript/misplaced.json', { method: 'PUT', body: '{"x":1}' });
      assert.equal(put.status, 503);
      const problem = (await put.json()) as { code: string; detail: string };
      assert.equal(problem.code, 'store_unavailable');
      assert.match(problem.detail, /us-east-1.*eu-west-2/);
      assert.deepEqual(await allKeys(uk), []);
      assert.deepEqual(await allKeys(us), []);
      // The pod stays ready for the zones that can serve; the misplaced zone is named as not serving.
      const ready = await fetch(`${gw.url}/readyz`);
      assert.equal(ready.status, 200);
      const body = (await ready.json()) as { stores: Array<{ store: string; state: string }>; zones: Array<{ zone: string; serving: boolean }> };
      assert.equal(body.stores.find((s) => s.store === 'london')?.state, 'mismatch');
      assert.equal(body.zones.find((z) => z.zone === 'uk-eu')?.serving, false);
      assert.equal(body.zones.find((z) => z.zone === 'us')?.serving, true);
      const usWrite = await gw.as({ account_id: 'acme', account_region: 'US' }, '/v1/objects/chat-transcript/fine.json', { method: 'PUT', body: '{}' });
      assert.equal(usWrite.status, 201, 'other zones keep working');
    } finally {
      await gw.stop();
    }
  });

  test("a bucket that reports the policy's region is proven and takes writes", async () => {
    const front: S3Front = await startS3Front(s3.endpoint, { headBucketRegion: 'eu-west-2' });
    const { gw, uk } = await gatewayOn(front.endpoint, createMemoryStore());
    try {
      const put = await gw.as(GB, '/v1/objects/chat-transcript/proven.json', { method: 'PUT', body: '{"x":1}' });
      assert.equal(put.status, 201, await put.clone().text());
      assert.equal(put.headers.get('x-residency-location'), 'eu-west-2');
      // Besides the object, only the store's catalog of the classes it holds (for erasure by what is stored).
      assert.deepEqual(
        (await allKeys(uk)).filter((key) => !key.startsWith('catalog/')),
        ['objects/chat-transcript/acme/proven.json'],
      );
      const ready = await fetch(`${gw.url}/readyz`);
      assert.equal(ready.status, 200);
    } finally {
      await gw.stop();
      await front.stop();
    }
  });

  test('GetBucketLocation is the fallback when HeadBucket names no region', async () => {
    const front = await startS3Front(s3.endpoint, { bucketLocation: 'eu-west-2' });
    const { gw } = await gatewayOn(front.endpoint, createMemoryStore());
    try {
      const put = await gw.as(GB, '/v1/objects/chat-transcript/fallback.json', { method: 'PUT', body: '{}' });
      assert.equal(put.status, 201);
    } finally {
      await gw.stop();
      await front.stop();
    }
  });
});

describe('store down', () => {
  test("an unreachable store refuses its zone's writes with 503 and writes nothing anywhere", async () => {
    const us = createMemoryStore();
    // Nothing listens on port 1: connection refused.
    const { gw } = await gatewayOn('http://127.0.0.1:1', us, { timeoutMs: 1000 });
    try {
      const put = await gw.as(GB, '/v1/objects/chat-transcript/nowhere.json', { method: 'PUT', body: '{"x":1}' });
      assert.equal(put.status, 503);
      assert.equal(((await put.json()) as { code: string }).code, 'store_unavailable');
      assert.deepEqual(await allKeys(us), []);
      const ready = await fetch(`${gw.url}/readyz`);
      assert.equal(ready.status, 200, 'the US zone still serves');
      const zones = ((await ready.json()) as { zones: Array<{ zone: string; serving: boolean }> }).zones;
      assert.deepEqual(zones.map((z) => [z.zone, z.serving]).sort(), [
        ['uk-eu', false],
        ['us', true],
      ]);
    } finally {
      await gw.stop();
    }
  });

  test('a store that goes down after start-up: reads and writes get 503, other zones are untouched', async () => {
    const server = await startS3Server({ buckets: ['sessions-uk'] });
    const front = await startS3Front(server.endpoint, { headBucketRegion: 'eu-west-2' });
    const us = createMemoryStore();
    const { gw } = await gatewayOn(front.endpoint, us, { timeoutMs: 1000 });
    try {
      assert.equal((await gw.as(GB, '/v1/objects/chat-transcript/before.json', { method: 'PUT', body: '{}' })).status, 201);
      await server.crash();
      const put = await gw.as(GB, '/v1/objects/chat-transcript/after.json', { method: 'PUT', body: '{"x":1}' });
      assert.ok(put.status === 503 || put.status === 502, String(put.status));
      const get = await gw.as(GB, '/v1/objects/chat-transcript/before.json');
      assert.ok(get.status === 503 || get.status === 502, String(get.status));
      assert.deepEqual(await allKeys(us), []);
    } finally {
      await gw.stop();
      await front.stop();
      await server.stop();
    }
  });
});

describe('readiness', () => {
  test('a burst of /readyz requests shares store probes instead of multiplying them', async () => {
    let probes = 0;
    const counted = (store: ObjectStore): ObjectStore => ({
      ...store,
      kind: store.kind,
      probe: async () => {
        probes++;
        await new Promise((resolve) => setTimeout(resolve, 50));
        return store.probe();
      },
    });
    const gw = await startTestGateway({
      stores: new Map([
        ['london', counted(createMemoryStore())],
        ['virginia', counted(createMemoryStore())],
      ]),
    });
    try {
      probes = 0;
      const answers = await Promise.all(Array.from({ length: 40 }, () => fetch(`${gw.url}/readyz`)));
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
      assert.ok(probes < 40, `${probes} probes for 40 requests`);
    } finally {
      await gw.stop();
    }
  });
});

process.env.AWS_EC2_METADATA_DISABLED = 'true';

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StoreError } from '../src/adapters/errors.ts';
import { createMemoryStore } from '../src/adapters/memory.ts';
import { createS3Store } from '../src/adapters/s3.ts';
import { assembleGateway } from '../src/hosts/assemble.ts';
import { nodeRuntime, serveGateway } from '../src/hosts/node-server.ts';
import { createIdentifierHasher } from '../src/policy/identifiers.ts';
import { loadPolicy } from '../src/policy/load.ts';
import { allKeys, memoryPolicy, startTestGateway } from './helpers/gateway.ts';
import { startJwksServer } from './helpers/jwks-server.ts';
import { S3_TEST_CREDENTIALS, startS3Server } from './helpers/s3-server.ts';
import { createTestIdentity } from './helpers/tokens.ts';

const GB = { account_id: 'acme', account_region: 'GB' };
const US = { account_id: 'acme', account_region: 'US' };

interface Readiness {
  status: string;
  keys: string;
  zones: Array<{ zone: string; store: string; state: string; serving: boolean }>;
}

const zoneStates = (readiness: Readiness) => Object.fromEntries(readiness.zones.map((zone) => [zone.zone, [zone.state, zone.serving]]));

describe('readiness per zone', () => {
  test("one zone's store stopped: its requests answer 503 with Retry-After, the other zone keeps writing, /readyz stays 200", async (t) => {
    const s3 = await startS3Server({ buckets: ['sessions-uk'] });
    t.after(() => s3.stop());
    // The UK zone's store is a real S3 server; the policy declares its location, so no proof is needed.
    const uk = createS3Store({
      bucket: 'sessions-uk',
      region: 'eu-west-2',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: S3_TEST_CREDENTIALS,
      timeoutMs: 2_000,
    });
    const us = createMemoryStore();
    const gw = await startTestGateway({
      stores: new Map([
        ['london', uk],
        ['virginia', us],
      ]),
    });
    t.after(() => gw.stop());

    const before = await fetch(`${gw.url}/readyz`);
    assert.equal(before.status, 200);
    assert.deepEqual(zoneStates((await before.json()) as Readiness), { 'uk-eu': ['ready', true], us: ['ready', true] });
    assert.equal((await gw.as(GB, '/v1/objects/chat-transcript/before.json', { method: 'PUT', body: '{"n":1}' })).status, 201);

    await s3.crash();

    const refused = await gw.as(GB, '/v1/objects/chat-transcript/during.json', { method: 'PUT', body: '{"n":2}' });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '10');
    assert.equal(((await refused.json()) as { code: string }).code, 'store_unavailable');
    const read = await gw.as(GB, '/v1/objects/chat-transcript/before.json');
    assert.equal(read.status, 503, 'reads of the zone are refused the same way');
    assert.equal(read.headers.get('retry-after'), '10');
    await read.body?.cancel();

    const usWrite = await gw.as(US, '/v1/objects/chat-transcript/during.json', { method: 'PUT', body: '{"n":3}' });
    assert.equal(usWrite.status, 201, await usWrite.clone().text());
    assert.equal(usWrite.headers.get('x-residency-zone'), 'us');
    assert.equal(await (await gw.as(US, '/v1/objects/chat-transcript/during.json')).text(), '{"n":3}');
    assert.deepEqual(await allKeys(us, 'objects/'), ['objects/chat-transcript/acme/during.json'], 'the UK write did not land in the US store');

    const during = await fetch(`${gw.url}/readyz`);
    assert.equal(during.status, 200, 'one zone down does not take the gateway out of service');
    const readiness = (await during.json()) as Readiness;
    assert.equal(readiness.status, 'ready');
    assert.deepEqual(zoneStates(readiness), { 'uk-eu': ['unreachable', false], us: ['ready', true] });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    assert.match(metrics, /^residency_store_up\{store="london",zone="uk-eu"\} 0$/m);
    assert.match(metrics, /^residency_store_up\{store="virginia",zone="us"\} 1$/m);
    assert.match(metrics, /^residency_store_errors_total\{store="london",operation="\w+",failure="unavailable"\} [1-9]/m);

    await s3.restart();
    const after = await fetch(`${gw.url}/readyz`);
    assert.deepEqual(zoneStates((await after.json()) as Readiness), { 'uk-eu': ['ready', true], us: ['ready', true] });
    assert.equal((await gw.as(GB, '/v1/objects/chat-transcript/after.json', { method: 'PUT', body: '{"n":4}' })).status, 201);
    assert.deepEqual((await allKeys(uk, 'objects/')).sort(), ['objects/chat-transcript/acme/after.json', 'objects/chat-transcript/acme/before.json']);
  });

  test('a store that fails calls between probes is marked down at once, and back up by its next answer', async (t) => {
    const down = { now: false };
    const inner = createMemoryStore();
    // Every call of the store fails as an unreachable backend would, while `down.now` holds.
    const failing = new Proxy(inner, {
      get(target, property) {
        const value = Reflect.get(target, property) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          down.now ? Promise.reject(new StoreError('unavailable', 'injected outage')) : (value as (...a: unknown[]) => unknown).apply(target, args);
      },
    });
    const gw = await startTestGateway({
      stores: new Map([
        ['london', failing],
        ['virginia', createMemoryStore()],
      ]),
    });
    t.after(() => gw.stop());
    down.now = true;
    assert.equal((await gw.as(GB, '/v1/objects/chat-transcript/x.json', { method: 'PUT', body: '{}' })).status, 503);
    assert.deepEqual(zoneStates({ zones: gw.deps.stores.zoneStatuses() } as Readiness), { 'uk-eu': ['unreachable', false], us: ['ready', true] });
    down.now = false;
    assert.equal((await gw.as(GB, '/v1/objects/chat-transcript/x.json', { method: 'PUT', body: '{}' })).status, 201);
    assert.deepEqual(zoneStates({ zones: gw.deps.stores.zoneStatuses() } as Readiness), { 'uk-eu': ['ready', true], us: ['ready', true] });
  });

  test('every zone down: /readyz answers 503 and says which', async (t) => {
    const broken = () => {
      const store = createMemoryStore();
      return Object.assign(Object.create(store) as typeof store, { probe: () => Promise.reject(new StoreError('unavailable', 'injected outage')) });
    };
    const gw = await startTestGateway({
      stores: new Map([
        ['london', broken()],
        ['virginia', broken()],
      ]),
    });
    t.after(() => gw.stop());
    const ready = await fetch(`${gw.url}/readyz`);
    assert.equal(ready.status, 503);
    const readiness = (await ready.json()) as Readiness;
    assert.equal(readiness.status, 'not ready');
    assert.deepEqual(zoneStates(readiness), { 'uk-eu': ['unreachable', false], us: ['unreachable', false] });
  });

  test('the JWKS unreachable while the last good keys are within maxStale does not flip readiness; past it, it does', async (t) => {
    const identity = await createTestIdentity();
    const idp = await startJwksServer(identity.jwks);
    t.after(() => idp.stop());
    let clock = Date.parse('2026-12-01T10:00:00Z');
    const document = memoryPolicy();
    document.auth = identity.authConfig({ url: idp.url, cacheMaxAgeSeconds: 60, cooldownSeconds: 1, maxStaleSeconds: 600, timeoutMs: 500 } as never);
    const loaded = loadPolicy(JSON.stringify(document));
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.join('\n'));
    const policy = loaded.policy;
    const deps = await assembleGateway({
      policy,
      stores: new Map([...policy.zones.values()].map((zone) => [zone.storeName, createMemoryStore()])),
      authenticatorOptions: { now: () => clock },
      audit: () => {},
      hashIdentifier: await createIdentifierHasher(new TextEncoder().encode('test-secret')),
      runtime: nodeRuntime,
    });
    const listening = await serveGateway(deps, '127.0.0.1', 0);
    t.after(() => listening.stop(1_000));

    const readiness = async () => {
      const response = await fetch(`${listening.url}/readyz`);
      return { status: response.status, body: (await response.json()) as Readiness };
    };
    assert.deepEqual(await readiness().then(({ status, body }) => [status, body.keys]), [200, 'available']);

    await idp.stop();
    clock += 300_000; // past cacheMaxAge, within maxStale: the refresh fails, the last good keys still verify
    assert.deepEqual(await readiness().then(({ status, body }) => [status, body.keys]), [200, 'available']);
    const token = await identity.sign({ ...GB, iat: Math.floor(clock / 1000), exp: Math.floor(clock / 1000) + 300 }, { now: Math.floor(clock / 1000) });
    const put = await fetch(`${listening.url}/v1/objects/chat-transcript/stale-keys.json`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}` },
      body: '{}',
    });
    assert.equal(put.status, 201, 'requests are still served on the last good keys');

    clock += 600_000; // past maxStale: nothing can be verified, so no zone can serve
    assert.deepEqual(await readiness().then(({ status, body }) => [status, body.keys]), [503, 'unavailable']);
  });
});

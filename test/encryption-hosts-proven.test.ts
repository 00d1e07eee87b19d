import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMemoryStore } from '../src/adapters/memory.ts';
import type { LocationReport, ObjectStore } from '../src/adapters/types.ts';
import { localKek, newLocalKekJwk } from '../src/crypto/local-kek.ts';
import { openZoneEncryptions } from '../src/crypto/zone-keys.ts';
import { provenKeyStores } from '../src/hosts/proven-key-stores.ts';
import { createIdentifierHasher } from '../src/policy/identifiers.ts';
import { loadPolicy } from '../src/policy/load.ts';
import { isRefusal } from '../src/policy/refusal.ts';
import { ObjectService } from '../src/service/objects.ts';
import { StoreRegistry } from '../src/service/stores.ts';
import { readText, streamIn } from './helpers/encryption.ts';
import { allKeys } from './helpers/gateway.ts';

/**
 * A key store whose backend can prove its location (s3 with verifyLocation)
 * serves the zone's keys only once it has: the hosts wrap it with
 * provenKeyStores before opening the zone's encryption.
 */

const policy = (() => {
  const loaded = loadPolicy(
    JSON.stringify({
      version: 1,
      auth: { issuer: 'https://idp.test/', audience: 'residency-proxy', algorithms: ['ES256'], jwks: { keys: [{}] } },
      encryption: { keys: { dev: { type: 'local', secretEnv: 'UNUSED', jurisdiction: 'UK' } } },
      zones: { 'uk-eu': { jurisdictions: ['UK', 'EU'], regions: ['GB'], store: 'london', encryption: { key: 'dev', keyStore: 'london-keys' } } },
      stores: {
        london: { type: 'memory', jurisdiction: 'UK' },
        'london-keys': { type: 's3', bucket: 'keys-uk', region: 'eu-west-2', verifyLocation: true },
      },
      dataClasses: { 'chat-transcript': { retentionDays: 365 } },
    }),
  );
  assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
  return loaded.policy;
})();

/** A memory store standing in for the S3 key store, reporting whatever region the test sets. */
function reportingStore(report: { region: string | null; probes: number }): { store: ObjectStore; memory: ObjectStore } {
  const memory = createMemoryStore();
  const store: ObjectStore = {
    kind: 's3',
    put: (...args) => memory.put(...args),
    get: (...args) => memory.get(...args),
    head: (...args) => memory.head(...args),
    delete: (...args) => memory.delete(...args),
    list: (...args) => memory.list(...args),
    async probe(): Promise<LocationReport | null> {
      report.probes += 1;
      return report.region === null ? null : { region: report.region };
    },
  };
  return { store, memory };
}

describe('a key store that can prove its location', () => {
  test("serves no key until the backend proves the policy's region; refused writes store nothing; proven, it serves", async () => {
    const report: { region: string | null; probes: number } = { region: 'us-east-1', probes: 0 };
    const keys = reportingStore(report);
    const data = createMemoryStore();
    const stores = new Map([
      ['london', data],
      ['london-keys', keys.store],
    ]);
    const encryption = await openZoneEncryptions(policy, provenKeyStores(policy, stores), async () => localKek(newLocalKekJwk('t')));
    const service = new ObjectService({
      policy,
      stores: new StoreRegistry(policy, stores),
      hashIdentifier: await createIdentifierHasher(new TextEncoder().encode('s')),
      now: Date.now,
      encryption: encryption.zones,
    });
    const call = () => ({ principal: { account: 'acme', region: 'GB', scopes: new Set<string>(), expiresAt: 2_000_000_000 }, trail: { action: 'write' } });
    const write = () =>
      service.write(call(), { dataClass: 'chat-transcript', key: 'a.json' }, () => ({
        body: streamIn(new TextEncoder().encode('{"a":1}')),
        contentType: 'application/json',
        contentEncoding: '',
        subject: 'v-1',
      }));

    await assert.rejects(
      write(),
      (error) =>
        isRefusal(error) &&
        error.code === 'store_unavailable' &&
        /key store "london-keys" is out of service: the backend reports region "us-east-1" but the policy places it in "eu-west-2"/.test(error.detail),
    );
    report.region = null;
    await assert.rejects(write(), (error) => isRefusal(error) && error.code === 'store_unavailable' && /did not report its location/.test(error.detail));
    assert.deepEqual(await allKeys(data), [], 'no object stored');
    assert.deepEqual(await allKeys(keys.memory), [], 'no key created');

    report.region = 'eu-west-2';
    await write();
    const read = await service.read(call(), { dataClass: 'chat-transcript', key: 'a.json' });
    assert.equal(await readText(read.body), '{"a":1}');
    assert.equal((await allKeys(keys.memory, 'data-keys/')).length, 1);
    const probes = report.probes;
    await write();
    assert.equal(report.probes, probes, 'once proven, the key store is not probed on every call (a bucket does not change region)');
  });

  test('a key store whose location is only declared (fs, memory, r2, s3 with verifyLocation: false) is used as it is', () => {
    const keyStore = createMemoryStore();
    const declared = loadPolicy(
      JSON.stringify({
        ...policy.document,
        stores: { ...policy.document.stores, 'london-keys': { type: 's3', bucket: 'keys-uk', region: 'eu-west-2', verifyLocation: false } },
      }),
    );
    assert.ok(declared.ok);
    const wrapped = provenKeyStores(declared.policy, new Map([['london-keys', keyStore]]));
    assert.equal(wrapped.get('london-keys'), keyStore);
  });
});

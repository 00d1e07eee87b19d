import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createMemoryStore } from '../src/adapters/memory.ts';
import { utf8 } from '../src/crypto/bytes.ts';
import type { KeyEncryptionKey } from '../src/crypto/kek.ts';
import { nodeKekOpener } from '../src/crypto/kek-node.ts';
import { localKek, newLocalKekJwk } from '../src/crypto/local-kek.ts';
import { edgeKekOpener, openZoneEncryptions, type KekOpener } from '../src/crypto/zone-keys.ts';
import { loadPolicy, type CompiledPolicy } from '../src/policy/load.ts';
import { basePolicy } from './helpers/policies.ts';

function encryptedPolicy(): CompiledPolicy {
  const base = basePolicy();
  const document = {
    ...base,
    encryption: { keys: { dev: { type: 'local', file: 'kek.json', jurisdiction: 'UK' } } },
    zones: { ...base.zones, 'uk-eu': { ...base.zones['uk-eu'], encryption: { key: 'dev', keyStore: 'london-keys' } } },
    stores: { ...base.stores, 'london-keys': { type: 's3', bucket: 'keys-uk', region: 'eu-west-2' } },
  };
  const loaded = loadPolicy(JSON.stringify(document));
  assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
  return loaded.policy;
}

describe('opening keys on the hosts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rp-keys-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('Node, development: a missing key file is created (owner-only) once, and reopened as the same key', async () => {
    const logged: string[] = [];
    const open = nodeKekOpener({ baseDir: dir, env: {}, production: false, log: (line) => logged.push(line) });
    const first = await open('dev', { type: 'local', file: 'sub/kek.json', jurisdiction: 'UK' });
    const text = readFileSync(join(dir, 'sub/kek.json'), 'utf8');
    assert.equal(statSync(join(dir, 'sub/kek.json')).mode & 0o777, 0o600);
    assert.equal(logged.length, 1);
    const second = await open('dev', { type: 'local', file: 'sub/kek.json', jurisdiction: 'UK' });
    assert.equal(readFileSync(join(dir, 'sub/kek.json'), 'utf8'), text);
    const wrapped = await first.wrap(utf8('0123456789abcdef0123456789abcdef'), utf8('ctx'));
    assert.deepEqual(await second.unwrap(wrapped, utf8('ctx')), utf8('0123456789abcdef0123456789abcdef'));
  });

  it('Node, production: a missing key file, secret or PIN is an error, never a new key', async () => {
    const open = nodeKekOpener({ baseDir: dir, env: {}, production: true });
    await assert.rejects(open('prod', { type: 'local', file: 'missing.json', jurisdiction: 'UK' }), /missing\.json does not exist/);
    await assert.rejects(open('prod', { type: 'local', secretEnv: 'RP_KEK', jurisdiction: 'UK' }), /RP_KEK is not set/);
    await assert.rejects(
      open('hsm', { type: 'pkcs11', module: '/nowhere.so', token: 't', label: 'l', pinEnv: 'RP_PIN', jurisdiction: 'UK' }),
      /RP_PIN is not set/,
    );
    const fromSecret = await nodeKekOpener({ baseDir: dir, env: { RP_KEK: newLocalKekJwk('s') }, production: true })('prod', {
      type: 'local',
      secretEnv: 'RP_KEK',
      jurisdiction: 'UK',
    });
    assert.equal(fromSecret.id, 'local:s');
  });

  it('Workers: only local keys given as secrets', async () => {
    const open = edgeKekOpener({ RP_KEK: newLocalKekJwk('edge') }, localKek);
    assert.equal((await open('k', { type: 'local', secretEnv: 'RP_KEK', jurisdiction: 'EU' })).id, 'local:edge');
    await assert.rejects(open('k', { type: 'local', secretEnv: 'RP_OTHER', jurisdiction: 'EU' }), /RP_OTHER is not set/);
    await assert.rejects(open('k', { type: 'local', file: 'k.json', jurisdiction: 'EU' }), /only local keys given as secrets/);
    await assert.rejects(
      open('k', { type: 'pkcs11', module: 'm', token: 't', label: 'l', pinEnv: 'P', jurisdiction: 'EU' }),
      /only local keys given as secrets/,
    );
  });

  it('each zone with encryption gets its key service; a missing key store fails and closes what was opened', async () => {
    const policy = encryptedPolicy();
    assert.deepEqual([...policy.keyStores.keys()], ['london-keys']);
    assert.deepEqual([...policy.stores.keys()].sort(), [...policy.dataStores.keys(), 'london-keys'].sort(), 'the stores the zones use: data and key stores');
    assert.equal(policy.zones.get('uk-eu')?.encryption?.keyName, policy.document.zones['uk-eu']?.encryption?.key);
    let opened = 0;
    let closed = 0;
    const opener: KekOpener = async () => {
      opened += 1;
      const kek = await localKek(newLocalKekJwk('t'));
      return { ...kek, close: async () => void (closed += 1) } satisfies KeyEncryptionKey;
    };
    const encryption = await openZoneEncryptions(policy, new Map([['london-keys', createMemoryStore()]]), opener);
    assert.deepEqual([...encryption.zones.keys()], ['uk-eu']);
    assert.equal(opened, 1);
    await encryption.close();
    assert.equal(closed, 1);
    await assert.rejects(openZoneEncryptions(policy, new Map(), opener), /key store "london-keys" was not opened/);
  });
});

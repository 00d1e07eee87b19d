import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePattern } from '../src/masking/linear-pattern.ts';
import { loadPolicy } from '../src/policy/load.ts';
import { basePolicy } from './helpers/policies.ts';

/** The base policy with encryption: an HSM key in London for the UK/EU zone, keys in their own bucket. */
function encryptedPolicy(change: (policy: ReturnType<typeof withEncryption>) => void = () => {}) {
  const policy = withEncryption();
  change(policy);
  return JSON.stringify(policy);
}

function withEncryption() {
  const base = basePolicy();
  return {
    ...base,
    encryption: {
      keys: {
        'uk-eu-hsm': {
          type: 'pkcs11',
          module: '/usr/lib/softhsm/libsofthsm2.so',
          token: 'uk-eu',
          label: 'kek-1',
          pinEnv: 'HSM_PIN',
          location: 'eu-west-2',
        } as Record<string, unknown>,
        dev: { type: 'local', file: './.data/kek.json', jurisdiction: 'UK' } as Record<string, unknown>,
      },
    },
    zones: {
      ...base.zones,
      'uk-eu': { ...base.zones['uk-eu'], encryption: { key: 'uk-eu-hsm', per: 'subject', keyStore: 'london-keys' } as Record<string, unknown> },
    },
    stores: { ...base.stores, 'london-keys': { type: 's3', bucket: 'keys-uk', region: 'eu-west-2' } as Record<string, unknown> },
    dataClasses: {
      ...base.dataClasses,
      'chat-transcript': {
        retentionDays: 365,
        mask: ['card-number', 'email', { name: 'employee-id', pattern: 'EMP-\\d{6}', maxLength: 10 }],
        atRetention: 'anonymize',
      } as Record<string, unknown>,
    },
  };
}

function errorsOf(text: string): string[] {
  const loaded = loadPolicy(text);
  return loaded.ok ? [] : loaded.errors;
}

describe('policy: encryption keys are placed like stores', () => {
  it('accepts a zone with an in-zone key and a separate in-zone key store', () => {
    const loaded = loadPolicy(encryptedPolicy());
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
    assert.deepEqual(loaded.policy.document.zones['uk-eu']?.encryption, { key: 'uk-eu-hsm', per: 'subject', keyStore: 'london-keys' });
  });

  it('refuses a UK/EU zone whose key is outside the UK and the EU (cloud region or declared)', () => {
    assert.deepEqual(errorsOf(encryptedPolicy((p) => (p.encryption.keys['uk-eu-hsm'] = { ...p.encryption.keys['uk-eu-hsm'], location: 'us-east-1' }))), [
      'zones.uk-eu.encryption.key: key "uk-eu-hsm" is in US (N. Virginia), outside [UK, EU]',
    ]);
    assert.deepEqual(errorsOf(encryptedPolicy((p) => (p.encryption.keys['uk-eu-hsm'] = { ...p.encryption.keys['uk-eu-hsm'], location: 'switzerlandnorth' }))), [
      'zones.uk-eu.encryption.key: key "uk-eu-hsm" is in CH (Zurich, Switzerland), outside [UK, EU]',
    ]);
    assert.deepEqual(
      errorsOf(
        encryptedPolicy(
          (p) => (
            (p.zones['uk-eu'].encryption = { key: 'dev', keyStore: 'london-keys' }),
            (p.encryption.keys.dev = { type: 'local', file: 'k.json', jurisdiction: 'US' })
          ),
        ),
      ),
      ['zones.uk-eu.encryption.key: key "dev" is in US (declared by the policy), outside [UK, EU]'],
    );
  });

  it('refuses an unknown key, an unknown cloud region, and a key with both or neither location and jurisdiction', () => {
    assert.deepEqual(errorsOf(encryptedPolicy((p) => (p.zones['uk-eu'].encryption = { key: 'nope', keyStore: 'london-keys' }))), [
      'zones.uk-eu.encryption.key: no key named "nope" in encryption.keys',
    ]);
    assert.deepEqual(errorsOf(encryptedPolicy((p) => (p.encryption.keys['uk-eu-hsm'] = { ...p.encryption.keys['uk-eu-hsm'], location: 'mars-1' }))), [
      'encryption.keys.uk-eu-hsm.location: unknown cloud region "mars-1" (an AWS or Azure region name)',
    ]);
    assert.equal(errorsOf(encryptedPolicy((p) => (p.encryption.keys['uk-eu-hsm'] = { ...p.encryption.keys['uk-eu-hsm'], jurisdiction: 'UK' }))).length, 1);
    assert.equal(errorsOf(encryptedPolicy((p) => (p.encryption.keys.dev = { type: 'local', jurisdiction: 'UK' }))).length, 1);
  });

  it("refuses a key store that is the data store, shares its bucket or folder, or holds another zone's data", () => {
    const keyStoreErrors = (keyStore: Record<string, unknown> | string) =>
      errorsOf(
        encryptedPolicy((p) => {
          if (typeof keyStore === 'string') p.zones['uk-eu'].encryption = { key: 'uk-eu-hsm', keyStore };
          else p.stores['london-keys'] = keyStore;
        }),
      );
    assert.match(keyStoreErrors('london')[0] ?? '', /store "london" holds or shares storage with data store "london"/);
    assert.match(keyStoreErrors({ type: 's3', bucket: 'sessions-uk', region: 'eu-west-2' })[0] ?? '', /shares storage with data store "london"/);
    assert.match(keyStoreErrors('virginia').join('\n'), /shares storage with data store "virginia"[\s\S]*is in US/);
    const fsPolicy = (dataPath: string, keyPath: string) => {
      const policy = withEncryption();
      (policy.stores as Record<string, unknown>).london = { type: 'fs', path: dataPath, jurisdiction: 'UK' };
      policy.stores['london-keys'] = { type: 'fs', path: keyPath, jurisdiction: 'UK' };
      return errorsOf(JSON.stringify(policy));
    };
    assert.match(fsPolicy('./.data/uk', './.data/uk/keys')[0] ?? '', /shares storage/);
    assert.match(fsPolicy('./.data/uk/', '.data/./uk')[0] ?? '', /shares storage/);
    assert.match(fsPolicy('./.data', './.data/../.data/keys')[0] ?? '', /shares storage/);
    assert.deepEqual(fsPolicy('./.data/uk', './.data/uk-keys'), []);
  });

  it("refuses a key store outside the zone's jurisdictions and a missing key store", () => {
    assert.deepEqual(errorsOf(encryptedPolicy((p) => (p.stores['london-keys'] = { type: 's3', bucket: 'keys', region: 'us-west-2' }))), [
      'zones.uk-eu.encryption.keyStore: store "london-keys" is in US (Oregon), outside [UK, EU]',
    ]);
    assert.deepEqual(errorsOf(encryptedPolicy((p) => (p.zones['uk-eu'].encryption = { key: 'uk-eu-hsm', keyStore: 'vault' }))), [
      'zones.uk-eu.encryption.keyStore: no store named "vault" in stores',
    ]);
  });

  it('refuses unknown keys in the encryption blocks (typos never weaken the policy)', () => {
    assert.deepEqual(errorsOf(encryptedPolicy((p) => (p.zones['uk-eu'].encryption = { key: 'uk-eu-hsm', keyStore: 'london-keys', pre: 'subject' }))), [
      'zones.uk-eu.encryption.pre: unknown key',
    ]);
    assert.match(
      errorsOf(encryptedPolicy((p) => (p.zones['uk-eu'].encryption = { key: 'uk-eu-hsm', keyStore: 'london-keys', per: 'visitor' })))[0] ?? '',
      /zones\.uk-eu\.encryption\.per/,
    );
  });
});

describe('policy: masks of a data class', () => {
  const withMask = (mask: unknown, extra: Record<string, unknown> = {}) =>
    errorsOf(encryptedPolicy((p) => (p.dataClasses['chat-transcript'] = { retentionDays: 365, mask, ...extra })));

  it('accepts the built-in kinds and bounded custom patterns; refuses unknown kinds, duplicates and bad patterns', () => {
    assert.deepEqual(withMask(['card-number', 'email', 'phone', 'iban', 'uk-nino', 'ip-address']), []);
    assert.match(withMask(['card-numbers'])[0] ?? '', /dataClasses\.chat-transcript\.mask\[0\]/);
    assert.match(withMask(['email', 'email'])[0] ?? '', /listed twice/);
    assert.match(withMask([{ name: 'email', pattern: 'x' }])[0] ?? '', /built-in kind/);
    for (const pattern of ['(?=a)b', '(a)\\1', '^EMP', 'a*?', 'a**', 'a{2,1}', 'a{1000}', 'a|', 'x*', '(', '[a-']) {
      assert.match(withMask([{ name: 'custom', pattern }]).join('\n'), /mask\[0\]\.pattern: not a usable pattern|mask\[0\]/, pattern);
    }
    assert.match(withMask([{ name: 'wide', pattern: '(?:[a-z]{1,100}){1,100}' }]).join('\n'), /more than 4000 states/);
    assert.match(withMask(['email'], { atRetention: 'shred' })[0] ?? '', /atRetention/);
  });

  it('a pattern that backtracks catastrophically in a regex engine runs in linear time here', () => {
    const pattern = compilePattern('(a+)+b', 256);
    const text = `${'a'.repeat(200_000)}c`;
    assert.equal(pattern.find(text, 0), null);
    assert.deepEqual(pattern.find('x aaab y', 0), { start: 2, end: 6 });
  });
});

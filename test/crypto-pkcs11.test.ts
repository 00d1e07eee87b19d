import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMemoryStore } from '../src/adapters/memory.ts';
import { utf8 } from '../src/crypto/bytes.ts';
import { DecryptionError } from '../src/crypto/errors.ts';
import type { KeyEncryptionKey } from '../src/crypto/kek.ts';
import { KeyService } from '../src/crypto/key-service.ts';
import { nodeKekOpener } from '../src/crypto/kek-node.ts';
import { pkcs11Kek } from '../src/crypto/pkcs11-node.ts';
import { ZoneEncryption } from '../src/crypto/zone-encryption.ts';
import { readBytes, streamIn } from './helpers/encryption.ts';
import { SOFTHSM_MODULE, softHsmWithKey, type SoftHsm } from './helpers/softhsm.ts';

const options = { module: SOFTHSM_MODULE, token: 'uk-eu', label: 'kek-1', pin: '1234' };
const isDecryptionError = (error: unknown) => error instanceof DecryptionError;

describe('pkcs11 key-encryption key on a SoftHSM2 token', () => {
  let hsm: SoftHsm;
  let kek: KeyEncryptionKey;

  before(async () => {
    hsm = softHsmWithKey(options.token, options.pin, options.label);
    // SoftHSM reads its configuration when the module is initialised, once per process.
    process.env.SOFTHSM2_CONF = hsm.conf;
    kek = await pkcs11Kek(options);
  });

  after(async () => {
    await kek?.close?.();
    hsm?.remove();
  });

  it('wraps inside the token: the wrapped form is not the key, and unwraps only with the same context', async () => {
    const dataKey = crypto.getRandomValues(new Uint8Array(32));
    const wrapped = await kek.wrap(dataKey, utf8('acme/a'));
    assert.equal(wrapped.byteLength, 12 + 32 + 16);
    assert.ok(!Buffer.from(wrapped).includes(Buffer.from(dataKey.subarray(0, 8))));
    assert.deepEqual(await kek.unwrap(wrapped, utf8('acme/a')), dataKey);
    await assert.rejects(kek.unwrap(wrapped, utf8('acme/b')), isDecryptionError);
    const flipped = wrapped.slice();
    flipped[20] = (flipped[20] as number) ^ 1;
    await assert.rejects(kek.unwrap(flipped, utf8('acme/a')), isDecryptionError);
  });

  it('seals and opens an object end to end through the key store, and a second key on the same token shares the session', async () => {
    const keyStore = createMemoryStore();
    const encryption = new ZoneEncryption(new KeyService(keyStore, kek, 'subject'), 1024);
    const plain = utf8('{"messages":["hello"]}'.repeat(500));
    const identity = 'objects/chat-transcript/acme/k';
    const sealed = await readBytes(streamIn(plain, 333).pipeThrough(await encryption.seal('acme', 'h', identity)));
    assert.deepEqual(await readBytes(streamIn(sealed, 100).pipeThrough(encryption.open('acme', 'h', identity, sealed.byteLength))), plain);
    const range = await readBytes(streamIn(sealed).pipeThrough(encryption.open('acme', 'h', identity, sealed.byteLength, { first: 2000, last: 2100 })));
    assert.deepEqual(range, plain.subarray(2000, 2101));

    const again = await pkcs11Kek(options);
    try {
      const reopened = new ZoneEncryption(new KeyService(keyStore, again, 'subject'), 1024);
      assert.deepEqual(await readBytes(streamIn(sealed).pipeThrough(reopened.open('acme', 'h', identity, sealed.byteLength))), plain);
    } finally {
      await again.close?.();
    }
  });

  it('refuses a wrong PIN, an unknown token and an unknown key label', async () => {
    // Login is per process and token: only with every session closed is a PIN checked again.
    await kek.close?.();
    await assert.rejects(pkcs11Kek({ ...options, pin: '9999' }), /CKR_PIN_INCORRECT/);
    kek = await pkcs11Kek(options);
    await assert.rejects(pkcs11Kek({ ...options, token: 'no-such-token' }), /no PKCS#11 token labelled "no-such-token"/);
    await assert.rejects(pkcs11Kek({ ...options, label: 'kek-404' }), /holds 0 AES keys labelled "kek-404"/);
  });

  it('opens through the Node host with the PIN from the environment', async () => {
    const config = {
      type: 'pkcs11' as const,
      module: SOFTHSM_MODULE,
      token: options.token,
      label: options.label,
      pinEnv: 'RP_TEST_HSM_PIN',
      location: 'eu-west-2',
    };
    const hostKek = await nodeKekOpener({ baseDir: '.', env: { RP_TEST_HSM_PIN: options.pin }, production: true })('uk-eu-hsm', config);
    try {
      assert.equal(hostKek.id, 'pkcs11:uk-eu/kek-1');
      const wrapped = await hostKek.wrap(utf8('k'.repeat(32)), utf8('c'));
      assert.deepEqual(await kek.unwrap(wrapped, utf8('c')), utf8('k'.repeat(32)));
    } finally {
      await hostKek.close?.();
    }
  });
});

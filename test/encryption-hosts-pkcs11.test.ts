import assert from 'node:assert/strict';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN, type EncryptedHost, folderBytes, startEncryptedHost } from './helpers/encrypted-host.ts';
import { SOFTHSM_MODULE, type SoftHsm, softHsmWithKey } from './helpers/softhsm.ts';

/**
 * The Node host with the uk-eu zone's key-encryption key in a PKCS#11 token
 * (SoftHSM2, provisioned by a separate process), the PIN from the
 * environment: writes seal, ranges decrypt, erasure destroys the data key so
 * that a restored backup of the data folder cannot be read.
 */

const GB = { account_id: 'acme', account_region: 'GB' };
const TOKEN = 'uk-eu';
const PIN = '4321';
const LABEL = 'kek-hosts';
const CHAT = JSON.stringify({ text: 'mail me at jane.doe@example.com about the sunflower order' });

describe('the Node host with a PKCS#11 key (SoftHSM2)', () => {
  let hsm: SoftHsm;
  let host: EncryptedHost;

  before(async () => {
    hsm = softHsmWithKey(TOKEN, PIN, LABEL);
    // SoftHSM reads its configuration when the module is initialised, once per process.
    process.env.SOFTHSM2_CONF = hsm.conf;
    host = await startEncryptedHost({
      ukKey: { type: 'pkcs11', module: SOFTHSM_MODULE, token: TOKEN, label: LABEL, pinEnv: 'RP_TEST_HSM_PIN', jurisdiction: 'UK' },
      env: { RP_TEST_HSM_PIN: PIN },
    });
  });
  after(async () => {
    await host?.stop();
    hsm?.remove();
  });

  const put = async (path: string, body: string, subject: string, contentType = 'application/json') => {
    const response = await host.as(GB, `/v1/objects/${path}`, { method: 'PUT', headers: { 'content-type': contentType, 'x-subject-id': subject }, body });
    assert.equal(response.status, 201, await response.clone().text());
  };

  test('writes seal under a key wrapped in the token; reads and ranges decrypt', async () => {
    await put('chat-transcript/a.json', CHAT, 'visitor-1');
    const stored = await folderBytes(host.dataDir('london'));
    assert.ok(!stored.includes('sunflower') && !stored.includes('[email]'));
    const [record] = await host.keyRecords('london');
    assert.ok(record);
    const read = await host.as(GB, '/v1/objects/chat-transcript/a.json');
    assert.deepEqual(JSON.parse(await read.text()), { text: 'mail me at [email] about the sunflower order' });
    const range = await host.as(GB, '/v1/objects/chat-transcript/a.json', { headers: { range: 'bytes=9-15' } });
    assert.equal(range.status, 206);
    assert.equal(await range.text(), 'mail me');
  });

  test('a key label the token does not hold: the host does not start', async () => {
    await assert.rejects(
      startEncryptedHost({
        ukKey: { type: 'pkcs11', module: SOFTHSM_MODULE, token: TOKEN, label: 'no-such-key', pinEnv: 'RP_TEST_HSM_PIN', jurisdiction: 'UK' },
        env: { RP_TEST_HSM_PIN: PIN },
      }),
      /holds 0 AES keys labelled "no-such-key"/,
    );
  });

  test('erasure destroys the data key: a restored backup of the data folder is refused', async () => {
    await put('chat-transcript/b.json', CHAT, 'visitor-2');
    const backup = join(host.dir, 'backup');
    await cp(host.dataDir('london'), backup, { recursive: true });
    const before = await host.keyRecords('london');
    const erased = await host.as({ ...GB, ...ADMIN }, '/v1/subjects/visitor-2', { method: 'DELETE' });
    assert.equal(erased.status, 200);
    const receipt = (await erased.json()) as { objectsDeleted: number; keys: { keysDestroyed: number; copiesUnreadable: boolean } };
    assert.equal(receipt.objectsDeleted, 1);
    assert.equal(receipt.keys.keysDestroyed, 1);
    assert.equal(receipt.keys.copiesUnreadable, true);
    assert.equal((await host.keyRecords('london')).length, before.length - 1);
    await rm(host.dataDir('london'), { recursive: true, force: true });
    await cp(backup, host.dataDir('london'), { recursive: true });
    const restored = await host.as(GB, '/v1/objects/chat-transcript/b.json');
    assert.equal(restored.status, 404);
    assert.match(((await restored.json()) as { detail: string }).detail, /destroyed/);
    assert.match(await (await host.as(GB, '/v1/objects/chat-transcript/a.json')).text(), /sunflower/, "another subject's key still unwraps in the token");
  });
});

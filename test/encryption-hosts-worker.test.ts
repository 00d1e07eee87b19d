import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { newLocalKekJwk } from '../src/crypto/local-kek.ts';
import { loadEdgePolicy } from '../src/hosts/worker.ts';
import { checkWorkerConfig } from '../scripts/build-worker-check.ts';
import { accountSegment } from '../src/policy/keys.ts';
import { startJwksServer, type JwksServer } from './helpers/jwks-server.ts';
import { bucketKeys, buildWorker, r2Bucket, startWorker, type BuiltWorker, type RunningWorker } from './helpers/miniflare.ts';
import { createTestIdentity, remoteJwks, type Claims, type TestIdentity } from './helpers/tokens.ts';
import { PROJECT_ROOT } from './helpers/process.ts';

/**
 * Envelope encryption in workerd: a local key-encryption key given as a
 * Worker secret, data keys in an R2 bucket of their own. Writes seal, reads
 * and ranges decrypt, erasure destroys the key so that a restored copy of
 * the bucket's objects cannot be read, and a hold blocks that.
 */

const GB = { account_id: 'acme', account_region: 'GB' };
const ADMIN = { scope: 'residency:admin' };
const BUCKETS = ['SESSIONS_EU', 'KEYS_EU', 'SESSIONS_US'];
const CHUNK = 64 * 1024;
const CHAT = JSON.stringify({ text: 'mail me at jane.doe@example.com about the sunflower order' });

function edgePolicy(auth: object, keyStore: object = { type: 'r2', binding: 'KEYS_EU', jurisdiction: 'eu' }): Record<string, unknown> {
  return {
    version: 1,
    auth,
    encryption: { keys: { edge: { type: 'local', secretEnv: 'RESIDENCY_KEK', jurisdiction: 'EU' } } },
    zones: {
      'uk-eu': { jurisdictions: ['UK', 'EU'], regions: ['GB'], store: 'edge-eu', encryption: { key: 'edge', per: 'subject', keyStore: 'edge-keys' } },
      us: { jurisdictions: ['US'], regions: ['US'], store: 'edge-us' },
    },
    stores: {
      'edge-eu': { type: 'r2', binding: 'SESSIONS_EU', jurisdiction: 'eu' },
      'edge-keys': keyStore,
      'edge-us': { type: 'r2', binding: 'SESSIONS_US', jurisdiction: 'fedramp' },
    },
    dataClasses: { 'chat-transcript': { retentionDays: 365, mask: ['email'] }, 'cobrowse-session': { retentionDays: 30 } },
    limits: { maxObjectBytes: 4 * 1024 * 1024 },
  };
}

/** Every byte of every object of a bucket: what a copy of the bucket holds. */
async function bucketBytes(worker: RunningWorker, binding: string): Promise<Buffer> {
  const bucket = await r2Bucket(worker, binding);
  const parts: Buffer[] = [];
  for (const key of await bucketKeys(worker, binding)) {
    const object = await bucket.get(key);
    assert.ok(object);
    parts.push(Buffer.from(await new Response(object.body).arrayBuffer()));
  }
  return Buffer.concat(parts);
}

interface CopiedObject {
  key: string;
  bytes: Uint8Array;
  httpMetadata: unknown;
  customMetadata: unknown;
}

/** A copy of a bucket's objects with their metadata, as a backup or a replica would keep them. */
async function copyBucket(worker: RunningWorker, binding: string): Promise<CopiedObject[]> {
  const bucket = (await worker.mf.getR2Bucket(binding)) as unknown as {
    get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer>; httpMetadata: unknown; customMetadata: unknown } | null>;
  };
  const copies: CopiedObject[] = [];
  for (const key of await bucketKeys(worker, binding)) {
    const object = await bucket.get(key);
    assert.ok(object);
    copies.push({ key, bytes: new Uint8Array(await object.arrayBuffer()), httpMetadata: object.httpMetadata, customMetadata: object.customMetadata });
  }
  return copies;
}

async function restoreBucket(worker: RunningWorker, binding: string, copies: CopiedObject[]): Promise<void> {
  const bucket = (await worker.mf.getR2Bucket(binding)) as unknown as {
    put(key: string, value: Uint8Array, options: { httpMetadata: unknown; customMetadata: unknown }): Promise<unknown>;
  };
  for (const copy of copies) await bucket.put(copy.key, copy.bytes, { httpMetadata: copy.httpMetadata, customMetadata: copy.customMetadata });
}

let built: BuiltWorker;
before(async () => {
  built = await buildWorker('wrangler.toml');
});
after(() => built?.remove());

describe('encryption in workerd: a local key from a secret, keys in their own R2 bucket', () => {
  let identity: TestIdentity;
  let jwks: JwksServer;
  let worker: RunningWorker;

  before(async () => {
    identity = await createTestIdentity();
    jwks = await startJwksServer(identity.jwks);
    worker = await startWorker(built, {
      r2Buckets: BUCKETS,
      bindings: {
        RESIDENCY_POLICY: JSON.stringify(edgePolicy(identity.authConfig(remoteJwks(jwks.url)))),
        RESIDENCY_HASH_SECRET: 'test-secret',
        RESIDENCY_KEK: newLocalKekJwk('edge'),
      },
    });
  });
  after(async () => {
    await worker?.stop();
    await jwks?.stop();
  });

  const as = async (claims: Claims, path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${await identity.sign(claims)}`);
    return fetch(`${worker.url}${path}`, { ...init, headers });
  };
  const put = async (path: string, body: string, subject: string, contentType = 'application/json') => {
    const response = await as(GB, `/v1/objects/${path}`, { method: 'PUT', headers: { 'content-type': contentType, 'x-subject-id': subject }, body });
    assert.equal(response.status, 201, await response.clone().text());
    return (await response.json()) as Record<string, unknown>;
  };

  test('a write is masked and sealed in R2, its key wrapped in the key bucket; reads and ranges give the plaintext', async () => {
    const placement = await put('chat-transcript/chat.json', CHAT, 'visitor-1');
    assert.deepEqual(placement.masks, { email: 1 });
    const stored = await bucketBytes(worker, 'SESSIONS_EU');
    assert.ok(stored.subarray(0, 4).equals(Buffer.from('RPE1')), 'the stored object is in the encrypted format');
    for (const clear of ['sunflower', '[email]', 'jane.doe']) assert.ok(!stored.includes(clear), `"${clear}" is not in the data bucket`);
    const keys = await bucketKeys(worker, 'KEYS_EU');
    assert.equal(keys.length, 1);
    assert.match(keys[0]!, new RegExp(`^data-keys/${accountSegment('acme')}/subjects/`));
    assert.ok(!(await bucketKeys(worker, 'SESSIONS_EU')).some((key) => key.startsWith('data-keys/')));

    const read = await as(GB, '/v1/objects/chat-transcript/chat.json');
    assert.equal(read.status, 200);
    assert.deepEqual(JSON.parse(await read.text()), { text: 'mail me at [email] about the sunflower order' });

    let text = '';
    for (let line = 0; text.length < 2 * CHUNK + 777; line += 1) text += `${String(line).padStart(7, '0')} event\n`;
    await put('cobrowse-session/big.txt', text, 'visitor-1', 'text/plain');
    for (const [first, last] of [
      [0, 3],
      [CHUNK - 3, CHUNK + 3],
      [2 * CHUNK, text.length - 1],
    ] as const) {
      const range = await as(GB, '/v1/objects/cobrowse-session/big.txt', { headers: { range: `bytes=${first}-${last}` } });
      assert.equal(range.status, 206);
      assert.equal(range.headers.get('content-range'), `bytes ${first}-${last}/${text.length}`);
      assert.equal(await range.text(), text.slice(first, last + 1));
    }
  });

  test('erasure destroys the key: a restored copy of the bucket cannot be read; a hold blocks it first', async () => {
    await put('chat-transcript/erase-me.json', CHAT, 'visitor-2');
    const copies = await copyBucket(worker, 'SESSIONS_EU');
    const keysBefore = await bucketKeys(worker, 'KEYS_EU');

    const hold = await as({ ...GB, ...ADMIN }, '/v1/holds/subjects/visitor-2', { method: 'PUT', body: JSON.stringify({ reason: 'audit' }) });
    assert.equal(hold.status, 201);
    const held = await as({ ...GB, ...ADMIN }, '/v1/subjects/visitor-2', { method: 'DELETE' });
    assert.equal(held.status, 409);
    assert.equal(((await held.json()) as { code: string }).code, 'legal_hold');
    assert.deepEqual(await bucketKeys(worker, 'KEYS_EU'), keysBefore);
    assert.equal((await as({ ...GB, ...ADMIN }, '/v1/holds/subjects/visitor-2', { method: 'DELETE' })).status, 204);

    const erased = await as({ ...GB, ...ADMIN }, '/v1/subjects/visitor-2', { method: 'DELETE' });
    assert.equal(erased.status, 200);
    const receipt = (await erased.json()) as { objectsDeleted: number; keys: { keysDestroyed: number; copiesUnreadable: boolean } };
    assert.equal(receipt.objectsDeleted, 1);
    assert.deepEqual({ ...receipt.keys, detail: undefined }, { keysDestroyed: 1, copiesUnreadable: true, detail: undefined });
    assert.equal((await bucketKeys(worker, 'KEYS_EU')).length, keysBefore.length - 1);

    await restoreBucket(worker, 'SESSIONS_EU', copies);
    const restored = await as(GB, '/v1/objects/chat-transcript/erase-me.json');
    assert.equal(restored.status, 404);
    assert.match(((await restored.json()) as { detail: string }).detail, /destroyed/);
    const other = await as(GB, '/v1/objects/chat-transcript/chat.json');
    assert.equal(other.status, 200, "another subject's object is untouched");
    await other.body?.cancel();
  });
});

describe('a Worker without its key secret', () => {
  test('refuses every request and names the secret in its log, writing nothing', async () => {
    const identity = await createTestIdentity();
    const worker = await startWorker(built, {
      r2Buckets: BUCKETS,
      bindings: { RESIDENCY_POLICY: JSON.stringify(edgePolicy(identity.authConfig(remoteJwks('https://idp.invalid/jwks.json')))) },
    });
    try {
      const response = await fetch(`${worker.url}/v1/objects/chat-transcript/x.json`, { method: 'PUT', body: CHAT });
      assert.equal(response.status, 500);
      assert.equal(((await response.json()) as { code: string }).code, 'internal_error');
      assert.match(worker.output(), /encryption\.keys\.edge\.secretEnv: the secret RESIDENCY_KEK is not set/);
      for (const binding of BUCKETS) assert.deepEqual(await bucketKeys(worker, binding), [], binding);
    } finally {
      await worker.stop();
    }
  });
});

describe('the edge policy checks key stores like stores', () => {
  const auth = { issuer: 'https://idp.test/', audience: 'residency-proxy', algorithms: ['ES256'], jwks: { url: 'https://idp.test/jwks.json' } };

  test('a running Worker refuses what the build refuses: a pkcs11 key', () => {
    const policy = edgePolicy(auth);
    const pkcs11 = { type: 'pkcs11', module: '/usr/lib/softhsm/libsofthsm2.so', token: 't', label: 'l', pinEnv: 'PIN', jurisdiction: 'EU' };
    const loaded = loadEdgePolicy(JSON.stringify({ ...policy, encryption: { keys: { edge: pkcs11 } } }));
    assert.equal(loaded.ok, false);
    assert.match(loaded.ok ? '' : loaded.errors.join('\n'), /zones\.uk-eu\.encryption\.key: key "edge" is a pkcs11 key/);
  });

  test("the build checks the key store's R2 binding and its jurisdiction", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rp-edge-keys-'));
    try {
      const config = (keysBucket: string) =>
        [
          'name = "residency-proxy-edge-keys-test"',
          `main = ${JSON.stringify(join(PROJECT_ROOT, 'src', 'hosts', 'worker.ts'))}`,
          'compatibility_date = "2026-04-20"',
          '[[r2_buckets]]\nbinding = "SESSIONS_EU"\nbucket_name = "sessions-eu"\njurisdiction = "eu"',
          '[[r2_buckets]]\nbinding = "SESSIONS_US"\nbucket_name = "sessions-us"\njurisdiction = "fedramp"',
          keysBucket,
          '[vars]',
          `RESIDENCY_POLICY = '''${JSON.stringify(edgePolicy(auth))}'''`,
          '',
        ].join('\n');
      const check = async (name: string, keysBucket: string) => {
        const path = join(dir, `${name}.toml`);
        await writeFile(path, config(keysBucket));
        return checkWorkerConfig(path).errors;
      };
      assert.deepEqual(await check('bound', '[[r2_buckets]]\nbinding = "KEYS_EU"\nbucket_name = "keys-eu"\njurisdiction = "eu"'), []);
      const unbound = await check('unbound', '');
      assert.equal(unbound.length, 1);
      assert.match(unbound[0]!, /stores\.edge-keys\.binding: no \[\[r2_buckets\]\] entry has binding = "KEYS_EU"/);
      const elsewhere = await check('elsewhere', '[[r2_buckets]]\nbinding = "KEYS_EU"\nbucket_name = "keys-anywhere"');
      assert.equal(elsewhere.length, 1);
      assert.match(
        elsewhere[0]!,
        /stores\.edge-keys\.jurisdiction: the policy places KEYS_EU in jurisdiction "eu", but its \[\[r2_buckets\]\] entry \(keys-anywhere\) has no jurisdiction/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

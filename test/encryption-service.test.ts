import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFsStore } from '../src/adapters/fs.ts';
import { createMemoryStore } from '../src/adapters/memory.ts';
import type { ObjectStore } from '../src/adapters/types.ts';
import { destroyAccountKeys, destroySubjectKey } from '../src/rights/key-destruction.ts';
import { DecryptionError } from '../src/crypto/errors.ts';
import { KeyService } from '../src/crypto/key-service.ts';
import { localKek, newLocalKekJwk } from '../src/crypto/local-kek.ts';
import { ZoneEncryption } from '../src/crypto/zone-encryption.ts';
import { createIdentifierHasher, type IdentifierHasher } from '../src/policy/identifiers.ts';
import { storeKey } from '../src/policy/keys.ts';
import { loadPolicy, type CompiledPolicy } from '../src/policy/load.ts';
import { isRefusal } from '../src/policy/refusal.ts';
import { anonymizeExpired } from '../src/rights/anonymize.ts';
import { eraseSubject } from '../src/rights/erasure.ts';
import { placeHold, releaseHold } from '../src/rights/holds.ts';
import type { AuditTrail } from '../src/service/audit.ts';
import { ObjectService, type Call } from '../src/service/objects.ts';
import { StoreRegistry } from '../src/service/stores.ts';
import { allKeys } from './helpers/gateway.ts';
import { readBytes, readText, streamIn } from './helpers/encryption.ts';
import { fixture } from './helpers/masking.ts';

const ACCOUNT = 'acme';
const SUBJECT = 'visitor-42';

function policyText(dataPath: string, keyPath: string): string {
  return JSON.stringify({
    version: 1,
    auth: { issuer: 'https://idp.test/', audience: 'residency-proxy', algorithms: ['ES256'], jwks: { keys: [{}] } },
    encryption: { keys: { dev: { type: 'local', secretEnv: 'TEST_KEK', jurisdiction: 'UK' } } },
    zones: {
      'uk-eu': { jurisdictions: ['UK', 'EU'], regions: ['GB'], store: 'london', encryption: { key: 'dev', per: 'subject', keyStore: 'london-keys' } },
      us: { jurisdictions: ['US'], regions: ['US'], store: 'virginia' },
    },
    stores: {
      london: { type: 'fs', path: dataPath, jurisdiction: 'UK' },
      'london-keys': { type: 'fs', path: keyPath, jurisdiction: 'UK' },
      virginia: { type: 'memory', jurisdiction: 'US' },
    },
    dataClasses: {
      'chat-transcript': { retentionDays: 365, mask: ['card-number', 'email', 'phone', 'iban', 'uk-nino', 'ip-address'], atRetention: 'anonymize' },
      'technical-metadata': {},
    },
  });
}

interface World {
  dir: string;
  dataPath: string;
  policy: CompiledPolicy;
  data: ObjectStore;
  keyStore: ObjectStore;
  us: ObjectStore;
  encryption: ZoneEncryption;
  service: ObjectService;
  hash: IdentifierHasher;
}

async function world(): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'rp-encryption-'));
  const dataPath = join(dir, 'london');
  const loaded = loadPolicy(policyText(dataPath, join(dir, 'london-keys')));
  assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
  const data = createFsStore({ root: dataPath });
  const keyStore = createFsStore({ root: join(dir, 'london-keys') });
  const us = createMemoryStore();
  const encryption = new ZoneEncryption(new KeyService(keyStore, await localKek(newLocalKekJwk('dev')), 'subject'), 1024);
  const hash = await createIdentifierHasher(new TextEncoder().encode('test secret'));
  const stores = new StoreRegistry(
    loaded.policy,
    new Map([
      ['london', data],
      ['virginia', us],
    ]),
  );
  const service = new ObjectService({
    policy: loaded.policy,
    stores,
    hashIdentifier: hash,
    now: () => Date.parse('2026-11-21T10:00:00Z'),
    encryption: new Map([['uk-eu', encryption]]),
  });
  return { dir, dataPath, policy: loaded.policy, data, keyStore, us, encryption, service, hash };
}

const call = (region = 'GB'): Call & { trail: AuditTrail } => ({
  principal: { account: ACCOUNT, region, scopes: new Set(), expiresAt: 2_000_000_000 },
  trail: { action: 'write' },
});

const chat = () => fixture('chat-transcript.json');
const expectedMasked = () => JSON.parse(new TextDecoder().decode(fixture('chat-transcript.masked.json')));

async function put(w: World, key: string, body: Uint8Array, contentType = 'application/json', subject: string | undefined = SUBJECT, region = 'GB') {
  const c = call(region);
  const placement = await w.service.write(c, { dataClass: 'chat-transcript', key }, () => ({
    body: streamIn(body, 97),
    contentType,
    contentEncoding: '',
    contentLength: body.byteLength,
    ...(subject !== undefined && { subject }),
  }));
  return { placement, trail: c.trail };
}

/** Every byte under a folder, concatenated: what a backup of the store holds. */
function allBytes(root: string): Buffer {
  const parts: Buffer[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else parts.push(readFileSync(full));
    }
  };
  walk(root);
  return Buffer.concat(parts);
}

describe('object service with masking and encryption', () => {
  let w: World;
  before(async () => {
    w = await world();
  });
  after(() => rmSync(w.dir, { recursive: true, force: true }));

  it('masks before storage, counts masks in the 201 body and the audit trail, and stores only ciphertext', async () => {
    const { placement, trail } = await put(w, 'chats/1.json', chat());
    const counts = { email: 3, 'ip-address': 1, 'card-number': 3, phone: 1, iban: 1, 'uk-nino': 1 };
    assert.deepEqual(placement.masks, counts);
    assert.deepEqual(trail.masks, counts);
    const stored = allBytes(w.dataPath);
    for (const text of ['jane.doe', '4111', 'Jane', '[email]', 'messages', 'GB82']) assert.ok(!stored.includes(text), `"${text}" is not stored in clear`);
    const read = await w.service.read(call(), { dataClass: 'chat-transcript', key: 'chats/1.json' });
    const text = await readText(read.body);
    assert.deepEqual(JSON.parse(text), expectedMasked());
    assert.equal(read.info.size, new TextEncoder().encode(text).byteLength);
    assert.equal(placement.size, read.info.size);
  });

  it('head and list report plaintext sizes; a range decrypts to exactly its bytes', async () => {
    const body = new TextEncoder().encode(`${'x'.repeat(5000)}`);
    await put(w, 'chats/plain.txt', body, 'text/plain');
    const head = await w.service.head(call(), { dataClass: 'chat-transcript', key: 'chats/plain.txt' });
    assert.equal(head.info.size, 5000);
    // An object written before encryption was turned on is listed with its stored size, not refused.
    await w.data.put(storeKey({ account: ACCOUNT, dataClass: 'chat-transcript', key: 'chats/plain-legacy' }), streamIn(new Uint8Array([1, 2, 3])), {
      contentType: 'text/plain',
      account: ACCOUNT,
      dataClass: 'chat-transcript',
    });
    const listed = await w.service.list(call(), 'chat-transcript', { prefix: 'chats/plain', limit: 10 });
    assert.deepEqual(
      listed.items.map((item) => [item.key, item.size]),
      [
        ['chats/plain-legacy', 3],
        ['chats/plain.txt', 5000],
      ],
    );
    const read = await w.service.read(call(), { dataClass: 'chat-transcript', key: 'chats/plain.txt' });
    const opened = read as typeof read & { openRange(range: { first: number; last: number }): ReadableStream<Uint8Array> };
    assert.equal((await readBytes(opened.openRange({ first: 1020, last: 2050 }))).byteLength, 1031);
  });

  it('a refused body stores nothing: an image, a type that cannot be masked, text that is not UTF-8, a gzip-encoded body', async () => {
    const before = await allKeys(w.data, 'objects/');
    await assert.rejects(
      put(w, 'r/1', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'image/png'),
      (e) => isRefusal(e) && e.code === 'media_refused',
    );
    await assert.rejects(put(w, 'r/2', new Uint8Array([1, 2, 3]), 'application/octet-stream'), (e) => isRefusal(e) && e.code === 'body_uninspectable');
    // Text that is not UTF-8: the inspector's verdict comes first.
    await assert.rejects(put(w, 'r/3', new Uint8Array([0x61, 0xc3, 0x28]), 'text/plain'), (e) => isRefusal(e) && e.code === 'bad_request');
    await assert.rejects(
      w.service.write(call(), { dataClass: 'chat-transcript', key: 'r/4' }, () => ({
        body: streamIn(new Uint8Array([1])),
        contentType: 'text/plain',
        contentEncoding: 'gzip',
      })),
      (e) => isRefusal(e) && e.code === 'body_uninspectable',
    );
    assert.deepEqual(await allKeys(w.data, 'objects/'), before);
  });

  it('fails closed: a gateway whose zone encrypts but whose keys are not open refuses reads and writes (503) and stores nothing', async () => {
    const stores = new StoreRegistry(
      w.policy,
      new Map([
        ['london', w.data],
        ['virginia', w.us],
      ]),
    );
    const unkeyed = new ObjectService({ policy: w.policy, stores, hashIdentifier: w.hash, now: Date.now });
    const before = await allKeys(w.data, 'objects/');
    const write = unkeyed.write(call(), { dataClass: 'chat-transcript', key: 'unkeyed.json' }, () => ({
      body: streamIn(chat()),
      contentType: 'application/json',
      contentEncoding: '',
    }));
    await assert.rejects(write, (e) => isRefusal(e) && e.code === 'store_unavailable' && /keys are not open/.test(e.detail));
    await assert.rejects(unkeyed.read(call(), { dataClass: 'chat-transcript', key: 'chats/1.json' }), (e) => isRefusal(e) && e.code === 'store_unavailable');
    assert.deepEqual(await allKeys(w.data, 'objects/'), before);
  });

  it('a zone without encryption and a class without masks store the body as sent', async () => {
    const c = call('US');
    const body = new TextEncoder().encode('card 4111 1111 1111 1111');
    await w.service.write(c, { dataClass: 'technical-metadata', key: 'k' }, () => ({ body: streamIn(body), contentType: 'text/plain', contentEncoding: '' }));
    const stored = await w.us.get(storeKey({ account: ACCOUNT, dataClass: 'technical-metadata', key: 'k' }));
    assert.equal(await readText(stored!.body), 'card 4111 1111 1111 1111');
  });
});

describe('erasure destroys the key: a restored backup cannot be read', () => {
  let w: World;
  before(async () => {
    w = await world();
  });
  after(() => rmSync(w.dir, { recursive: true, force: true }));

  it('copies the data store aside, erases the subject, restores the copy: nothing in it decrypts', async () => {
    await put(w, 'chats/a.json', chat());
    await put(w, 'chats/b.json', chat());
    await put(w, 'chats/other.json', chat(), 'application/json', 'visitor-7');
    const backup = join(w.dir, 'backup');
    cpSync(w.dataPath, backup, { recursive: true });

    const subjectHash = await w.hash(SUBJECT);
    const erased = await eraseSubject(w.data, ACCOUNT, subjectHash);
    assert.equal(erased.objectsDeleted, 2);
    assert.equal(await destroySubjectKey(w.encryption, w.data, ACCOUNT, subjectHash), true);

    rmSync(w.dataPath, { recursive: true, force: true });
    cpSync(backup, w.dataPath, { recursive: true });
    for (const key of ['chats/a.json', 'chats/b.json']) {
      await assert.rejects(
        w.service.read(call(), { dataClass: 'chat-transcript', key }),
        (e) => isRefusal(e) && e.code === 'not_found' && /destroyed/.test(e.detail),
        key,
      );
      // Even past the service: a fresh data key for the same subject does not open the restored bytes.
      const stored = await w.data.get(storeKey({ account: ACCOUNT, dataClass: 'chat-transcript', key }));
      assert.ok(stored);
      await w.encryption.keys.keyForWrite({ account: ACCOUNT, subject: subjectHash });
      await assert.rejects(
        readBytes(
          stored.body.pipeThrough(w.encryption.open(ACCOUNT, subjectHash, storeKey({ account: ACCOUNT, dataClass: 'chat-transcript', key }), stored.info.size)),
        ),
        (e) => e instanceof DecryptionError,
      );
      await w.encryption.keys.destroy({ account: ACCOUNT, subject: subjectHash });
    }
    const other = await w.service.read(call(), { dataClass: 'chat-transcript', key: 'chats/other.json' });
    assert.deepEqual(JSON.parse(await readText(other.body)), expectedMasked(), 'another subject of the account is untouched');
  });

  it('a legal hold blocks key destruction (subject and account) and the data stays readable', async () => {
    await put(w, 'chats/held.json', chat(), 'application/json', 'visitor-9');
    const subjectHash = await w.hash('visitor-9');
    await placeHold(w.data, ACCOUNT, { scope: 'subject', subject: subjectHash, reason: 'litigation', placedAt: '2026-11-21T00:00:00Z' });
    await assert.rejects(destroySubjectKey(w.encryption, w.data, ACCOUNT, subjectHash), (e) => isRefusal(e) && e.code === 'legal_hold');
    await assert.rejects(destroyAccountKeys(w.encryption, w.data, ACCOUNT), (e) => isRefusal(e) && e.code === 'legal_hold');
    assert.equal(await w.encryption.keys.exists({ account: ACCOUNT, subject: subjectHash }), true);
    const read = await w.service.read(call(), { dataClass: 'chat-transcript', key: 'chats/held.json' });
    assert.deepEqual(JSON.parse(await readText(read.body)), expectedMasked());
    await releaseHold(w.data, ACCOUNT, subjectHash);
    assert.equal(await destroySubjectKey(w.encryption, w.data, ACCOUNT, subjectHash), true);
    assert.ok((await destroyAccountKeys(w.encryption, w.data, ACCOUNT)) >= 1);
  });
});

describe('anonymise at retention', () => {
  let w: World;
  before(async () => {
    w = await world();
  });
  after(() => rmSync(w.dir, { recursive: true, force: true }));

  it('rewrites the object with every mask of its class, without subject, index entry or expiry; sealed under the account key', async () => {
    const body = new TextEncoder().encode('{"note":"agent wrote the number down: 4111-1111-1111-1111"}');
    // Written to a class that did not mask at the time: the raw value is stored.
    const unmasked = storeKey({ account: ACCOUNT, dataClass: 'chat-transcript', key: 'old.json' });
    const subjectHash = await w.hash(SUBJECT);
    await w.data.put(unmasked, streamIn(body).pipeThrough(await w.encryption.seal(ACCOUNT, subjectHash, unmasked)), {
      contentType: 'application/json',
      account: ACCOUNT,
      dataClass: 'chat-transcript',
      subject: subjectHash,
      expiresAt: '2026-01-01T00:00:00.000Z',
    });
    const info = await w.data.head(unmasked);
    const outcome = await anonymizeExpired(w.data, info!, w.policy.dataClasses.get('chat-transcript')?.mask, w.encryption);
    assert.deepEqual(outcome, { outcome: 'anonymized', masks: { 'card-number': 1 }, bytes: outcome.outcome === 'anonymized' ? outcome.bytes : -1 });
    const after = await w.data.head(unmasked);
    assert.deepEqual(after?.metadata, { contentType: 'application/json', account: ACCOUNT, dataClass: 'chat-transcript' });
    // Destroying the subject's key does not touch anonymous data: it is sealed under the account key now.
    await w.encryption.keys.destroy({ account: ACCOUNT, subject: subjectHash });
    const read = await w.service.read(call(), { dataClass: 'chat-transcript', key: 'old.json' });
    assert.deepEqual(JSON.parse(await readText(read.body)), { note: 'agent wrote the number down: ****-****-****-1111' });
  });

  it('an object that cannot be masked is deleted instead, and the outcome says why', async () => {
    const key = storeKey({ account: ACCOUNT, dataClass: 'chat-transcript', key: 'blob.bin' });
    await w.data.put(key, streamIn(new Uint8Array([1, 2, 3])), {
      contentType: 'application/octet-stream',
      account: ACCOUNT,
      dataClass: 'chat-transcript',
      expiresAt: '2026-01-01T00:00:00.000Z',
    });
    const outcome = await anonymizeExpired(w.data, (await w.data.head(key))!, ['email'], w.encryption);
    assert.equal(outcome.outcome, 'deleted');
    assert.equal(await w.data.head(key), null);
  });
});

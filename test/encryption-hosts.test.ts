import assert from 'node:assert/strict';
import { cp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { locateObject } from '../src/adapters/fs-layout.ts';
import { sweepCommand } from '../src/cli/sweep.ts';
import { ConfigurationError } from '../src/hosts/configuration-error.ts';
import { accountSegment, storeKey } from '../src/policy/keys.ts';
import { streamOf } from '../src/adapters/streams.ts';
import { createMemoryStore } from '../src/adapters/memory.ts';
import { allKeys, memoryPolicy, startTestGateway } from './helpers/gateway.ts';
import { ADMIN, type EncryptedHost, folderBytes, readToEnd, startEncryptedHost } from './helpers/encrypted-host.ts';
import type { Claims } from './helpers/tokens.ts';

/**
 * Envelope encryption wired into the Node host, end to end through HTTP:
 * the host opens the key stores and the key-encryption keys from the policy
 * file, writes seal, reads and ranges decrypt, erasure destroys keys (and a
 * restored backup of the data folder cannot be read), a hold blocks that, and
 * the sweep anonymises at retention.
 */

const GB = { account_id: 'acme', account_region: 'GB' };
const US = { account_id: 'acme', account_region: 'US' };
const CHUNK = 64 * 1024;
const HEADER_BYTES = 40;

/** An erasure receipt, as far as these tests read it. */
interface Receipt {
  objectsDeleted: number;
  keys: { keysDestroyed: number; copiesUnreadable: boolean; detail: string };
}

/** A line the sweep prints: its summary of a store, or an audit event. */
interface SweepLine {
  type?: string;
  action?: string;
  store?: string;
  expired?: number;
  anonymized?: number;
  deleted?: number;
  deletedUnmaskable?: number;
  masksApplied?: Record<string, number>;
  masks?: Record<string, number>;
}

const CHAT = JSON.stringify({
  messages: [{ from: 'visitor', text: 'mail me at jane.doe@example.com, card 4111 1111 1111 1111, about the sunflower order' }],
});

/** Text whose every byte can be checked: numbered lines of 32 bytes. */
function numberedText(bytes: number): string {
  let text = '';
  for (let line = 0; text.length < bytes; line += 1) text += `line ${String(line).padStart(8, '0')} of the session\n`.padEnd(32, '.');
  return text.slice(0, bytes);
}

async function put(
  host: EncryptedHost,
  claims: Claims,
  path: string,
  body: string,
  subject?: string,
  contentType = 'application/json',
): Promise<Record<string, unknown>> {
  const response = await host.as(claims, `/v1/objects/${path}`, {
    method: 'PUT',
    headers: { 'content-type': contentType, ...(subject !== undefined && { 'x-subject-id': subject }) },
    body,
  });
  assert.equal(response.status, 201, await response.clone().text());
  return (await response.json()) as Record<string, unknown>;
}

async function subjectHashOf(host: EncryptedHost, claims: Claims, subject: string): Promise<string> {
  const response = await host.as({ ...claims, ...ADMIN }, `/v1/subjects/${subject}/objects`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { subjectHash: string }).subjectHash;
}

/** Replaces a data store's folder with a copy taken earlier, as restoring a backup would. */
async function restore(backup: string, folder: string): Promise<void> {
  await rm(folder, { recursive: true, force: true });
  await cp(backup, folder, { recursive: true });
}

describe('the Node host with encryption: writes, reads and ranges', () => {
  let host: EncryptedHost;
  before(async () => {
    host = await startEncryptedHost();
  });
  after(() => host?.stop());

  test('a write is masked and sealed: the data folder holds neither the plaintext nor the masked text, and no key', async () => {
    const placement = await put(host, GB, 'chat-transcript/chats/1.json', CHAT, 'visitor-1');
    assert.deepEqual(placement.masks, { email: 1, 'card-number': 1 });
    const read = await host.as(GB, '/v1/objects/chat-transcript/chats/1.json');
    assert.equal(read.status, 200);
    const text = await read.text();
    assert.match(text, /mail me at \[email\], card \*{4} \*{4} \*{4} 1111, about the sunflower order/);
    assert.equal(Number(read.headers.get('content-length')), Buffer.byteLength(text));
    assert.equal(placement.size, Buffer.byteLength(text));
    const head = await host.as(GB, '/v1/objects/chat-transcript/chats/1.json', { method: 'HEAD' });
    assert.equal(Number(head.headers.get('content-length')), Buffer.byteLength(text));

    const stored = await folderBytes(host.dataDir('london'));
    for (const clear of ['sunflower', '[email]', 'jane.doe', '1111', 'messages']) assert.ok(!stored.includes(clear), `"${clear}" is not in the data folder`);
    assert.deepEqual(await host.dataKeys('london', 'data-keys/'), [], 'no wrapped key is kept beside the data');
    const listed = await host.as({ ...GB, ...ADMIN }, '/v1/subjects/visitor-1/objects');
    const items = ((await listed.json()) as { items: Array<{ key: string; size: number }> }).items;
    assert.deepEqual(items, [{ ...items[0], key: 'chats/1.json', size: Buffer.byteLength(text) }], "the subject's listing gives the plaintext size");
    const hash = await subjectHashOf(host, GB, 'visitor-1');
    assert.deepEqual(await host.keyRecords('london'), [`data-keys/${accountSegment('acme')}/subjects/${hash}`]);
  });

  test('a zone without encryption stores the masked body as it is (the control of the test above)', async () => {
    await put(host, US, 'chat-transcript/chats/1.json', CHAT, 'visitor-1');
    const stored = await folderBytes(host.dataDir('virginia'));
    assert.ok(stored.includes('about the sunflower order'));
    assert.ok(stored.includes('[email]'));
  });

  test('ranges of an encrypted object: first byte, across chunk boundaries, the end, suffix and open ranges, 416 past the end', async () => {
    const text = numberedText(3 * CHUNK + 12_345);
    await put(host, GB, 'cobrowse-session/big.txt', text, 'visitor-1', 'text/plain');
    const size = Buffer.byteLength(text);
    const cases: Array<[string, number, number]> = [
      ['bytes=0-0', 0, 0],
      [`bytes=${CHUNK - 6}-${CHUNK + 9}`, CHUNK - 6, CHUNK + 9],
      [`bytes=${CHUNK}-${3 * CHUNK - 1}`, CHUNK, 3 * CHUNK - 1],
      [`bytes=${2 * CHUNK + 1}-${2 * CHUNK + 100}`, 2 * CHUNK + 1, 2 * CHUNK + 100],
      [`bytes=${size - 10}-${size + 500}`, size - 10, size - 1],
      ['bytes=-7', size - 7, size - 1],
      [`bytes=${3 * CHUNK}-`, 3 * CHUNK, size - 1],
    ];
    for (const [header, first, last] of cases) {
      const response = await host.as(GB, '/v1/objects/cobrowse-session/big.txt', { headers: { range: header } });
      assert.equal(response.status, 206, header);
      assert.equal(response.headers.get('content-range'), `bytes ${first}-${last}/${size}`, header);
      assert.equal(Number(response.headers.get('content-length')), last - first + 1, header);
      assert.equal(await response.text(), text.slice(first, last + 1), header);
    }
    const past = await host.as(GB, '/v1/objects/cobrowse-session/big.txt', { headers: { range: `bytes=${size}-` } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${size}`);
    await past.body?.cancel();
    const whole = await host.as(GB, '/v1/objects/cobrowse-session/big.txt');
    assert.equal(await whole.text(), text);
  });

  test('a range decrypts only its own chunks: with the first chunk tampered, a later range still reads, the whole object does not', async () => {
    const text = numberedText(3 * CHUNK);
    await put(host, GB, 'cobrowse-session/tampered.txt', text, 'visitor-1', 'text/plain');
    const { file } = locateObject(host.dataDir('london'), storeKey({ account: 'acme', dataClass: 'cobrowse-session', key: 'tampered.txt' }));
    const handle = await open(file, 'r+');
    try {
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, HEADER_BYTES + 100);
      await handle.write(Buffer.from([byte[0]! ^ 0x01]), 0, 1, HEADER_BYTES + 100);
    } finally {
      await handle.close();
    }
    const later = await host.as(GB, '/v1/objects/cobrowse-session/tampered.txt', { headers: { range: `bytes=${2 * CHUNK + 5}-${2 * CHUNK + 60}` } });
    assert.equal(later.status, 206);
    assert.equal(await later.text(), text.slice(2 * CHUNK + 5, 2 * CHUNK + 61));

    for (const range of [undefined, 'bytes=0-9', `bytes=${CHUNK - 2}-${CHUNK + 2}`]) {
      const response = await host.as(GB, '/v1/objects/cobrowse-session/tampered.txt', range === undefined ? {} : { headers: { range } });
      const body = await readToEnd(response);
      assert.ok(body === null || response.status >= 400, `${range ?? 'the whole object'} is not served from a tampered chunk`);
      assert.ok(body === null || !body.includes('line 00000000'), 'no plaintext of the tampered chunk');
    }
  });
});

describe('the Node host with encryption: erasure destroys keys', () => {
  let host: EncryptedHost;
  before(async () => {
    host = await startEncryptedHost();
  });
  after(() => host?.stop());

  test('subject erasure destroys the key; a backup of the data folder restored afterwards cannot be read', async () => {
    await put(host, GB, 'chat-transcript/chats/a.json', CHAT, 'visitor-2');
    await put(host, GB, 'cobrowse-session/a.json', '{"clicks":3}', 'visitor-2');
    await put(host, GB, 'chat-transcript/chats/other.json', CHAT, 'visitor-3');
    const hash = await subjectHashOf(host, GB, 'visitor-2');
    const record = `data-keys/${accountSegment('acme')}/subjects/${hash}`;
    assert.ok((await host.keyRecords('london')).includes(record));
    const backup = join(host.dir, 'backup-london');
    await cp(host.dataDir('london'), backup, { recursive: true });

    const erased = await host.as({ ...GB, ...ADMIN }, '/v1/subjects/visitor-2', { method: 'DELETE' });
    assert.equal(erased.status, 200);
    const receipt = (await erased.json()) as Receipt;
    assert.equal(receipt.objectsDeleted, 2);
    assert.equal(receipt.keys.keysDestroyed, 1);
    assert.equal(receipt.keys.copiesUnreadable, true);
    assert.match(receipt.keys.detail, /data key is destroyed: copies .* can no longer be decrypted/);
    assert.ok(!(await host.keyRecords('london')).includes(record), 'the wrapped key is gone from the key store');

    await restore(backup, host.dataDir('london'));
    for (const path of ['chat-transcript/chats/a.json', 'cobrowse-session/a.json']) {
      const read = await host.as(GB, `/v1/objects/${path}`);
      assert.equal(read.status, 404, path);
      const problem = (await read.json()) as { code: string; detail: string };
      assert.equal(problem.code, 'not_found');
      assert.match(problem.detail, /destroyed/);
    }
    const other = await host.as(GB, '/v1/objects/chat-transcript/chats/other.json');
    assert.equal(other.status, 200, 'another subject of the account keeps its key');
    assert.match(await other.text(), /sunflower/);

    // The subject writes again: a new key, which does not open what the old one sealed.
    await put(host, GB, 'chat-transcript/chats/new.json', CHAT, 'visitor-2');
    assert.ok((await host.keyRecords('london')).includes(record));
    const restored = await host.as(GB, '/v1/objects/chat-transcript/chats/a.json');
    const body = await readToEnd(restored);
    assert.ok(body === null || restored.status >= 400, 'the restored object stays unreadable under the new key');
    assert.ok(body === null || !body.includes('sunflower'));
    const fresh = await host.as(GB, '/v1/objects/chat-transcript/chats/new.json');
    assert.match(await fresh.text(), /sunflower/);
  });

  test('a legal hold blocks key destruction, subject and account alike; the data stays readable; released, the key goes', async () => {
    await put(host, GB, 'chat-transcript/chats/held.json', CHAT, 'visitor-4');
    const hold = await host.as({ ...GB, ...ADMIN }, '/v1/holds/subjects/visitor-4', { method: 'PUT', body: JSON.stringify({ reason: 'litigation' }) });
    assert.equal(hold.status, 201);
    const records = await host.keyRecords('london');
    const dataKeys = await host.dataKeys('london', 'objects/');

    const subject = await host.as({ ...GB, ...ADMIN }, '/v1/subjects/visitor-4', { method: 'DELETE' });
    assert.equal(subject.status, 409);
    assert.equal(((await subject.json()) as { code: string }).code, 'legal_hold');
    const account = await host.as({ ...GB, ...ADMIN }, '/v1/account', { method: 'DELETE', headers: { 'x-confirm-account': 'acme' } });
    assert.equal(account.status, 409);
    assert.equal(((await account.json()) as { code: string }).code, 'legal_hold');
    assert.deepEqual(await host.keyRecords('london'), records, 'no key destroyed');
    assert.deepEqual(await host.dataKeys('london', 'objects/'), dataKeys, 'no object erased');
    assert.match(await (await host.as(GB, '/v1/objects/chat-transcript/chats/held.json')).text(), /sunflower/);

    assert.equal((await host.as({ ...GB, ...ADMIN }, '/v1/holds/subjects/visitor-4', { method: 'DELETE' })).status, 204);
    const erased = await host.as({ ...GB, ...ADMIN }, '/v1/subjects/visitor-4', { method: 'DELETE' });
    assert.equal(erased.status, 200);
    assert.equal(((await erased.json()) as { keys: { keysDestroyed: number } }).keys.keysDestroyed, 1);
    assert.equal((await host.keyRecords('london')).length, records.length - 1);
  });

  test('keys per account: subject erasure destroys no key and the receipt does not claim copies are unreadable; account erasure does', async () => {
    const IE = { account_id: 'globex', account_region: 'IE' };
    await put(host, IE, 'chat-transcript/c1.json', CHAT, 'customer-1');
    await put(host, IE, 'chat-transcript/c2.json', CHAT, 'customer-2');
    assert.deepEqual(await host.keyRecords('dublin'), [`data-keys/${accountSegment('globex')}/account`]);
    const backup = join(host.dir, 'backup-dublin');
    await cp(host.dataDir('dublin'), backup, { recursive: true });

    const subject = await host.as({ ...IE, ...ADMIN }, '/v1/subjects/customer-1', { method: 'DELETE' });
    assert.equal(subject.status, 200);
    const receipt = (await subject.json()) as Receipt;
    assert.equal(receipt.objectsDeleted, 1);
    assert.deepEqual(
      { keysDestroyed: receipt.keys.keysDestroyed, copiesUnreadable: receipt.keys.copiesUnreadable },
      { keysDestroyed: 0, copiesUnreadable: false },
    );
    assert.match(receipt.keys.detail, /one data key per account.*no key was destroyed.*stay readable/);
    assert.deepEqual(await host.keyRecords('dublin'), [`data-keys/${accountSegment('globex')}/account`]);
    // What the receipt says is true: a restored copy is readable.
    await restore(backup, host.dataDir('dublin'));
    assert.match(await (await host.as(IE, '/v1/objects/chat-transcript/c1.json')).text(), /sunflower/);

    const account = await host.as({ ...IE, ...ADMIN }, '/v1/account', { method: 'DELETE', headers: { 'x-confirm-account': 'globex' } });
    assert.equal(account.status, 200);
    const accountReceipt = (await account.json()) as Receipt;
    assert.equal(accountReceipt.keys.keysDestroyed, 1);
    assert.equal(accountReceipt.keys.copiesUnreadable, true);
    assert.deepEqual(await host.keyRecords('dublin'), []);
    await restore(backup, host.dataDir('dublin'));
    for (const key of ['c1.json', 'c2.json']) {
      const read = await host.as(IE, `/v1/objects/chat-transcript/${key}`);
      assert.equal(read.status, 404, key);
      assert.match(((await read.json()) as { detail: string }).detail, /destroyed/);
    }
  });

  test('a zone without encryption: the receipt claims nothing about keys', async () => {
    await put(host, US, 'chat-transcript/u.json', CHAT, 'visitor-5');
    const erased = await host.as({ ...US, ...ADMIN }, '/v1/subjects/visitor-5', { method: 'DELETE' });
    assert.equal(erased.status, 200);
    const receipt = (await erased.json()) as Record<string, unknown>;
    assert.equal(receipt.objectsDeleted, 1);
    assert.equal('keys' in receipt, false);
  });
});

describe('the sweep anonymises at retention in an encrypted zone', () => {
  let host: EncryptedHost;
  before(async () => {
    host = await startEncryptedHost();
  });
  after(() => host?.stop());

  test('an anonymising class is rewritten with every mask and no subject, a deleting class is deleted; summary and audit count them apart', async () => {
    const body = JSON.stringify({ text: 'seen from 192.0.2.44, mail jane.doe@example.com' });
    await put(host, GB, 'chat-transcript/old.json', body, 'visitor-9');
    await put(host, GB, 'cobrowse-session/old.json', '{"clicks":3}', 'visitor-9');
    await put(host, GB, 'technical-metadata/kept.json', '{"build":"1.2.3"}', 'visitor-9');
    // The policy gains a mask after the write: anonymisation applies every mask the class has now.
    const sweepPolicy = await host.policyVariant('policy-sweep', ['email', 'card-number', 'ip-address']);
    const lines: string[] = [];
    const errors: string[] = [];
    // sweepCommand writes to process.stdout and process.stderr by default; it only calls write().
    // sweepCommand only calls write() on its outputs.
    const writer = (into: string[]) => ({ write: (text: string) => into.push(...text.split('\n').filter(Boolean)) !== 0 });
    const in400Days = new Date(Date.now() + 400 * 86_400_000).toISOString();
    const code = await sweepCommand(
      ['--policy', sweepPolicy, '--now', in400Days],
      {},
      writer(lines) as unknown as typeof process.stdout,
      writer(errors) as unknown as typeof process.stderr,
    );
    assert.equal(code, 0, errors.join('\n'));

    const events = lines.map((line) => JSON.parse(line) as SweepLine);
    const london = events.find((event) => event.type === 'sweep' && event.store === 'london');
    assert.ok(london, lines.join('\n'));
    assert.deepEqual(
      {
        expired: london.expired,
        anonymized: london.anonymized,
        deleted: london.deleted,
        deletedUnmaskable: london.deletedUnmaskable,
        masksApplied: london.masksApplied,
      },
      { expired: 2, anonymized: 1, deleted: 1, deletedUnmaskable: 0, masksApplied: { 'ip-address': 1 } },
    );
    assert.ok(!events.some((event) => event.type === 'sweep' && (event.store === 'london-keys' || event.store === 'dublin-keys')), 'key stores are not swept');
    const audits = events.filter((event) => event.store === 'london' && event.action !== undefined);
    assert.deepEqual(
      audits.map((event) => event.action),
      ['sweep', 'sweep-anonymize'],
    );
    assert.deepEqual(audits[1]!.masks, { 'ip-address': 1 });

    const read = await host.as(GB, '/v1/objects/chat-transcript/old.json');
    assert.equal(read.status, 200);
    assert.deepEqual(JSON.parse(await read.text()), { text: 'seen from [ip-address], mail [email]' });
    assert.equal(read.headers.get('x-residency-expires-at'), null, 'anonymous data has no expiry');
    assert.equal((await host.as(GB, '/v1/objects/cobrowse-session/old.json')).status, 404);
    const stored = await folderBytes(host.dataDir('london'));
    assert.ok(!stored.includes('[ip-address]') && !stored.includes('seen from'), 'the anonymised object is sealed again');

    // The subject link is gone: the subject's erasure no longer reaches it, and destroying its key does not make it unreadable.
    const listed = await host.as({ ...GB, ...ADMIN }, '/v1/subjects/visitor-9/objects');
    assert.deepEqual(
      ((await listed.json()) as { items: Array<{ key: string }> }).items.map((item) => item.key),
      ['kept.json'],
    );
    const erased = await host.as({ ...GB, ...ADMIN }, '/v1/subjects/visitor-9', { method: 'DELETE' });
    const receipt = (await erased.json()) as Receipt;
    assert.equal(receipt.objectsDeleted, 1);
    assert.equal(receipt.keys.keysDestroyed, 1);
    assert.deepEqual(JSON.parse(await (await host.as(GB, '/v1/objects/chat-transcript/old.json')).text()), { text: 'seen from [ip-address], mail [email]' });
  });
});

describe('the Node host refuses to start without its keys', () => {
  test('a key given as a secret that is not set: a configuration error naming it', async () => {
    await assert.rejects(
      startEncryptedHost({ ukKey: { type: 'local', secretEnv: 'RP_TEST_UK_KEK', jurisdiction: 'UK' } }),
      (error: unknown) => error instanceof ConfigurationError && /RP_TEST_UK_KEK is not set/.test(error.errors.join('\n')),
    );
  });

  test('in production a missing key file is an error, never a new key', async () => {
    await assert.rejects(
      startEncryptedHost({ env: { NODE_ENV: 'production' } }),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        /encryption\.keys\.uk\.file: \.\/kek\.json does not exist \(created only in development\)/.test(error.errors.join('\n')),
    );
  });
});

describe('a gateway whose zone encrypts but whose keys are not open', () => {
  test('refuses erasure (503) like reads and writes, and erases nothing', async () => {
    const policy = memoryPolicy();
    policy.encryption = { keys: { dev: { type: 'local', secretEnv: 'RP_TEST_UNUSED_KEK', jurisdiction: 'UK' } } };
    policy.zones['uk-eu'].encryption = { key: 'dev', keyStore: 'london-keys' };
    policy.stores['london-keys'] = { type: 'memory', jurisdiction: 'UK' };
    const london = createMemoryStore();
    await london.put(storeKey({ account: 'acme', dataClass: 'chat-transcript', key: 'kept.json' }), streamOf(new TextEncoder().encode('{}')), {
      contentType: 'application/json',
      account: 'acme',
      dataClass: 'chat-transcript',
    });
    const gw = await startTestGateway({
      policy,
      stores: new Map([
        ['london', london],
        ['virginia', createMemoryStore()],
      ]),
    });
    try {
      const before = await allKeys(london);
      for (const [path, headers] of [
        ['/v1/subjects/visitor-1', {}],
        ['/v1/account', { 'x-confirm-account': 'acme' }],
      ] as const) {
        const response = await gw.as({ ...GB, ...ADMIN }, path, { method: 'DELETE', headers });
        assert.equal(response.status, 503, path);
        assert.equal(((await response.json()) as { code: string }).code, 'store_unavailable');
      }
      assert.deepEqual(await allKeys(london), before);
    } finally {
      await gw.stop();
    }
  });
});

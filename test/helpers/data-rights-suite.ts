import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ObjectStore } from '../../src/adapters/types.ts';
import { eraseSubject } from '../../src/rights/erasure.ts';
import { accountSegment, stagedUploadsPrefix } from '../../src/policy/keys.ts';
import { sweepStore } from '../../src/rights/retention.ts';
import { faultyStore, type FaultyStore } from './faulty-store.ts';
import { allKeys, memoryPolicy, startTestGateway, type TestGateway } from './gateway.ts';

/**
 * Deletion on request, retention and legal holds, through the HTTP API, on
 * whichever store `openStore` gives (both zones share it: the suite is about
 * the store's behaviour, not routing). The store is wrapped so that a test can
 * make it go down in the middle of an erasure.
 */
export interface DataRightsBackend {
  openStore(): Promise<ObjectStore>;
}

const DAY = 86_400_000;
const ADMIN = { scope: 'residency:admin' };

/**
 * Every key that names an account, except the marker its erasures leave
 * (kept a day so that writes racing the erasure find it; the sweep then
 * removes it, see the test of that below).
 */
async function keysNamingAccount(store: ObjectStore, account: string): Promise<string[]> {
  return (await allKeys(store)).filter((key) => key.includes(`/${account}/`) && !key.startsWith(`erasures/${account}/`));
}

export function dataRightsSuite(label: string, backend: DataRightsBackend): void {
  describe(`data-subject rights and retention on ${label}`, () => {
    let gw: TestGateway;
    let store: FaultyStore;
    const clock = Date.parse('2026-01-01T00:00:00Z');

    before(async () => {
      store = faultyStore(await backend.openStore());
      const policy = memoryPolicy();
      gw = await startTestGateway({
        policy,
        stores: new Map([
          ['london', store],
          ['virginia', store],
        ]),
        now: () => clock,
      });
    });
    after(() => gw.stop());

    const put = async (account: string, dataClass: string, key: string, subject?: string, body = `{"k":"${key}"}`) => {
      const response = await gw.as({ account_id: account, account_region: 'GB' }, `/v1/objects/${dataClass}/${key}`, {
        method: 'PUT',
        headers: subject === undefined ? {} : { 'x-subject-id': subject },
        body,
      });
      assert.equal(response.status, 201, await response.clone().text());
    };
    const exists = async (account: string, dataClass: string, key: string) =>
      (await gw.as({ account_id: account, account_region: 'GB' }, `/v1/objects/${dataClass}/${key}`, { method: 'HEAD' })).status === 200;
    const admin = (account: string, path: string, init: RequestInit = {}) => gw.as({ account_id: account, account_region: 'GB', ...ADMIN }, path, init);

    test('erasing a subject removes its objects across data classes and listing pages, and nothing else', async () => {
      for (let i = 0; i < 7; i++) await put('acme', i % 2 ? 'chat-transcript' : 'cobrowse-session', `visit/${i}.json`, 'visitor-1', 'x'.repeat(10 + i));
      await put('acme', 'chat-transcript', 'other/1.json', 'visitor-2');
      await put('acme', 'chat-transcript', 'nobody.json');
      await put('globex', 'chat-transcript', 'visit/0.json', 'visitor-1');

      const listed = await admin('acme', '/v1/subjects/visitor-1/objects?limit=1000');
      assert.equal(listed.status, 200);
      const listing = (await listed.json()) as { items: Array<{ dataClass: string; key: string }> };
      assert.equal(listing.items.length, 7);

      const erased = await admin('acme', '/v1/subjects/visitor-1', { method: 'DELETE' });
      assert.equal(erased.status, 200, await erased.clone().text());
      const receipt = (await erased.json()) as Record<string, unknown>;
      assert.equal(receipt.account, 'acme');
      assert.equal(receipt.zone, 'uk-eu');
      assert.equal(receipt.objectsDeleted, 7);
      assert.equal(
        receipt.bytesDeleted,
        [0, 1, 2, 3, 4, 5, 6].reduce((sum, i) => sum + 10 + i, 0),
      );
      assert.match(String(receipt.subjectHash), /^[0-9a-f]{32}$/);
      assert.ok(!JSON.stringify(receipt).includes('visitor-1'));
      for (const key of ['startedAt', 'finishedAt', 'policyVersion']) assert.ok(receipt[key], key);

      for (let i = 0; i < 7; i++) assert.equal(await exists('acme', i % 2 ? 'chat-transcript' : 'cobrowse-session', `visit/${i}.json`), false);
      assert.equal(await exists('acme', 'chat-transcript', 'other/1.json'), true);
      assert.equal(await exists('acme', 'chat-transcript', 'nobody.json'), true);
      assert.equal(await exists('globex', 'chat-transcript', 'visit/0.json'), true, "another account's object of the same subject id");
      const again = (await (await admin('acme', '/v1/subjects/visitor-1', { method: 'DELETE' })).json()) as Record<string, unknown>;
      assert.equal(again.objectsDeleted, 0, 'erasure is idempotent');
    });

    test('erasure pages through a long index in small batches', async () => {
      for (let i = 0; i < 12; i++) await put('paged', 'chat-transcript', `p/${i}.json`, 'visitor-p');
      const hash = await gw.deps.hashIdentifier('visitor-p');
      const count = await eraseSubject(store, 'paged', hash, 5);
      assert.equal(count.objectsDeleted, 12);
      assert.deepEqual(await keysNamingAccount(store, 'paged'), []);
    });

    test("an object overwritten for another subject survives the first subject's erasure", async () => {
      await put('acme', 'chat-transcript', 'reused.json', 'visitor-old');
      await put('acme', 'chat-transcript', 'reused.json', 'visitor-new', '{"owner":"new"}');
      const receipt = (await (await admin('acme', '/v1/subjects/visitor-old', { method: 'DELETE' })).json()) as Record<string, unknown>;
      assert.equal(receipt.objectsDeleted, 0);
      assert.equal(await exists('acme', 'chat-transcript', 'reused.json'), true);
    });

    test('an erasure racing a write for the same subject: a second run leaves nothing', async () => {
      await Promise.all(Array.from({ length: 5 }, (_, i) => put('race', 'chat-transcript', `before/${i}.json`, 'visitor-r')));
      const [erasure] = await Promise.all([
        admin('race', '/v1/subjects/visitor-r', { method: 'DELETE' }),
        put('race', 'chat-transcript', 'during.json', 'visitor-r'),
      ]);
      assert.equal(erasure.status, 200);
      assert.equal((await admin('race', '/v1/subjects/visitor-r', { method: 'DELETE' })).status, 200);
      for (let i = 0; i < 5; i++) assert.equal(await exists('race', 'chat-transcript', `before/${i}.json`), false);
      assert.equal(await exists('race', 'chat-transcript', 'during.json'), false);
      assert.deepEqual(await keysNamingAccount(store, 'race'), []);
    });

    test('a legal hold blocks erasure (409) and the sweep; releasing it unblocks both', async () => {
      await put('held', 'cobrowse-session', 'h/1.json', 'visitor-h');
      const placed = await admin('held', '/v1/holds/subjects/visitor-h', { method: 'PUT', body: JSON.stringify({ reason: 'litigation 2026-17' }) });
      assert.equal(placed.status, 201);
      const blocked = await admin('held', '/v1/subjects/visitor-h', { method: 'DELETE' });
      assert.equal(blocked.status, 409);
      const problem = (await blocked.json()) as { code: string; detail: string };
      assert.equal(problem.code, 'legal_hold');
      assert.match(problem.detail, /litigation 2026-17/);
      const holds = (await (await admin('held', '/v1/holds')).json()) as { holds: Array<{ scope: string; subject: string }> };
      assert.equal(holds.holds.length, 1);
      assert.ok(!JSON.stringify(holds).includes('visitor-h'));

      const swept = await sweepStore(store, { now: clock + 60 * DAY, dryRun: false, dataClasses: ['cobrowse-session'] });
      assert.ok(swept.held >= 1);
      assert.equal(await exists('held', 'cobrowse-session', 'h/1.json'), true, 'held data survives the sweep');

      assert.equal((await admin('held', '/v1/holds/subjects/visitor-h', { method: 'DELETE' })).status, 204);
      const erased = (await (await admin('held', '/v1/subjects/visitor-h', { method: 'DELETE' })).json()) as Record<string, unknown>;
      assert.equal(erased.objectsDeleted, 1);
    });

    test('an account hold blocks account erasure; erasing an account needs its id repeated', async () => {
      await put('leaving', 'chat-transcript', 'a.json', 'visitor-a');
      await put('leaving', 'cobrowse-session', 'b.json');
      await put('staying', 'chat-transcript', 'a.json');
      assert.equal((await admin('leaving', '/v1/holds/account', { method: 'PUT', body: '{"reason":"audit"}' })).status, 201);
      assert.equal((await admin('leaving', '/v1/account', { method: 'DELETE', headers: { 'x-confirm-account': 'leaving' } })).status, 409);
      assert.equal((await admin('leaving', '/v1/holds/account', { method: 'DELETE' })).status, 204);
      const unconfirmed = await admin('leaving', '/v1/account', { method: 'DELETE', headers: { 'x-confirm-account': 'staying' } });
      assert.equal(unconfirmed.status, 400);
      assert.equal(await exists('leaving', 'chat-transcript', 'a.json'), true);
      const erased = await admin('leaving', '/v1/account', { method: 'DELETE', headers: { 'x-confirm-account': 'leaving' } });
      assert.equal(erased.status, 200);
      assert.equal(((await erased.json()) as Record<string, unknown>).objectsDeleted, 2);
      assert.deepEqual(await keysNamingAccount(store, 'leaving'), []);
      assert.equal(await exists('staying', 'chat-transcript', 'a.json'), true);
    });

    test('the sweep deletes what has expired, keeps the rest, and a dry run deletes nothing', async () => {
      const written = clock;
      await put('sweep', 'cobrowse-session', 'short.json', 'visitor-s');
      await put('sweep', 'chat-transcript', 'long.json');
      await put('sweep', 'technical-metadata', 'forever.json');
      const classes = ['cobrowse-session', 'chat-transcript', 'technical-metadata'];
      const dry = await sweepStore(store, { now: written + 31 * DAY, dryRun: true, dataClasses: classes });
      assert.ok(dry.expired >= 1);
      assert.equal(dry.deleted, 0);
      assert.equal(await exists('sweep', 'cobrowse-session', 'short.json'), true);
      const early = await sweepStore(store, { now: written + 29 * DAY, dryRun: false, dataClasses: classes });
      assert.equal(await exists('sweep', 'cobrowse-session', 'short.json'), true, `nothing expires early: ${JSON.stringify(early)}`);
      await sweepStore(store, { now: written + 31 * DAY, dryRun: false, dataClasses: classes });
      assert.equal(await exists('sweep', 'cobrowse-session', 'short.json'), false);
      assert.equal(await exists('sweep', 'chat-transcript', 'long.json'), true);
      assert.equal(await exists('sweep', 'technical-metadata', 'forever.json'), true);
      assert.deepEqual(
        (await allKeys(store)).filter((key) => key.startsWith('subjects/sweep/')),
        [],
        'the index entry went with the object',
      );
    });

    test('admin routes need the admin scope; an admin acts only in its own account', async () => {
      const routes: Array<[string, string, string?]> = [
        ['GET', '/v1/subjects/v/objects'],
        ['DELETE', '/v1/subjects/v'],
        ['DELETE', '/v1/account'],
        ['GET', '/v1/holds'],
        ['PUT', '/v1/holds/account', '{"reason":"x"}'],
        ['DELETE', '/v1/holds/account'],
        ['PUT', '/v1/holds/subjects/v', '{"reason":"x"}'],
        ['DELETE', '/v1/holds/subjects/v'],
      ];
      for (const [method, path, body] of routes) {
        const response = await gw.as({ account_id: 'acme', account_region: 'GB', scope: 'read write' }, path, { method, ...(body && { body }) });
        assert.equal(response.status, 403, `${method} ${path}`);
        assert.equal(((await response.json()) as { code: string }).code, 'scope_required');
      }
      await put('victim', 'chat-transcript', 'v.json', 'visitor-v');
      const receipt = (await (await admin('attacker', '/v1/subjects/visitor-v', { method: 'DELETE' })).json()) as Record<string, unknown>;
      assert.equal(receipt.account, 'attacker');
      assert.equal(receipt.objectsDeleted, 0);
      assert.equal(await exists('victim', 'chat-transcript', 'v.json'), true);
    });

    const read = async (account: string, dataClass: string, key: string) => {
      const response = await gw.as({ account_id: account, account_region: 'GB' }, `/v1/objects/${dataClass}/${key}`);
      return response.status === 200 ? response.text() : null;
    };
    const attempt = (account: string, method: string, dataClass: string, key: string, options: { subject?: string; admin?: boolean; via?: TestGateway } = {}) =>
      (options.via ?? gw).as({ account_id: account, account_region: 'GB', ...(options.admin && ADMIN) }, `/v1/objects/${dataClass}/${key}`, {
        method,
        headers: options.subject === undefined ? {} : { 'x-subject-id': options.subject },
        ...(method === 'PUT' && { body: '{"overwrite":true}' }),
      });
    const assertHeld = async (response: Response, reason: RegExp, what: string) => {
      assert.equal(response.status, 409, `${what}: ${await response.clone().text()}`);
      assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
      const problem = (await response.json()) as { code: string; detail: string };
      assert.equal(problem.code, 'legal_hold', what);
      assert.match(problem.detail, reason, what);
    };

    test('an account hold: PUT over and DELETE of any object of the account answer 409 for every token; new keys can still be written', async () => {
      await put('holdco', 'chat-transcript', 'kept.json', 'visitor-k', '{"original":1}');
      await put('holdco', 'cobrowse-session', 'plain.json', undefined, '{"original":2}');
      await put('freeco', 'chat-transcript', 'kept.json', undefined, '{"free":1}');
      assert.equal((await admin('holdco', '/v1/holds/account', { method: 'PUT', body: '{"reason":"case 2026-41"}' })).status, 201);
      for (const token of [{}, { admin: true }]) {
        for (const [subject, target] of [
          [undefined, 'kept.json'],
          ['visitor-k', 'kept.json'],
          ['someone-else', 'kept.json'],
        ] as const) {
          await assertHeld(
            await attempt('holdco', 'PUT', 'chat-transcript', target, { ...token, ...(subject !== undefined && { subject }) }),
            /case 2026-41/,
            `PUT ${JSON.stringify(token)} ${subject}`,
          );
        }
        await assertHeld(await attempt('holdco', 'PUT', 'cobrowse-session', 'plain.json', token), /the account/, 'PUT over an object without subject');
        await assertHeld(await attempt('holdco', 'DELETE', 'chat-transcript', 'kept.json', token), /case 2026-41/, 'DELETE');
        await assertHeld(await attempt('holdco', 'DELETE', 'cobrowse-session', 'plain.json', token), /case 2026-41/, 'DELETE');
      }
      assert.equal(await read('holdco', 'chat-transcript', 'kept.json'), '{"original":1}', 'the held object is unchanged');
      assert.equal(await read('holdco', 'cobrowse-session', 'plain.json'), '{"original":2}');
      assert.equal((await attempt('holdco', 'PUT', 'chat-transcript', 'new.json')).status, 201, 'a new key is still written');
      assert.equal((await attempt('freeco', 'PUT', 'chat-transcript', 'kept.json')).status, 201, "another account's object of the same key is not held");
      assert.equal((await attempt('holdco', 'DELETE', 'chat-transcript', 'missing.json')).status, 404, 'a missing key is still not found');

      assert.equal((await admin('holdco', '/v1/holds/account', { method: 'DELETE' })).status, 204);
      assert.equal((await attempt('holdco', 'PUT', 'chat-transcript', 'kept.json')).status, 201, 'released: overwrite allowed');
      assert.equal((await attempt('holdco', 'DELETE', 'cobrowse-session', 'plain.json')).status, 204, 'released: delete allowed');
    });

    test("a subject hold protects that subject's objects only, whoever writes over them", async () => {
      await put('subjco', 'chat-transcript', 'held.json', 'visitor-held', '{"held":1}');
      await put('subjco', 'chat-transcript', 'free.json', 'visitor-free', '{"free":1}');
      assert.equal((await admin('subjco', '/v1/holds/subjects/visitor-held', { method: 'PUT', body: '{"reason":"subject access dispute"}' })).status, 201);
      for (const subject of [undefined, 'visitor-held', 'visitor-free']) {
        await assertHeld(
          await attempt('subjco', 'PUT', 'chat-transcript', 'held.json', subject === undefined ? {} : { subject }),
          /subject access dispute/,
          `PUT as ${subject}`,
        );
      }
      await assertHeld(await attempt('subjco', 'DELETE', 'chat-transcript', 'held.json', { admin: true }), /subject access dispute/, 'DELETE');
      assert.equal(await read('subjco', 'chat-transcript', 'held.json'), '{"held":1}');
      assert.equal((await attempt('subjco', 'PUT', 'chat-transcript', 'free.json')).status, 201, "another subject's object is not held");
      assert.equal(
        (await attempt('subjco', 'PUT', 'chat-transcript', 'more.json', { subject: 'visitor-held' })).status,
        201,
        'new objects of the held subject may be written',
      );
      assert.equal((await admin('subjco', '/v1/holds/subjects/visitor-held', { method: 'DELETE' })).status, 204);
    });

    test('a hold placed through one instance is in force on another as soon as its PUT has answered', async () => {
      const other = await startTestGateway({
        policy: memoryPolicy(),
        stores: new Map([
          ['london', store],
          ['virginia', store],
        ]),
        identity: gw.identity,
        now: () => clock,
      });
      try {
        await put('twoco', 'chat-transcript', 'x.json', undefined, '{"x":1}');
        assert.equal((await attempt('twoco', 'PUT', 'chat-transcript', 'x.json', { via: other })).status, 201, 'no hold yet');
        assert.equal((await admin('twoco', '/v1/holds/account', { method: 'PUT', body: '{"reason":"placed on instance one"}' })).status, 201);
        await assertHeld(await attempt('twoco', 'PUT', 'chat-transcript', 'x.json', { via: other }), /placed on instance one/, 'PUT on instance two');
        await assertHeld(await attempt('twoco', 'DELETE', 'chat-transcript', 'x.json', { via: other }), /placed on instance one/, 'DELETE on instance two');
        assert.equal((await admin('twoco', '/v1/holds/account', { method: 'DELETE' })).status, 204);
      } finally {
        await other.stop();
      }
    });

    test('account and subject erasure reach a class the policy no longer lists; the sweep expires it and names it', async () => {
      const policy = memoryPolicy();
      policy.dataClasses.notes = { retentionDays: 1 };
      const withNotes = await startTestGateway({
        policy,
        stores: new Map([
          ['london', store],
          ['virginia', store],
        ]),
        identity: gw.identity,
        now: () => clock,
      });
      const written = clock;
      try {
        for (const [account, key, subject] of [
          ['noteco', 'a.json', 'visitor-n'],
          ['noteco', 'b.json', undefined],
          ['subjnote', 's.json', 'visitor-n'],
          ['expnote', 'e.json', undefined],
        ] as const) {
          const response = await attempt(account, 'PUT', 'notes', key, { via: withNotes, ...(subject !== undefined && { subject }) });
          assert.equal(response.status, 201, await response.text());
        }
      } finally {
        await withNotes.stop();
      }
      // From here on the gateway's policy does not list "notes".
      assert.equal((await attempt('noteco', 'GET', 'notes', 'a.json')).status, 400);
      const subjectErased = (await (await admin('subjnote', '/v1/subjects/visitor-n', { method: 'DELETE' })).json()) as { objectsDeleted: number };
      assert.equal(subjectErased.objectsDeleted, 1, 'subject erasure finds it through the index');
      // A part of an S3 multipart upload, staged and never completed.
      const part = new TextEncoder().encode('{"staged":true}');
      await store.put(
        `${stagedUploadsPrefix('noteco')}upload-1/part-00001`,
        new Blob([part]).stream(),
        { contentType: 'application/octet-stream', account: 'noteco', dataClass: 'chat-transcript' },
        { contentLength: part.byteLength },
      );
      const accountErased = await admin('noteco', '/v1/account', { method: 'DELETE', headers: { 'x-confirm-account': 'noteco' } });
      assert.equal(accountErased.status, 200);
      assert.equal(((await accountErased.json()) as { objectsDeleted: number }).objectsDeleted, 2);
      assert.deepEqual(await keysNamingAccount(store, 'noteco'), [], 'objects of every class, index entries and staged parts are gone');
      assert.deepEqual(await keysNamingAccount(store, 'subjnote'), []);

      const early = await sweepStore(store, { now: written + DAY / 2, dryRun: false, dataClasses: ['chat-transcript'] });
      assert.ok(early.unlistedClasses.includes('notes'), JSON.stringify(early));
      assert.equal((await allKeys(store, 'objects/notes/expnote/')).length, 1, 'not expired yet');
      await sweepStore(store, { now: written + 2 * DAY, dryRun: false, dataClasses: ['chat-transcript'] });
      assert.deepEqual(await allKeys(store, 'objects/notes/expnote/'), [], 'expired by its recorded expiresAt although the policy no longer lists its class');
    });

    test("an erasure's marker is all it leaves; the sweep removes it once a day has passed", async () => {
      await put('marked', 'chat-transcript', 'm.json', 'visitor-m');
      assert.equal((await admin('marked', '/v1/subjects/visitor-m', { method: 'DELETE' })).status, 200);
      const hash = await gw.deps.hashIdentifier('visitor-m');
      assert.deepEqual(
        (await allKeys(store)).filter((key) => key.includes('/marked/')),
        [`erasures/marked/subjects/${hash}`],
      );
      await put('marked', 'chat-transcript', 'after.json', 'visitor-m', '{"after":1}');
      assert.equal(await read('marked', 'chat-transcript', 'after.json'), '{"after":1}', 'a write that starts after the answer is a new write');
      const kept = await sweepStore(store, { now: clock, dryRun: false, dataClasses: [], erasureMarkersBefore: new Date(Date.now() - DAY) });
      assert.equal((await allKeys(store, 'erasures/marked/')).length, 1, `a fresh marker stays: ${JSON.stringify(kept)}`);
      const swept = await sweepStore(store, { now: clock, dryRun: false, dataClasses: [], erasureMarkersBefore: new Date(Date.now() + DAY) });
      assert.ok(swept.erasureMarkersRemoved >= 1);
      assert.deepEqual(await allKeys(store, 'erasures/marked/'), []);
    });

    test('identifiers that fit the contract fit the store: a long non-ASCII account, the longest key its prefix allows', async () => {
      const account = '€'.repeat(256);
      const prefixBytes = new TextEncoder().encode(`subjects/${accountSegment(account)}/${'0'.repeat(32)}/chat-transcript/`).length;
      const segment = '€'.repeat(50);
      let key = segment;
      while (new TextEncoder().encode(`${key}/${segment}`).length <= 1024 - prefixBytes) key += `/${segment}`;
      key += `/${'k'.repeat(1024 - prefixBytes - new TextEncoder().encode(key).length - 1)}`;
      const as = (init: RequestInit, path = key) =>
        gw.as({ account_id: account, account_region: 'GB' }, `/v1/objects/chat-transcript/${encodeURI(path)}`, init);
      const written = await as({ method: 'PUT', headers: { 'x-subject-id': 'visitor-long' }, body: '{"long":true}' });
      assert.equal(written.status, 201, await written.clone().text());
      assert.equal(await (await as({})).text(), '{"long":true}');
      const listed = (await (await gw.as({ account_id: account, account_region: 'GB' }, '/v1/objects/chat-transcript?limit=10')).json()) as {
        items: Array<{ key: string }>;
      };
      assert.deepEqual(
        listed.items.map((item) => item.key),
        [key],
      );

      const tooLong = await as({ method: 'PUT', headers: { 'x-subject-id': 'visitor-long' }, body: '{}' }, `${key}k`);
      assert.equal(tooLong.status, 400);
      const problem = (await tooLong.json()) as { code: string; detail: string };
      assert.equal(problem.code, 'key_invalid');
      assert.match(problem.detail, new RegExp(`a key may be at most ${1024 - prefixBytes} bytes`));
      assert.equal((await as({ method: 'HEAD' }, `${key}k`)).status, 404, 'nothing stored');
      const erased = (await (
        await gw.as({ account_id: account, account_region: 'GB', ...ADMIN }, '/v1/subjects/visitor-long', { method: 'DELETE' })
      ).json()) as { objectsDeleted: number };
      assert.equal(erased.objectsDeleted, 1);
    });

    test('an erasure interrupted by the store going down finishes when run again', async () => {
      for (let i = 0; i < 12; i++) await put('interrupted', 'chat-transcript', `i/${i}.json`, 'visitor-i');
      store.goDownAfterDeletes(5);
      const failed = await admin('interrupted', '/v1/subjects/visitor-i', { method: 'DELETE' });
      assert.equal(failed.status, 503);
      assert.equal(((await failed.json()) as { code: string }).code, 'store_unavailable');
      store.comeBack();
      const left = (await allKeys(store)).filter((key) => key.startsWith('objects/') && key.includes('/interrupted/'));
      assert.ok(left.length > 0 && left.length < 12, `part of the subject's data was erased before the outage (${left.length} left)`);
      const finished = await admin('interrupted', '/v1/subjects/visitor-i', { method: 'DELETE' });
      assert.equal(finished.status, 200);
      assert.equal(((await finished.json()) as { objectsDeleted: number }).objectsDeleted, left.length);
      assert.deepEqual(await keysNamingAccount(store, 'interrupted'), []);
    });
  });
}

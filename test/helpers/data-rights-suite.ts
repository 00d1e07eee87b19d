import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ObjectStore } from '../../src/adapters/types.ts';
import { eraseSubject } from '../../src/rights/erasure.ts';
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

export function dataRightsSuite(label: string, backend: DataRightsBackend): void {
  describe(`data-subject rights and retention on ${label}`, () => {
    let gw: TestGateway;
    let store: FaultyStore;
    let clock = Date.parse('2026-01-01T00:00:00Z');

    before(async () => {
      store = faultyStore(await backend.openStore());
      const policy = memoryPolicy();
      gw = await startTestGateway({ policy, stores: new Map([['london', store], ['virginia', store]]), now: () => clock });
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
      assert.equal(receipt.bytesDeleted, [0, 1, 2, 3, 4, 5, 6].reduce((sum, i) => sum + 10 + i, 0));
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
      assert.deepEqual((await allKeys(store)).filter((key) => key.includes('/paged/')), []);
    });

    test('an object overwritten for another subject survives the first subject\'s erasure', async () => {
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
      assert.deepEqual((await allKeys(store)).filter((key) => key.includes('/race/')), []);
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
      assert.deepEqual((await allKeys(store)).filter((key) => key.includes('/leaving/')), []);
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
      assert.deepEqual((await allKeys(store)).filter((key) => key.startsWith('subjects/sweep/')), [], 'the index entry went with the object');
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
      assert.deepEqual((await allKeys(store)).filter((key) => key.includes('/interrupted/')), []);
    });
  });
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ObjectStore } from '../../src/adapters/types.ts';
import { storeKey } from '../../src/policy/keys.ts';
import { eraseAccount, eraseSubject } from '../../src/rights/erasure.ts';
import { guardedPut } from '../../src/rights/write-guard.ts';
import { streamOf } from '../../src/adapters/streams.ts';
import { chunkedBody, failingBody, Interleaver } from './interleaver.ts';
import { allKeys } from './gateway.ts';

/**
 * "Erasure finishes" (DESIGN, data rights) tried against many interleavings
 * of writers and an erasure on one store, each drawn from a seed: after the
 * erasure has answered, nothing of the subject (account) written before it or
 * while it ran is left, except a write that first looked at the store after
 * the erasure had finished (a new write, ordered after it).
 */
export function interleavedErasureSuite(label: string, openStore: () => Promise<ObjectStore>, seeds: number): void {
  describe(`erasure racing writers, ${seeds} seeded interleavings on ${label}`, () => {
    const subject = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const other = 'ffeeddccbbaa99887766554433221100';
    const put = (store: ObjectStore, account: string, dataClass: string, key: string, subjectHash: string | undefined, body: ReadableStream<Uint8Array>) => {
      const metadata = { contentType: 'application/json', account, dataClass, ...(subjectHash !== undefined && { subject: subjectHash }) };
      return guardedPut(store, { account, dataClass, key, ...(subjectHash !== undefined && { subjectHash }) }, () =>
        store.put(storeKey({ account, dataClass, key }), body, metadata),
      );
    };
    const plain = (text: string) => streamOf(new TextEncoder().encode(text));

    test('subject erasure against two slow writers of the subject and one of another subject', async () => {
      const store = await openStore();
      for (let seed = 1; seed <= seeds; seed++) {
        const account = `acct-${seed}`;
        await put(store, account, 'chat-transcript', 'before/1.json', subject, plain('{"before":1}'));
        await put(store, account, 'cobrowse-session', 'before/2.json', subject, plain('{"before":2}'));
        const run = new Interleaver(seed);
        const as = (actor: string) => run.storeFor(store, actor);
        const outcomes = await run.run({
          eraser: () => eraseSubject(as('eraser'), account, subject),
          w1: () => put(as('w1'), account, 'chat-transcript', 'during/1.json', subject, chunkedBody('{"during":1,"pad":"xxxxxxxxxxxx"}', 3)),
          w2: () => put(as('w2'), account, 'cobrowse-session', 'before/2.json', subject, chunkedBody('{"overwrite":2}', 2)),
          w3: () => put(as('w3'), account, 'chat-transcript', 'other.json', other, chunkedBody('{"other":1}', 2)),
        });
        const why = `seed ${seed}:\n${run.trace.join('\n')}`;
        for (const [actor, outcome] of Object.entries(outcomes))
          assert.equal(outcome.status, 'fulfilled', `${actor} ${String((outcome as PromiseRejectedResult).reason)}\n${why}`);
        const finished = run.lastTurnOf(/^eraser put erasures\//);
        const survivors = await objectsOf(store, account, subject);
        for (const survivor of survivors) {
          const writer = survivor.endsWith('during/1.json') ? 'w1' : 'w2';
          const firstLook = run.turnOf(new RegExp(`^${writer} `));
          assert.ok(firstLook > finished, `${survivor} was written while the erasure ran and survived it\n${why}`);
        }
        assert.ok(!survivors.some((key) => key.endsWith('before/1.json')), why);
        assert.ok(await store.head(storeKey({ account, dataClass: 'chat-transcript', key: 'other.json' })), `another subject's object is untouched\n${why}`);
        const second = await eraseSubject(store, account, subject);
        assert.equal(second.objectsDeleted, survivors.length, `every survivor is indexed, so a second erasure finds it\n${why}`);
        assert.deepEqual(await objectsOf(store, account, subject), [], why);
        assert.deepEqual(await allKeys(store, `subjects/${account}/${subject}/`), [], `no index entry outlives the erasure\n${why}`);
      }
    });

    test("a failed write of the same subject and key never leaves the other write's object unindexed", async () => {
      const store = await openStore();
      for (let seed = 1; seed <= seeds; seed++) {
        const account = `same-${seed}`;
        const run = new Interleaver(seed);
        const as = (actor: string) => run.storeFor(store, actor);
        const outcomes = await run.run({
          good: () => put(as('good'), account, 'chat-transcript', 'same.json', subject, chunkedBody('{"good":true,"pad":"zzzzzz"}', 3)),
          failed: () => put(as('failed'), account, 'chat-transcript', 'same.json', subject, failingBody('{"failed":true}', 2)),
        });
        const why = `seed ${seed}:\n${run.trace.join('\n')}`;
        assert.equal(outcomes.good!.status, 'fulfilled', why);
        assert.equal(outcomes.failed!.status, 'rejected', why);
        assert.equal((await store.head(storeKey({ account, dataClass: 'chat-transcript', key: 'same.json' })))?.metadata.subject, subject, why);
        const erased = await eraseSubject(store, account, subject);
        assert.equal(erased.objectsDeleted, 1, `the object is indexed, so erasure finds it\n${why}`);
      }
    });

    test('account erasure against writers of listed and unlisted classes', async () => {
      const store = await openStore();
      for (let seed = 1; seed <= seeds; seed++) {
        const account = `leaving-${seed}`;
        await put(store, account, 'notes', 'old.json', undefined, plain('{"old":true}'));
        const run = new Interleaver(seed);
        const as = (actor: string) => run.storeFor(store, actor);
        const outcomes = await run.run({
          eraser: () => eraseAccount(as('eraser'), account, ['chat-transcript']),
          w1: () => put(as('w1'), account, 'chat-transcript', 'a.json', subject, chunkedBody('{"a":1,"pad":"yyyyyyyy"}', 3)),
          w2: () => put(as('w2'), account, 'notes', 'b.json', undefined, chunkedBody('{"b":1}', 2)),
        });
        const why = `seed ${seed}:\n${run.trace.join('\n')}`;
        for (const [actor, outcome] of Object.entries(outcomes))
          assert.equal(outcome.status, 'fulfilled', `${actor} ${String((outcome as PromiseRejectedResult).reason)}\n${why}`);
        const finished = run.lastTurnOf(/^eraser put erasures\//);
        const survivors = [...(await allKeys(store, `objects/chat-transcript/${account}/`)), ...(await allKeys(store, `objects/notes/${account}/`))];
        assert.ok(!survivors.some((key) => key.endsWith('old.json')), `a class the policy no longer lists is erased too\n${why}`);
        for (const survivor of survivors) {
          const writer = survivor.endsWith('a.json') ? 'w1' : 'w2';
          assert.ok(run.turnOf(new RegExp(`^${writer} `)) > finished, `${survivor} was written while the account erasure ran and survived it\n${why}`);
        }
        await eraseAccount(store, account, []);
        assert.deepEqual([...(await allKeys(store, `objects/chat-transcript/${account}/`)), ...(await allKeys(store, `objects/notes/${account}/`))], [], why);
      }
    });
  });
}

async function objectsOf(store: ObjectStore, account: string, subjectHash: string): Promise<string[]> {
  const keys: string[] = [];
  for (const dataClass of ['chat-transcript', 'cobrowse-session']) {
    for (const key of await allKeys(store, `objects/${dataClass}/${account}/`)) {
      if ((await store.head(key))?.metadata.subject === subjectHash) keys.push(key);
    }
  }
  return keys;
}

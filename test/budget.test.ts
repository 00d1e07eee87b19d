import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BodyBudget } from '../src/service/body-budget.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('the budget of body bytes held in memory by one process', () => {
  test('a body is charged its length up to what one upload may hold; an unknown or unusable length is charged that much', () => {
    const budget = new BodyBudget(64 * MiB, 16 * MiB);
    assert.equal(budget.chargeFor(4096), 4096);
    assert.equal(budget.chargeFor(0), 0);
    assert.equal(budget.chargeFor(16 * MiB), 16 * MiB);
    assert.equal(budget.chargeFor(1 * GiB), 16 * MiB, 'a streamed upload holds its store buffers, not the object');
    for (const unusable of [undefined, Number.NaN, -1, 1.5, Infinity, 2 ** 60]) assert.equal(budget.chargeFor(unusable), 16 * MiB, String(unusable));
  });

  test('one upload always fits an empty budget, even one smaller than an upload may hold', () => {
    const budget = new BodyBudget(4 * MiB, 16 * MiB);
    const lease = budget.tryAcquire(undefined);
    assert.equal(lease?.bytes, 4 * MiB);
    assert.equal(budget.tryAcquire(1), undefined, 'and nothing else meanwhile');
  });

  test('four concurrent 1 GiB uploads with room for two: two admitted, two refused, the next admitted once one ends', () => {
    const budget = new BodyBudget(32 * MiB, 16 * MiB);
    const leases = [1, 2, 3, 4].map(() => budget.tryAcquire(1 * GiB));
    assert.deepEqual(
      leases.map((lease) => lease !== undefined),
      [true, true, false, false],
    );
    assert.equal(budget.inUseBytes, 32 * MiB);
    leases[0]!.release();
    assert.equal(budget.inUseBytes, 16 * MiB);
    const next = budget.tryAcquire(undefined);
    assert.ok(next, 'admitted once a running upload has ended');
    assert.equal(budget.tryAcquire(undefined), undefined);
  });

  test('small bodies fill what is left beside a large one, and an empty body is always admitted', () => {
    const budget = new BodyBudget(20 * MiB, 16 * MiB);
    assert.ok(budget.tryAcquire(1 * GiB));
    const small = Array.from({ length: 1024 }, () => budget.tryAcquire(4096));
    assert.ok(small.every((lease) => lease !== undefined));
    assert.equal(budget.inUseBytes, 20 * MiB);
    assert.equal(budget.tryAcquire(1), undefined);
    assert.equal(budget.tryAcquire(0)?.bytes, 0);
  });

  test('a lease gives its bytes back once, however often it is released', () => {
    const budget = new BodyBudget(32 * MiB, 16 * MiB);
    const first = budget.tryAcquire(10 * MiB)!;
    const second = budget.tryAcquire(10 * MiB)!;
    first.release();
    first.release();
    first.release();
    assert.equal(budget.inUseBytes, 10 * MiB, "a repeated release must not free the other lease's bytes");
    second.release();
    assert.equal(budget.inUseBytes, 0);
  });

  test('a budget without room is a configuration mistake, refused when it is made', () => {
    for (const [capacity, perUpload] of [
      [0, MiB],
      [MiB, 0],
      [Number.NaN, MiB],
      [-MiB, MiB],
    ] as const) {
      assert.throws(() => new BodyBudget(capacity, perUpload), RangeError);
    }
  });
});

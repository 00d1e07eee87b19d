import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigurationError } from '../src/hosts/configuration-error.ts';
import { MIN_INFLIGHT_BYTES, PRIMARY_BYTES, WORKER_BASELINE_BYTES, machineLimits, nodeSettings, type MachineLimits } from '../src/hosts/node-settings.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const eightCores: MachineLimits = { parallelism: 8, memoryBytes: 16 * GiB };

function refusal(env: NodeJS.ProcessEnv): string[] {
  try {
    nodeSettings(env, eightCores);
  } catch (error) {
    assert.ok(error instanceof ConfigurationError);
    return error.errors;
  }
  return assert.fail('expected a ConfigurationError');
}

describe('worker count, shutdown grace and body budget of the Node host', () => {
  test('development runs one process; production one worker per usable CPU', () => {
    assert.equal(nodeSettings({}, eightCores).workers, 1);
    assert.equal(nodeSettings({ NODE_ENV: 'development' }, eightCores).workers, 1);
    assert.equal(nodeSettings({ NODE_ENV: 'production' }, eightCores).workers, 8);
  });

  test('production starts no more workers than the memory limit has room for beside the primary, and always at least one', () => {
    // The example Kubernetes manifest: 256 MiB, no CPU limit, on an 8-core node.
    assert.equal(nodeSettings({ NODE_ENV: 'production' }, { parallelism: 8, memoryBytes: 256 * MiB }).workers, 1);
    assert.equal(nodeSettings({ NODE_ENV: 'production' }, { parallelism: 8, memoryBytes: 1 * GiB }).workers, 5);
    // Two workers would need 2 x 192 MiB and the primary's 64 MiB.
    assert.equal(nodeSettings({ NODE_ENV: 'production' }, { parallelism: 8, memoryBytes: 440 * MiB }).workers, 1);
    assert.equal(nodeSettings({ NODE_ENV: 'production' }, { parallelism: 8, memoryBytes: 448 * MiB }).workers, 2);
    assert.equal(nodeSettings({ NODE_ENV: 'production' }, { parallelism: 8, memoryBytes: 64 * MiB }).workers, 1);
    assert.equal(nodeSettings({ NODE_ENV: 'production' }, { parallelism: 1, memoryBytes: 16 * GiB }).workers, 1);
  });

  test('RESIDENCY_WORKERS wins over the default, in production and development', () => {
    assert.equal(nodeSettings({ NODE_ENV: 'production', RESIDENCY_WORKERS: '3' }, eightCores).workers, 3);
    assert.equal(nodeSettings({ RESIDENCY_WORKERS: '2' }, eightCores).workers, 2);
    assert.equal(nodeSettings({ RESIDENCY_WORKERS: '' }, eightCores).workers, 1, 'empty is unset');
  });

  test('anything but a whole number in range is refused, every bad variable named at once', () => {
    for (const value of ['0', '-1', '1.5', 'two', ' 2', '2 ', '0x2', '1e1', '257']) {
      assert.deepEqual(
        refusal({ RESIDENCY_WORKERS: value }).map((line) => line.split(':')[0]),
        ['RESIDENCY_WORKERS'],
        value,
      );
    }
    assert.deepEqual(
      refusal({ RESIDENCY_WORKERS: 'x', SHUTDOWN_GRACE_MS: '-5', RESIDENCY_MAX_INFLIGHT_BYTES: '10MB' }).map((line) => line.split(':')[0]),
      ['RESIDENCY_WORKERS', 'SHUTDOWN_GRACE_MS', 'RESIDENCY_MAX_INFLIGHT_BYTES'],
    );
  });

  test('SHUTDOWN_GRACE_MS defaults to 25 s and may be 0', () => {
    assert.equal(nodeSettings({}, eightCores).shutdownGraceMs, 25_000);
    assert.equal(nodeSettings({ SHUTDOWN_GRACE_MS: '0' }, eightCores).shutdownGraceMs, 0);
    assert.equal(nodeSettings({ SHUTDOWN_GRACE_MS: '300' }, eightCores).shutdownGraceMs, 300);
  });

  test("the body budget defaults to a worker's share of memory past its baseline, never below the floor", () => {
    const limit = 1 * GiB;
    const budget = nodeSettings({ RESIDENCY_WORKERS: '2' }, { parallelism: 2, memoryBytes: limit }).maxInflightBytes;
    assert.equal(budget, (limit - PRIMARY_BYTES) / 2 - WORKER_BASELINE_BYTES);
    // The primary and all workers together stay inside the limit: a baseline and a full budget each.
    assert.ok(PRIMARY_BYTES + 2 * (WORKER_BASELINE_BYTES + budget) <= limit);
    // One worker is the only process: no primary to leave room for.
    assert.equal(nodeSettings({}, { parallelism: 2, memoryBytes: limit }).maxInflightBytes, limit - WORKER_BASELINE_BYTES);
    assert.equal(nodeSettings({ NODE_ENV: 'production' }, { parallelism: 8, memoryBytes: 256 * MiB }).maxInflightBytes, 256 * MiB - WORKER_BASELINE_BYTES);
    assert.equal(nodeSettings({ RESIDENCY_WORKERS: '4' }, { parallelism: 8, memoryBytes: 512 * MiB }).maxInflightBytes, MIN_INFLIGHT_BYTES);
    assert.equal(nodeSettings({ RESIDENCY_MAX_INFLIGHT_BYTES: '1048576' }, eightCores).maxInflightBytes, 1048576);
  });

  test("this machine's limits as Node reports them are usable numbers", () => {
    const machine = machineLimits();
    assert.ok(Number.isInteger(machine.parallelism) && machine.parallelism >= 1);
    assert.ok(Number.isFinite(machine.memoryBytes) && machine.memoryBytes > 0);
  });
});

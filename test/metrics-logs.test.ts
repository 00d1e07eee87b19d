import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { configure, reset, type LogRecord } from '@logtape/logtape';
import { StoreError } from '../src/adapters/errors.ts';
import { createMemoryStore } from '../src/adapters/memory.ts';
import type { ObjectStore } from '../src/adapters/types.ts';
import { logLevelFrom } from '../src/service/log.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

const GB = { account_id: 'acme', account_region: 'GB' };
const US = { account_id: 'acme', account_region: 'US' };

const records: LogRecord[] = [];
let gw: TestGateway;

before(async () => {
  // Configured before the app: the gateway leaves an existing LogTape configuration alone.
  await configure({
    reset: true,
    sinks: { capture: (record) => records.push(record) },
    loggers: [
      { category: ['residency-proxy'], sinks: ['capture'], lowestLevel: 'debug' },
      { category: ['logtape', 'meta'], sinks: [], lowestLevel: 'warning' },
    ],
  });
  const london = createMemoryStore();
  // A bug in a store: a plain error with a cause, not a StoreError.
  const buggy: ObjectStore = {
    ...london,
    get: () => Promise.reject(new TypeError('cannot read the index', { cause: new Error('index file truncated at byte 17') })),
  };
  const virginia = createMemoryStore();
  const down: ObjectStore = { ...virginia, get: () => Promise.reject(new StoreError('unavailable', 's3 get failed (ECONNREFUSED)')) };
  gw = await startTestGateway({
    stores: new Map([
      ['london', buggy],
      ['virginia', down],
    ]),
  });
});
after(async () => {
  await gw.stop();
  await reset();
});

const recordsOf = (requestId: string) => records.filter((record) => record.properties.requestId === requestId);

describe('the operational log', () => {
  test('a failure the gateway did not foresee: an error record with the request id, the error and its cause; the caller sees none of it', async () => {
    const response = await gw.as(GB, '/v1/objects/chat-transcript/logs/a.json');
    assert.equal(response.status, 500);
    const body = await response.text();
    assert.doesNotMatch(body, /index/);
    const requestId = response.headers.get('x-request-id')!;
    const [record, ...others] = recordsOf(requestId);
    assert.equal(others.length, 0);
    assert.equal(record?.level, 'error');
    assert.deepEqual(record?.category, ['residency-proxy']);
    assert.equal(record?.properties.route, '/v1/objects/{dataClass}/{key}');
    const error = record?.properties.error as Error;
    assert.ok(error instanceof TypeError);
    assert.equal(error.message, 'cannot read the index');
    assert.equal((error.cause as Error).message, 'index file truncated at byte 17');
  });

  test('a store that cannot be reached: a warning with the code', async () => {
    const response = await gw.as(US, '/v1/objects/chat-transcript/logs/b.json');
    assert.equal(response.status, 503);
    const [record] = recordsOf(response.headers.get('x-request-id')!);
    assert.equal(record?.level, 'warning');
    assert.equal(record?.properties.code, 'store_unavailable');
    assert.ok(record?.properties.error instanceof StoreError);
  });

  test("refusals are the audit log's business: nothing here", async () => {
    const response = await gw.as(GB, '/v1/objects/no-such-class/x');
    assert.equal(response.status, 400);
    assert.deepEqual(recordsOf(response.headers.get('x-request-id')!), []);
  });

  test('LOG_LEVEL as operators write it', () => {
    assert.equal(logLevelFrom('WARN'), 'warning');
    assert.equal(logLevelFrom('debug'), 'debug');
    assert.equal(logLevelFrom('verbose'), undefined);
    assert.equal(logLevelFrom(undefined), undefined);
  });
});

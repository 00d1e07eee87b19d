import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { BodyBudget } from '../src/service/body-budget.ts';
import { allKeys, startTestGateway, type TestGateway } from './helpers/gateway.ts';

/**
 * The in-flight body budget through HTTP: an upload the budget cannot take is
 * refused at once with 503 gateway_busy and Retry-After, stores nothing, and
 * the budget is given back when uploads end, refused or not.
 */
let gw: TestGateway;
const budget = new BodyBudget(64 * 1024, 64 * 1024);
before(async () => {
  gw = await startTestGateway({ bodyBudget: budget });
});
after(() => gw.stop());

const storedKeys = async () => (await Promise.all([...gw.stores.values()].map((store) => allKeys(store)))).flat().filter((key) => key.startsWith('objects/'));

test('while one upload holds the whole budget, another is refused with 503 gateway_busy and Retry-After, and stores nothing', async () => {
  const token = await gw.token();
  const { hostname, port } = new URL(gw.url);
  // A chunked upload of unknown length is charged what one upload may hold: the whole budget here.
  const holding = request({
    host: hostname,
    port,
    method: 'PUT',
    path: '/v1/objects/chat-transcript/holding.txt',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
  });
  const answered = new Promise<number>((resolve, reject) => {
    holding.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    holding.on('error', reject);
  });
  holding.write('first part of a slow upload\n');
  for (let waited = 0; budget.inUseBytes === 0 && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(budget.inUseBytes, 64 * 1024);

  const refused = await gw.as({}, '/v1/objects/chat-transcript/refused.txt', { method: 'PUT', body: 'hello' });
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get('retry-after'), '1');
  const problem = (await refused.json()) as { code: string };
  assert.equal(problem.code, 'gateway_busy');
  assert.ok(!(await storedKeys()).some((key) => key.includes('refused')));

  holding.end('last part\n');
  assert.equal(await answered, 201);
  assert.equal(budget.inUseBytes, 0, 'the budget is given back when the upload ends');
  const later = await gw.as({}, '/v1/objects/chat-transcript/later.txt', { method: 'PUT', body: 'hello again' });
  assert.equal(later.status, 201);
  assert.equal(budget.inUseBytes, 0);
  assert.deepEqual((await storedKeys()).filter((key) => /holding|refused|later/.test(key)).sort(), [
    'objects/chat-transcript/acme/holding.txt',
    'objects/chat-transcript/acme/later.txt',
  ]);
});

test('a refused upload gives its share back too', async () => {
  const png = Uint8Array.from([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
  ]);
  const response = await gw.as({}, '/v1/objects/chat-transcript/shot.json', { method: 'PUT', body: png, headers: { 'content-type': 'application/json' } });
  assert.equal(response.status, 415);
  assert.equal(budget.inUseBytes, 0);
});

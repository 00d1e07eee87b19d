import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createFsStore } from '../src/adapters/fs.ts';
import { memoryPolicy, startTestGateway, type TestGateway } from './helpers/gateway.ts';

/**
 * Residency on real directories: every byte a UK/EU account writes must be
 * found under the UK/EU store's directory and nowhere else.
 */
let gw: TestGateway;
let root: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'residency-routing-'));
  const policy = memoryPolicy();
  policy.stores = {
    london: { type: 'fs', path: join(root, 'uk-eu'), jurisdiction: 'UK' },
    virginia: { type: 'fs', path: join(root, 'us'), jurisdiction: 'US' },
  };
  gw = await startTestGateway({
    policy,
    stores: new Map([
      ['london', createFsStore({ root: join(root, 'uk-eu') })],
      ['virginia', createFsStore({ root: join(root, 'us') })],
    ]),
  });
});
after(async () => {
  await gw.stop();
  await rm(root, { recursive: true, force: true });
});

/** The content of every file under a directory, concatenated. */
async function everythingUnder(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return (await Promise.all(files.map((file) => readFile(file, 'latin1')))).join('\n');
}

test('GB, DE, IE, EU and UK accounts land in the UK/EU directory only; US in the US directory only', async () => {
  for (const region of ['GB', 'DE', 'IE', 'EU', 'UK', 'gb', 'US']) {
    const response = await gw.as({ account_id: `acct-${region}`, account_region: region }, `/v1/objects/chat-transcript/${region}.json`, {
      method: 'PUT',
      body: `{"marker":"routing-${region}"}`,
    });
    assert.equal(response.status, 201, region);
  }
  const uk = await everythingUnder(join(root, 'uk-eu'));
  const us = await everythingUnder(join(root, 'us'));
  for (const region of ['GB', 'DE', 'IE', 'EU', 'UK', 'gb']) {
    assert.ok(uk.includes(`routing-${region}"`), `${region} data is in the UK/EU store`);
    assert.ok(!us.includes(`routing-${region}"`), `${region} data is not in the US store`);
  }
  assert.ok(us.includes('routing-US"'));
  assert.ok(!uk.includes('routing-US"'));
});

test('an unknown region writes nothing anywhere', async () => {
  const response = await gw.as({ account_id: 'acct-jp', account_region: 'JP' }, '/v1/objects/chat-transcript/jp.json', {
    method: 'PUT',
    body: '{"marker":"routing-JP"}',
  });
  assert.equal(response.status, 403);
  assert.ok(!(await everythingUnder(root)).includes('routing-JP'));
});

test('150 concurrent mixed writes: none misrouted', async () => {
  const regions = ['GB', 'US', 'DE', 'US', 'FR', 'NL', 'US', 'IE', 'EU', 'UK'];
  const writes = Array.from({ length: 150 }, (_, i) => {
    const region = regions[i % regions.length]!;
    return gw.as({ account_id: `load-${i % 7}`, account_region: region }, `/v1/objects/cobrowse-session/load/${i}.json`, {
      method: 'PUT',
      body: `{"marker":"load-${region === 'US' ? 'us' : 'eu'}-${i}-end"}`,
    });
  });
  const statuses = await Promise.all(writes.map(async (w) => (await w).status));
  assert.deepEqual(new Set(statuses), new Set([201]));
  const uk = await everythingUnder(join(root, 'uk-eu'));
  const us = await everythingUnder(join(root, 'us'));
  let eu = 0;
  let america = 0;
  for (let i = 0; i < 150; i++) {
    const isUs = regions[i % regions.length] === 'US';
    const home = isUs ? us : uk;
    const away = isUs ? uk : us;
    const marker = `load-${isUs ? 'us' : 'eu'}-${i}-end`;
    assert.ok(home.includes(marker), `${marker} at home`);
    assert.ok(!away.includes(marker), `${marker} not abroad`);
    if (isUs) america++;
    else eu++;
  }
  assert.equal(eu + america, 150);
});

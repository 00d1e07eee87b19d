import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { memoryPolicy } from './helpers/gateway.ts';
import { runEntry, startGatewayProcess } from './helpers/process.ts';
import { createTestIdentity, type TestIdentity } from './helpers/tokens.ts';

let dir: string;
let identity: TestIdentity;
let policyPath: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'residency-crash-'));
  identity = await createTestIdentity();
  await writeFile(join(dir, 'jwks.json'), JSON.stringify(identity.jwks));
  const policy = memoryPolicy();
  policy.auth = { ...identity.authConfig({ file: './jwks.json' }) };
  policy.stores = {
    london: { type: 'fs', path: './data/uk-eu', jurisdiction: 'UK' },
    virginia: { type: 'fs', path: './data/us', jurisdiction: 'US' },
  };
  // The shortest request timeout the policy allows: a write idle longer than this is dead.
  policy.limits = { maxObjectBytes: 64 * 1024 * 1024, requestTimeoutMs: 1_000 };
  policyPath = join(dir, 'policy.json');
  await writeFile(policyPath, JSON.stringify(policy, null, 2));
});
after(() => rm(dir, { recursive: true, force: true }));

async function pathsUnder(path: string): Promise<string[]> {
  const entries = await readdir(path, { recursive: true }).catch(() => []);
  return entries.sort();
}

test('SIGKILL mid-upload: the partial body and every name of the data are gone after the sweep', async () => {
  const storeRoot = join(dir, 'data', 'uk-eu');
  const gateway = await startGatewayProcess({ env: { RESIDENCY_POLICY: policyPath } });
  const token = await identity.sign({ account_id: 'killco', account_region: 'GB' });
  const { hostname, port } = new URL(gateway.url);
  const upload = request({
    host: hostname,
    port,
    method: 'PUT',
    path: '/v1/objects/chat-transcript/jane-doe/2026/upload.json',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-subject-id': 'jane-doe', 'transfer-encoding': 'chunked' },
  });
  upload.on('error', () => {});
  upload.write('{"transcript":"');
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  // Keep sending until the gateway has put at least 1 MiB of the body on disk, then kill it as an OOM kill would.
  let partial: string | undefined;
  for (let sent = 0; !partial; sent++) {
    assert.ok(sent < 1024, 'the body never reached the disk');
    await new Promise<void>((resolve) => upload.write(chunk, () => resolve()));
    const temporary = (await pathsUnder(join(storeRoot, '.incomplete')))[0];
    if (temporary && (await stat(join(storeRoot, '.incomplete', temporary))).size >= 1024 * 1024) partial = temporary;
  }
  gateway.child.kill('SIGKILL');
  await gateway.exited;
  upload.destroy();

  const afterKill = await pathsUnder(storeRoot);
  assert.ok(afterKill.includes(join('.incomplete', partial)), `the kill left the partial body: ${afterKill.join(', ')}`);
  assert.ok(
    afterKill.some((path) => path.includes('jane-doe')),
    'and the subject index entry written before the body, named after the key',
  );
  assert.ok(!afterKill.some((path) => path.startsWith('objects.d')), 'no object became visible');

  // Past the request timeout no write of the dead process can still be in flight.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const sweep = runEntry('src/cli/main.ts', ['sweep', '--policy', policyPath]);
  assert.equal(await sweep.exited, 0, sweep.stderr());
  assert.match(sweep.stdout(), /"store":"london".*"incompleteRemoved":1,"staleIndexEntriesRemoved":1/);

  const left = await pathsUnder(storeRoot);
  assert.deepEqual(
    left.filter((path) => /killco|jane-doe|upload/.test(path)),
    [],
    `nothing named after the data: ${left.join(', ')}`,
  );
  assert.deepEqual(await pathsUnder(join(storeRoot, '.incomplete')), [], 'no partial body');
});

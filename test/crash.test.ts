import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runEntry, startGatewayProcess } from './helpers/process.ts';
import { fsPolicyDir } from './helpers/policy-dir.ts';
import type { TestIdentity } from './helpers/tokens.ts';

/** The request timeout of the test's policy: the sweep waits it out in real time; the upload must reach the disk well within it. */
const REQUEST_TIMEOUT_MS = 5_000;
/** How much of the body must be on disk before the kill. */
const PARTIAL_BYTES = 256 * 1024;

let dir: string;
let identity: TestIdentity;
let policyPath: string;

before(async () => {
  const setup = await fsPolicyDir('residency-crash-', { maxObjectBytes: 64 * 1024 * 1024, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  ({ dir, identity, policyPath } = setup);
});
after(() => rm(dir, { recursive: true, force: true }));

/** Moves every file's times back past `ms`, as if that long had passed since the kill: no write of the dead process can still be in flight. */
async function agePast(root: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms - 1_000);
  for (const path of await pathsUnder(root)) await utimes(join(root, path), then, then);
}

async function pathsUnder(path: string): Promise<string[]> {
  const entries = await readdir(path, { recursive: true }).catch(() => []);
  return entries.sort();
}

/** Starts a gateway, uploads until PARTIAL_BYTES of the body are on disk, and kills the gateway as an OOM kill would; returns the partial body's name. */
async function killMidUpload(storeRoot: string, key: string): Promise<string> {
  const gateway = await startGatewayProcess({ env: { RESIDENCY_POLICY: policyPath } });
  const token = await identity.sign({ account_id: 'killco', account_region: 'GB' });
  const { hostname, port } = new URL(gateway.url);
  const upload = request({
    host: hostname,
    port,
    method: 'PUT',
    path: `/v1/objects/chat-transcript/${key}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-subject-id': 'jane-doe', 'transfer-encoding': 'chunked' },
  });
  upload.on('error', () => {});
  upload.write('{"transcript":"');
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  // Keep sending until the gateway has put part of the body on disk, then kill it as an OOM kill would.
  let partial: string | undefined;
  for (let sent = 0; !partial; sent++) {
    assert.ok(sent < 1024, 'the body never reached the disk');
    await new Promise<void>((resolve) => upload.write(chunk, () => resolve()));
    // Other writes (the subject index entry) pass through .incomplete too, and are renamed away at once.
    for (const temporary of await pathsUnder(join(storeRoot, '.incomplete'))) {
      const size = (await stat(join(storeRoot, '.incomplete', temporary)).catch(() => null))?.size ?? 0;
      if (size >= PARTIAL_BYTES) partial = temporary;
    }
  }
  gateway.child.kill('SIGKILL');
  await gateway.exited;
  upload.destroy();
  return partial!;
}

test('SIGKILL mid-upload: the partial body and every name of the data are gone after the sweep', async () => {
  const storeRoot = join(dir, 'data', 'uk-eu');
  const partial = await killMidUpload(storeRoot, 'jane-doe/2026/upload.json');

  const afterKill = await pathsUnder(storeRoot);
  assert.ok(afterKill.includes(join('.incomplete', partial)), `the kill left the partial body: ${afterKill.join(', ')}`);
  assert.ok(
    afterKill.some((path) => path.includes('jane-doe')),
    'and the subject index entry written before the body, named after the key',
  );
  assert.ok(!afterKill.some((path) => path.startsWith('objects.d')), 'no object became visible');

  // Past the request timeout (real time: the sweep's measure) no write of the dead process can still be in flight.
  await new Promise((resolve) => setTimeout(resolve, REQUEST_TIMEOUT_MS + 200));
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

test('SIGKILL mid-upload: the next start-up removes the partial body before it serves', async () => {
  const storeRoot = join(dir, 'data', 'uk-eu');
  const partial = await killMidUpload(storeRoot, 'restart/upload.json');
  assert.ok((await pathsUnder(join(storeRoot, '.incomplete'))).includes(partial));
  // Past the request timeout no write of the dead process can still be in flight.
  await agePast(storeRoot, REQUEST_TIMEOUT_MS);
  const restarted = await startGatewayProcess({ env: { RESIDENCY_POLICY: policyPath } });
  try {
    assert.deepEqual(await pathsUnder(join(storeRoot, '.incomplete')), [], 'no partial body once the gateway listens again');
    assert.equal((await fetch(`${restarted.url}/healthz`)).status, 200);
  } finally {
    restarted.child.kill('SIGTERM');
    await restarted.exited;
  }
});

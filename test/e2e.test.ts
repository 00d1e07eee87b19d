import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT_ROOT, runEntry, startGatewayProcess } from './helpers/process.ts';
import { fsPolicyDir } from './helpers/policy-dir.ts';
import type { TestIdentity } from './helpers/tokens.ts';

let dir: string;
let identity: TestIdentity;
let policyPath: string;

before(async () => {
  const setup = await fsPolicyDir('residency-e2e-', { maxObjectBytes: 64 * 1024 * 1024 });
  ({ dir, identity, policyPath } = setup);
});
after(() => rm(dir, { recursive: true, force: true }));

async function filesUnder(path: string): Promise<string[]> {
  const entries = await readdir(path, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('the gateway process', () => {
  test('refuses to start on an invalid policy, with the errors on stderr', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      'version: 1\nzones: {}\nstores: {}\ndataClasses: {}\nauth: { issuer: x, audience: y, algorithms: [none], jwks: { url: "https://x/" } }\ntypo: 1\n',
    );
    const run = runEntry('src/hosts/node.ts', [], { env: { RESIDENCY_POLICY: bad, PORT: '0' } });
    assert.equal(await run.exited, 1);
    assert.match(run.stderr(), /refusing to start/);
    assert.match(run.stderr(), /auth\.algorithms\[0\]/);
    assert.match(run.stderr(), /typo: unknown key/);
  });

  test('refuses to start in production without a policy file', async () => {
    const run = runEntry('src/hosts/node.ts', [], { cwd: dir, env: { NODE_ENV: 'production', RESIDENCY_POLICY: '', PORT: '0' } });
    assert.equal(await run.exited, 1);
    assert.match(run.stderr(), /RESIDENCY_POLICY/);
  });

  test('serves a policy file over HTTP: PUT, GET, and a refusal', async () => {
    const gateway = await startGatewayProcess({ env: { RESIDENCY_POLICY: policyPath } });
    try {
      const token = await identity.sign({ account_id: 'acme', account_region: 'GB' });
      const headers = { authorization: `Bearer ${token}` };
      const put = await fetch(`${gateway.url}/v1/objects/chat-transcript/e2e/1.json`, { method: 'PUT', headers, body: '{"e2e":true}' });
      assert.equal(put.status, 201);
      assert.equal(await (await fetch(`${gateway.url}/v1/objects/chat-transcript/e2e/1.json`, { headers })).text(), '{"e2e":true}');
      const refused = await fetch(`${gateway.url}/v1/objects/recording/x.webm`, { method: 'PUT', headers, body: 'x' });
      assert.equal(refused.status, 403);
      assert.ok((await filesUnder(join(dir, 'data', 'uk-eu'))).length > 0);
      assert.deepEqual(await filesUnder(join(dir, 'data', 'us')), []);
      assert.match(gateway.stdout(), /"type":"audit".*"action":"write","outcome":"allowed"/);
    } finally {
      gateway.child.kill('SIGTERM');
      assert.equal(await gateway.exited, 0);
    }
  });

  test('SIGTERM in the middle of an upload leaves no partial object', async () => {
    const gateway = await startGatewayProcess({ env: { RESIDENCY_POLICY: policyPath, SHUTDOWN_GRACE_MS: '300' } });
    const token = await identity.sign({ account_id: 'acme', account_region: 'US' });
    const { hostname, port } = new URL(gateway.url);
    const upload = request({
      host: hostname,
      port,
      method: 'PUT',
      path: '/v1/objects/chat-transcript/interrupted.bin',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
    });
    const answered = new Promise<string>((resolve) => {
      upload.on('response', (response) => resolve(String(response.statusCode)));
      upload.on('error', (error) => resolve(`error: ${error.message}`));
    });
    for (let i = 0; i < 64; i++) upload.write(Buffer.alloc(64 * 1024, 0x41));
    await new Promise((resolve) => setTimeout(resolve, 200));
    gateway.child.kill('SIGTERM');
    assert.equal(await gateway.exited, 0);
    const outcome = await answered;
    assert.notEqual(outcome, '201', 'the interrupted upload must not be reported as stored');
    upload.destroy();
    const leftovers = await filesUnder(join(dir, 'data', 'us'));
    assert.deepEqual(
      leftovers.filter((file) => file.includes('interrupted')),
      [],
    );
    assert.deepEqual(leftovers, [], 'no temporary or partial files either');
  });
});

describe('the built bundle', () => {
  test('npm run build produces a plain-JavaScript gateway that serves without a TypeScript loader', async () => {
    const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    const home = await mkdtemp(join(tmpdir(), 'residency-built-'));
    const run = spawn(process.execPath, [join(PROJECT_ROOT, 'dist/node/hosts/node.mjs')], {
      cwd: home,
      env: { ...process.env, RESIDENCY_POLICY: policyPath, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      let stderr = '';
      const url = await new Promise<string>((resolve, reject) => {
        run.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
          if (match) resolve(match[1]!);
        });
        run.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const token = await identity.sign({ account_id: 'acme', account_region: 'GB' });
      const put = await fetch(`${url}/v1/objects/chat-transcript/built.json`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: '{}' });
      assert.equal(put.status, 201);
    } finally {
      run.kill('SIGTERM');
      await new Promise((resolve) => run.on('exit', resolve));
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('the embedded development default', () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'residency-dev-'));
  });
  after(() => rm(home, { recursive: true, force: true }));

  test('npm start runs without configuration and npm run token mints a token it accepts', async () => {
    const gateway = await startGatewayProcess({ cwd: home, env: { RESIDENCY_POLICY: '' } });
    try {
      assert.match(gateway.stderr(), /DEVELOPMENT SETUP/);
      assert.match(gateway.stderr(), /curl/);
      const tokenRun = runEntry('src/cli/main.ts', ['token', '--account', 'acme', '--region', 'GB'], { cwd: home });
      assert.equal(await tokenRun.exited, 0, tokenRun.stderr());
      const token = tokenRun.stdout().trim();
      assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      const put = await fetch(`${gateway.url}/v1/objects/chat-transcript/2026/11/21/s1.json`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"hello":"world"}',
      });
      assert.equal(put.status, 201, await put.clone().text());
      assert.equal(((await put.json()) as { zone: string }).zone, 'uk-eu');
      assert.ok((await filesUnder(join(home, '.data', 'uk-eu'))).length > 0);
      assert.deepEqual(await filesUnder(join(home, '.data', 'us')), []);
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
  });
});

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runEntry, startGatewayProcess, type GatewayProcess } from './helpers/process.ts';
import { fsPolicyDir } from './helpers/policy-dir.ts';
import type { TestIdentity } from './helpers/tokens.ts';

let dir: string;
let identity: TestIdentity;
let policyPath: string;

before(async () => {
  const setup = await fsPolicyDir('residency-cluster-', { maxObjectBytes: 64 * 1024 * 1024 });
  ({ dir, identity, policyPath } = setup);
});
after(() => rm(dir, { recursive: true, force: true }));

function startCluster(env: NodeJS.ProcessEnv = {}): Promise<GatewayProcess> {
  return startGatewayProcess({ env: { RESIDENCY_POLICY: policyPath, RESIDENCY_WORKERS: '2', ...env } });
}

interface Answer {
  status: number;
  body: string;
}

/** One request on a connection of its own, so that the cluster hands each to the next worker. */
function send(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sent = request({ host: hostname, port, method, path, headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    sent.on('error', reject);
    // A request never answered is a failure of its own, not a hung test.
    sent.setTimeout(15_000, () => sent.destroy(new Error(`${method} ${path}: no answer within 15 s`)));
    sent.end(body);
  });
}

/** The sum of the series of `name` that carry all of `labels` (0 when none), in a Prometheus text exposition. */
function sample(metrics: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of metrics.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = new Map([...(match[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((label) => [label[1]!, label[2]!]));
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value)) sum += Number(match[3]);
  }
  return sum;
}

function workerConnections(metrics: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of metrics.matchAll(/^residency_worker_connections_total\{worker="(\d+)"\} (\d+)$/gm)) counts.set(match[1]!, Number(match[2]));
  return counts;
}

/** Files of the data under a store's folder: the store's catalog of data class names is not data. */
async function dataFilesUnder(path: string): Promise<string[]> {
  const entries = await readdir(path, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.startsWith(join(path, 'catalog.d', 'classes.d')));
}

/** The pids of the primary's worker processes (Linux: read from /proc; other children, such as tsx's esbuild service, left out). */
async function workerPids(primary: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const command = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (parent === primary && command.includes('src/hosts/node.ts')) pids.push(Number(entry));
  }
  return pids;
}

/** Whether a process still runs (a zombie waiting for its parent does not). */
async function running(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, gateway?: GatewayProcess): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting for ${what}${gateway ? `; the gateway said:\n${gateway.stderr()}` : ''}`);
}

const REQUESTS = 'residency_http_requests_total';
const PUT_201 = { method: 'PUT', status: '201' };

describe('the gateway on two worker processes', () => {
  test('one banner; both workers serve; /metrics counts every request of the pod, whichever worker is scraped', async () => {
    const gateway = await startCluster();
    try {
      assert.equal(gateway.stderr().match(/listening on/g)?.length, 1, gateway.stderr());
      assert.match(gateway.stderr(), /2 worker processes/);
      const token = await identity.sign({ account_id: 'acme', account_region: 'GB' });
      const puts = 10;
      for (let i = 0; i < puts; i++) {
        const answer = await send(
          gateway.url,
          'PUT',
          `/v1/objects/chat-transcript/cluster/${i}.json`,
          { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          `{"n":${i}}`,
        );
        assert.equal(answer.status, 201, answer.body);
      }
      for (let scrape = 1; scrape <= 4; scrape++) {
        const metrics = await send(gateway.url, 'GET', '/metrics');
        assert.equal(metrics.status, 200);
        assert.equal(sample(metrics.body, REQUESTS, PUT_201), puts, metrics.body);
        assert.equal(sample(metrics.body, 'residency_decisions_total', { action: 'write', outcome: 'allowed' }), puts);
        const connections = workerConnections(metrics.body);
        assert.deepEqual([...connections.keys()].sort(), ['1', '2']);
        assert.ok(
          [...connections.values()].every((count) => count > 0),
          `both workers served: ${[...connections]}`,
        );
        // The PUTs and the scrapes so far, this one included: no connection is counted twice or lost.
        assert.equal(
          [...connections.values()].reduce((a, b) => a + b),
          puts + scrape,
        );
        assert.equal(sample(metrics.body, 'residency_workers'), 2);
      }
      const audit = gateway
        .stdout()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { action: string; outcome: string });
      assert.equal(audit.filter((event) => event.action === 'write' && event.outcome === 'allowed').length, puts);
    } finally {
      gateway.child.kill('SIGTERM');
      assert.equal(await gateway.exited, 0, gateway.stderr());
    }
  });

  test('audit lines as long as the contract allows, from both workers at once, are never interleaved', async () => {
    // Identifiers in clear, each as long as allowed (the key's limit shrinks with the account's length); quotes double in JSON.
    const policy = JSON.parse(await readFile(policyPath, 'utf8')) as Record<string, unknown>;
    const clearPolicy = join(dir, 'clear-identifiers.yaml');
    await writeFile(clearPolicy, JSON.stringify({ ...policy, audit: { hashIdentifiers: false } }));
    const gateway = await startGatewayProcess({ env: { RESIDENCY_POLICY: clearPolicy, RESIDENCY_WORKERS: '2' } });
    try {
      const token = await identity.sign({ account_id: 'a'.repeat(256), account_region: 'GB', sub: 's'.repeat(256) });
      const puts = 40;
      const key = (i: number) => `${String(i).padStart(2, '0')}${'"'.repeat(700)}`;
      const answers = await Promise.all(
        Array.from({ length: puts }, (_, i) =>
          send(
            gateway.url,
            'PUT',
            `/v1/objects/chat-transcript/${encodeURIComponent(key(i))}`,
            { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-subject-id': `${i}`.padEnd(256, '"') },
            '{}',
          ),
        ),
      );
      assert.deepEqual(
        answers.map((answer) => answer.status),
        Array<number>(puts).fill(201),
        answers[0]?.body,
      );
      const metrics = await send(gateway.url, 'GET', '/metrics');
      assert.ok(
        [...workerConnections(metrics.body).values()].every((count) => count > 0),
        'both workers wrote audit lines',
      );
      await waitFor(() => gateway.stdout().split('\n').length > puts, 'every audit line');
      const lines = gateway.stdout().trim().split('\n');
      assert.equal(lines.length, puts);
      const keys = lines.map((line) => {
        assert.ok(line.length > 2000, `${line.length}`);
        const event = JSON.parse(line) as { key: string; outcome: string };
        assert.equal(event.outcome, 'allowed');
        return event.key;
      });
      assert.deepEqual(keys.sort(), Array.from({ length: puts }, (_, i) => key(i)).sort());
    } finally {
      gateway.child.kill('SIGTERM');
      assert.equal(await gateway.exited, 0, gateway.stderr());
    }
  });

  test('SIGTERM in the middle of uploads on both workers: nothing stored, exit 0', async () => {
    const gateway = await startCluster({ SHUTDOWN_GRACE_MS: '300' });
    const token = await identity.sign({ account_id: 'acme', account_region: 'US' });
    const { hostname, port } = new URL(gateway.url);
    const uploads = [1, 2].map((n) => {
      const upload = request({
        host: hostname,
        port,
        method: 'PUT',
        path: `/v1/objects/chat-transcript/interrupted-${n}.bin`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
        agent: false,
      });
      const answered = new Promise<string>((resolve) => {
        upload.on('response', (response) => resolve(String(response.statusCode)));
        upload.on('error', (error) => resolve(`error: ${error.message}`));
      });
      for (let i = 0; i < 64; i++) upload.write(Buffer.alloc(64 * 1024, 0x41));
      return { upload, answered };
    });
    const store = join(dir, 'data', 'us');
    // Both uploads have reached the store (a temporary file each) before the signal.
    await waitFor(async () => (await dataFilesUnder(store)).length >= 2, 'both uploads to be streaming into the store');
    const workers = await workerPids(gateway.child.pid!);
    assert.equal(workers.length, 2);
    gateway.child.kill('SIGTERM');
    assert.equal(await gateway.exited, 0, gateway.stderr());
    for (const { upload, answered } of uploads) {
      assert.notEqual(await answered, '201', 'an interrupted upload must not be reported as stored');
      upload.destroy();
    }
    assert.deepEqual(await dataFilesUnder(store), [], 'no object, no temporary or partial file');
    for (const pid of workers) assert.equal(await running(pid), false, `worker ${pid} outlived the primary`);
    // Each cut-off write is still a decision on record: the workers' last audit lines reach the primary before it exits.
    const writes = gateway
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { action: string; outcome: string })
      .filter((event) => event.action === 'write');
    assert.deepEqual(
      writes.map((event) => event.outcome),
      ['failed', 'failed'],
      gateway.stdout(),
    );
  });

  test('a worker that dies is replaced; the pod keeps serving and its counters never go back', async () => {
    const gateway = await startCluster();
    try {
      const token = await identity.sign({ account_id: 'acme', account_region: 'GB' });
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      for (let i = 0; i < 4; i++) assert.equal((await send(gateway.url, 'PUT', `/v1/objects/chat-transcript/before/${i}.json`, headers, '{}')).status, 201);
      // Both workers report before one dies, so that the primary holds what each counted.
      const before = await send(gateway.url, 'GET', '/metrics');
      assert.equal(sample(before.body, REQUESTS, PUT_201), 4);
      const [victim] = await workerPids(gateway.child.pid!);
      process.kill(victim!, 'SIGKILL');
      await waitFor(() => /starting a replacement/.test(gateway.stderr()), 'the replacement', gateway);
      await waitFor(async () => (await workerPids(gateway.child.pid!)).length === 2, 'two workers again', gateway);
      await waitFor(async () => sample((await send(gateway.url, 'GET', '/metrics')).body, 'residency_workers') === 2, 'the replacement to serve', gateway);
      for (let i = 0; i < 4; i++) assert.equal((await send(gateway.url, 'GET', `/v1/objects/chat-transcript/before/${i}.json`, headers)).status, 200);
      const afterwards = await send(gateway.url, 'GET', '/metrics');
      assert.equal(sample(afterwards.body, REQUESTS, PUT_201), 4, afterwards.body);
      assert.equal(sample(afterwards.body, REQUESTS, { method: 'GET', status: '200' }), 4);
      assert.equal(sample(afterwards.body, 'residency_worker_restarts_total'), 1);
      assert.equal(gateway.stderr().match(/listening on/g)?.length, 1, 'the banner is not printed again for a replacement');
    } finally {
      gateway.child.kill('SIGTERM');
      assert.equal(await gateway.exited, 0, gateway.stderr());
    }
  });

  test('a worker that keeps dying ends the primary with exit code 1 instead of restarting it for ever', async () => {
    const gateway = await startCluster();
    try {
      const restarts = () => gateway.stderr().match(/starting a replacement/g)?.length ?? 0;
      let killed = 0;
      while (gateway.child.exitCode === null && killed < 20) {
        const serving = await send(gateway.url, 'GET', '/metrics').then(
          (metrics) => sample(metrics.body, 'residency_workers') === 2,
          () => false,
        );
        const pids = await workerPids(gateway.child.pid!);
        if (!serving || pids.length !== 2) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        const before = restarts();
        for (const pid of pids) process.kill(pid, 'SIGKILL');
        killed += 2;
        await waitFor(() => restarts() >= before + 2 || gateway.child.exitCode !== null, 'the replacements', gateway);
      }
      assert.equal(await gateway.exited, 1, gateway.stderr());
      assert.match(gateway.stderr(), /died 6 times within 60 s; stopping/);
      assert.ok(killed <= 12, `gave up after ${killed} deaths`);
    } finally {
      gateway.child.kill('SIGKILL');
    }
  });

  test('workers that cannot start end the primary with exit code 1 and the reasons', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      'version: 1\nzones: {}\nstores: {}\ndataClasses: {}\nauth: { issuer: x, audience: y, algorithms: [none], jwks: { url: "https://x/" } }\n',
    );
    const run = runEntry('src/hosts/node.ts', [], { env: { RESIDENCY_POLICY: bad, RESIDENCY_WORKERS: '2', PORT: '0', HOST: '127.0.0.1' } });
    assert.equal(await run.exited, 1);
    assert.match(run.stderr(), /refusing to start/);
    assert.match(run.stderr(), /auth\.algorithms\[0\]/);
    assert.doesNotMatch(run.stderr(), /listening on/);
  });

  test('an unusable RESIDENCY_WORKERS is refused at start, naming the variable', async () => {
    for (const value of ['0', 'two', '1.5', '-1']) {
      const run = runEntry('src/hosts/node.ts', [], { env: { RESIDENCY_POLICY: policyPath, RESIDENCY_WORKERS: value, PORT: '0', HOST: '127.0.0.1' } });
      assert.equal(await run.exited, 1, value);
      assert.match(run.stderr(), /refusing to start:\n {2}RESIDENCY_WORKERS: /);
    }
  });
});

/**
 * What worker processes cost: the gateway's CPU time per 4 KiB PUT (memory
 * store, 16 connections) with RESIDENCY_WORKERS=1 and =2, summed over all of
 * its processes and shown per process (with 2, the first is the primary,
 * which writes every audit line and serves no request). CPU time, not
 * requests per second: it is what the pod pays, and it says something even
 * on a busy machine. Not a timed test.
 *
 *   npm run -s build && node --import tsx bench/cluster-cpu.ts
 *
 * Environment: BENCH_REQUESTS (default 8000, after 2000 to warm up).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryPolicy } from '../test/helpers/gateway.ts';
import { createTestIdentity } from '../test/helpers/tokens.ts';
import { cpuSeconds } from './lib/gateway.ts';

const BUILT_ENTRY = fileURLToPath(new URL('../dist/node/hosts/node.mjs', import.meta.url));
const requests = Number(process.env.BENCH_REQUESTS ?? 8000);
const CONNECTIONS = 16;

const workDir = await mkdtemp(join(tmpdir(), 'residency-cluster-cpu-'));
const identity = await createTestIdentity();
await writeFile(join(workDir, 'jwks.json'), JSON.stringify(identity.jwks));
const policy = memoryPolicy();
policy.auth = identity.authConfig({ file: './jwks.json' });
await writeFile(join(workDir, 'policy.json'), JSON.stringify(policy));
const token = await identity.sign({ account_id: 'bench', account_region: 'GB', exp: Math.floor(Date.now() / 1000) + 3_600 });
const body = JSON.stringify({ text: 'x'.repeat(4096 - 11) });

async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}

async function putMany(url: string, count: number, from: number): Promise<void> {
  let next = from;
  const end = from + count;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < end) {
        const response = await fetch(`${url}/v1/objects/chat-transcript/cpu/${next++}.json`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        });
        if (response.status !== 201) throw new Error(`PUT: ${response.status} ${await response.text()}`);
        await response.arrayBuffer();
      }
    }),
  );
}

try {
  process.stdout.write(`Node ${process.version}, ${requests} PUTs of 4 KiB, memory store, ${CONNECTIONS} connections\n`);
  process.stdout.write('| workers | gateway CPU per PUT, all processes | per process (primary first) | PUTs/s |\n|---|---|---|---|\n');
  for (const workers of [1, 2]) {
    const child = spawn(process.execPath, [BUILT_ENTRY], {
      cwd: workDir,
      env: { ...process.env, RESIDENCY_POLICY: join(workDir, 'policy.json'), PORT: '0', HOST: '127.0.0.1', RESIDENCY_WORKERS: String(workers) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(stderr);
        // With workers, the banner is complete once the primary names their number.
        if (match && (workers === 1 || /worker processes/.test(stderr))) resolve(match[1]!);
      });
      void exited.then(() => reject(new Error(`the gateway ended:\n${stderr}`)));
    });
    const pids = [child.pid!, ...(workers > 1 ? await childrenOf(child.pid!) : [])];
    await putMany(url, 2000, 0);
    const before = await Promise.all(pids.map(cpuSeconds));
    const started = performance.now();
    await putMany(url, requests, 2000);
    const seconds = (performance.now() - started) / 1000;
    const used = (await Promise.all(pids.map(cpuSeconds))).map((after, i) => after - before[i]!);
    const perPut = (cpu: number) => `${((cpu / requests) * 1000).toFixed(3)} ms`;
    process.stdout.write(`| ${workers} | ${perPut(used.reduce((a, b) => a + b, 0))} | ${used.map(perPut).join(', ')} | ${(requests / seconds).toFixed(0)} |\n`);
    child.kill('SIGTERM');
    await exited;
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}

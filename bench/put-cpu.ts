/**
 * `node --import tsx bench/put-cpu.ts`: the gateway's CPU time per 4 KiB PUT
 * to the memory store (the "≤ 0.1 ms" target of bench/README.md), measured
 * from /proc as the bench's small section does, without the rest of the
 * bench. With PUT_CPU_PROFILE_DIR=dir the gateway writes a V8 CPU profile.
 *
 *   PUT_CPU_SECONDS=10  PUT_CPU_CONNECTIONS=16  PUT_CPU_RUNS=3
 *   PUT_CPU_STORE=memory|fs|s3|azure   the zone's store (default memory)
 *   PUT_CPU_WORKERS=n                  RESIDENCY_WORKERS (CPU summed over the workers)
 *   PUT_CPU_KEYS=500                   keys per connection: the memory store's size, which its listings walk
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestIdentity } from '../test/helpers/tokens.ts';
import { smallDocument } from './lib/documents.ts';
import { gatewayCpuSeconds, DATA_CLASS, startGateway } from './lib/gateway.ts';
import { startLoadGenerator } from './lib/load.ts';
import { azureStore, fsStore, memoryStore, s3Store, type BenchStore } from './lib/stores.ts';

const seconds = Number(process.env.PUT_CPU_SECONDS ?? 10);
const connections = Number(process.env.PUT_CPU_CONNECTIONS ?? 16);
const runs = Number(process.env.PUT_CPU_RUNS ?? 3);

const keySpace = Number(process.env.PUT_CPU_KEYS ?? 500);
const workers = process.env.PUT_CPU_WORKERS === undefined ? undefined : Number(process.env.PUT_CPU_WORKERS);

const workDir = await mkdtemp(join(tmpdir(), 'residency-put-cpu-'));
const stores: Record<string, () => Promise<BenchStore>> = { memory: memoryStore, fs: () => fsStore(workDir), s3: s3Store, azure: azureStore };
const openStore = stores[process.env.PUT_CPU_STORE ?? 'memory'];
if (!openStore) throw new Error(`PUT_CPU_STORE: one of ${Object.keys(stores).join(', ')}`);
const identity = await createTestIdentity();
const store = await openStore();
const gateway = await startGateway(workDir, identity, [store], {
  ...(process.env.PUT_CPU_PROFILE_DIR && { cpuProfileDir: process.env.PUT_CPU_PROFILE_DIR }),
  ...(workers !== undefined && { workers }),
});
const load = startLoadGenerator();
try {
  const tokens = await Promise.all(
    Array.from({ length: connections }, (_, i) => identity.sign({ account_id: 'bench', account_region: store.region, sub: `bench-${i}`, jti: randomUUID() })),
  );
  const job = {
    origin: gateway.url,
    method: 'PUT' as const,
    path: `/v1/objects/${DATA_CLASS}/small/c{c}/k{n}`,
    keySpace,
    headers: { 'content-type': 'application/json' },
    body: smallDocument(4096),
    tokens,
    connections,
    expect: [201],
  };
  await load.run({ ...job, seconds: 2 });
  for (let run = 0; run < runs; run++) {
    const before = await gatewayCpuSeconds(gateway.pid);
    const result = await load.run({ ...job, seconds });
    const cpuMs = ((await gatewayCpuSeconds(gateway.pid)) - before) * 1000;
    console.log(
      `run ${run + 1}: ${result.requests} PUTs, ${result.rps.toFixed(0)}/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ` +
        `${(cpuMs / result.requests).toFixed(3)} ms gateway CPU per PUT, ${result.failures} failures${result.firstFailure ? ` (${result.firstFailure})` : ''}`,
    );
  }
} finally {
  await load.close();
  await gateway.stop();
  await store.stop();
  await rm(workDir, { recursive: true, force: true });
}

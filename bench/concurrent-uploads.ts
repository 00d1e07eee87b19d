/**
 * Peak resident memory of the gateway with concurrent large uploads to an fs
 * store: one upload, then UPLOADS at once, each of UPLOAD_MIB MiB, streamed
 * (never held whole by the client). Not a timed test: a measurement for
 * docs/runtime.md and bench/README.md.
 *
 *   node --import tsx bench/concurrent-uploads.ts
 *
 * Environment: BENCH_UPLOAD_MIB (default 1024), BENCH_UPLOADS (default 4).
 * The gateway runs as `npm start` does (the built bundle), one process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestIdentity } from '../test/helpers/tokens.ts';
import { largeDocument } from './lib/documents.ts';
import { DATA_CLASS, peakRssMiB, resetPeakRss, rssMiB, startGateway } from './lib/gateway.ts';
import { putDocument } from './lib/large.ts';
import { fsStore } from './lib/stores.ts';

const MiB = 1024 * 1024;
const uploadMiB = Number(process.env.BENCH_UPLOAD_MIB ?? 1024);
const uploads = Number(process.env.BENCH_UPLOADS ?? 4);

const workDir = await mkdtemp(join(tmpdir(), 'residency-concurrent-'));
const identity = await createTestIdentity();
const store = await fsStore(workDir);
const gateway = await startGateway(workDir, identity, [store], { name: 'concurrent' });
try {
  const token = await identity.sign({ account_id: 'bench', account_region: store.region, sub: 'bench-concurrent', exp: Math.floor(Date.now() / 1000) + 3_600 });
  const document = largeDocument(uploadMiB * MiB);
  const put = (name: string) =>
    putDocument(
      { route: 'gateway', url: `${gateway.url}/v1/objects/${DATA_CLASS}/concurrent/${name}`, headers: { authorization: `Bearer ${token}` } },
      document,
    );

  const measure = async (count: number) => {
    await resetPeakRss(gateway.pid);
    const before = await rssMiB(gateway.pid);
    const started = performance.now();
    await Promise.all(Array.from({ length: count }, (_, i) => put(`${count}-${i}`)));
    const seconds = (performance.now() - started) / 1000;
    return { count, before, peak: await peakRssMiB(gateway.pid), seconds, mbps: (count * document.bytes) / 1e6 / seconds };
  };

  const results = [await measure(1), await measure(uploads)];
  process.stdout.write(`Node ${process.version}, ${uploadMiB} MiB per upload, fs store, one gateway process\n`);
  process.stdout.write('| uploads at once | RSS before (MiB) | peak RSS (MiB) | seconds | MB/s in all |\n|---|---|---|---|---|\n');
  for (const { count, before, peak, seconds, mbps } of results) {
    process.stdout.write(`| ${count} | ${before.toFixed(0)} | ${peak.toFixed(0)} | ${seconds.toFixed(1)} | ${mbps.toFixed(0)} |\n`);
  }
} finally {
  await gateway.stop();
  await store.stop();
  await rm(workDir, { recursive: true, force: true });
}

/**
 * `node --import tsx bench/store-request-cpu.ts`: the CPU time this process
 * (the gateway's side only; the store runs in its own process) spends per
 * store request of each kind a small /v1 PUT makes, on s3rver and Azurite:
 * the PUT itself, and the data-rights reads around it (HEAD of a missing
 * erasure marker, the listing of an empty holds prefix). Sequential, after a
 * warm-up, so the numbers are the adapter's and its SDK's cost per call.
 *
 *   STORE_CPU_REQUESTS=300
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { createAzureBlobStore } from '../src/adapters/azure-blob.ts';
import { createS3Store } from '../src/adapters/s3.ts';
import { streamOf } from '../src/adapters/streams.ts';
import type { ObjectStore } from '../src/adapters/types.ts';
import { startAzurite } from '../test/helpers/azurite.ts';
import { S3_TEST_CREDENTIALS, startS3Server } from '../test/helpers/s3-server.ts';
import { smallDocument } from './lib/documents.ts';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const requests = Number(process.env.STORE_CPU_REQUESTS ?? 300);
const body = new TextEncoder().encode(smallDocument(4096));
const metadata = { contentType: 'application/json', account: 'bench', dataClass: 'chat-transcript' };

/** CPU ms of this process per call, over `requests` sequential calls after a warm-up of 20. */
async function cpuPerCall(call: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await call(i);
  const before = process.cpuUsage();
  for (let i = 0; i < requests; i++) await call(i);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / requests;
}

async function measure(name: string, store: ObjectStore): Promise<void> {
  const put = await cpuPerCall((i) => store.put(`bench/small/k${i % 100}`, streamOf(body), metadata, { contentLength: body.byteLength }));
  const headMissing = await cpuPerCall(() => store.head('bench/.erasure/account'));
  const listEmpty = await cpuPerCall(() => store.list('bench/.holds/', { limit: 1000 }));
  console.log(`${name}: PUT 4 KiB ${put.toFixed(3)} ms, HEAD (missing) ${headMissing.toFixed(3)} ms, LIST (empty) ${listEmpty.toFixed(3)} ms CPU per request`);
}

const s3Server = await startS3Server({ buckets: ['bench'] });
const s3 = createS3Store({ bucket: 'bench', region: 'eu-central-1', endpoint: s3Server.endpoint, forcePathStyle: true, credentials: S3_TEST_CREDENTIALS });
try {
  await measure('s3 (s3rver)', s3);
} finally {
  await s3.close?.();
  await s3Server.stop();
}
const azurite = await startAzurite();
await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('bench').create();
const azure = createAzureBlobStore({ connectionString: azurite.connectionString, container: 'bench' });
try {
  await measure('azure (Azurite)', azure);
} finally {
  await azure.close?.();
  await azurite.stop();
}

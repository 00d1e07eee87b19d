import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { BlobServiceClient, ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { startAzurite } from '../../test/helpers/azurite.ts';
import { S3_TEST_CREDENTIALS, startS3Server } from '../../test/helpers/s3-server.ts';
import { startChild } from './child.ts';

export type StoreName = 'memory' | 'fs' | 's3' | 'azure';

/** One backend as the bench sees it: its own endpoint (the direct and nginx columns) and its entry in the gateway's policy. */
export interface BenchStore {
  name: StoreName;
  /** What answers the direct column. */
  server: string;
  /** The store's own endpoint. */
  origin: string;
  /** The path of an object at that endpoint (through nginx too); `key` may hold the load client's `{c}`/`{n}` placeholders. */
  directPath(key: string): string;
  /** Headers a direct PUT needs besides the body's. */
  directPutHeaders: Record<string, string>;
  /** The region claim that routes a token's writes to this store. */
  region: string;
  /** This store in the gateway's policy file. */
  policyStore: Record<string, unknown>;
  /** Environment the gateway needs to reach the store (credentials stay out of the policy). */
  gatewayEnv: Record<string, string>;
  stop(): Promise<void>;
}

const BUCKET = 'bench';
const CONTAINER = 'bench';
const ORIGIN_SERVER = fileURLToPath(new URL('./origin-server.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

async function startOrigin(args: string[]): Promise<{ origin: string; stop(): Promise<void> }> {
  const { child, match } = await startChild(process.execPath, ['--import', TSX, ORIGIN_SERVER, ...args], {
    ready: /origin listening on port (\d+)/,
  });
  return { origin: `http://127.0.0.1:${match![1]}`, stop: () => child.stop() };
}

/** The memory store; directly, a Node server that drains PUTs and answers GETs from memory: HTTP's cost alone. */
export async function memoryStore(): Promise<BenchStore> {
  const origin = await startOrigin(['null']);
  return {
    name: 'memory',
    server: 'node:http server that drains the body',
    origin: origin.origin,
    directPath: (key) => `/${key}`,
    directPutHeaders: {},
    region: 'FR',
    policyStore: { type: 'memory', jurisdiction: 'EU' },
    gatewayEnv: {},
    stop: origin.stop,
  };
}

/** The fs store; directly, a Node server writing files as durably as the fs adapter (fsync, rename). */
export async function fsStore(workDir: string): Promise<BenchStore> {
  const directDir = join(workDir, 'fs-direct');
  await mkdir(directDir, { recursive: true });
  const origin = await startOrigin(['fs', directDir]);
  return {
    name: 'fs',
    server: 'node:http server writing files (temporary file, fsync, rename)',
    origin: origin.origin,
    directPath: (key) => `/${key}`,
    directPutHeaders: {},
    region: 'GB',
    policyStore: { type: 'fs', path: join(workDir, 'fs-gateway'), jurisdiction: 'UK' },
    gatewayEnv: {},
    stop: origin.stop,
  };
}

/** s3rver; directly, anonymous path-style requests (s3rver does not require signatures). */
export async function s3Store(): Promise<BenchStore> {
  const server = await startS3Server({ buckets: [BUCKET] });
  return {
    name: 's3',
    server: 's3rver',
    origin: server.endpoint,
    directPath: (key) => `/${BUCKET}/${key}`,
    directPutHeaders: {},
    region: 'DE',
    policyStore: { type: 's3', bucket: BUCKET, region: 'eu-central-1', endpoint: server.endpoint, forcePathStyle: true, verifyLocation: false },
    gatewayEnv: { AWS_ACCESS_KEY_ID: S3_TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3_TEST_CREDENTIALS.secretAccessKey },
    stop: () => server.stop(),
  };
}

/** Azurite; directly, Put Blob / Get Blob with a container SAS, as a browser or curl would. */
export async function azureStore(): Promise<BenchStore> {
  const server = await startAzurite();
  const fields = new Map(
    server.connectionString
      .split(';')
      .filter(Boolean)
      .map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)] as const),
  );
  const account = fields.get('AccountName')!;
  const blobEndpoint = new URL(fields.get('BlobEndpoint')!);
  await BlobServiceClient.fromConnectionString(server.connectionString).getContainerClient(CONTAINER).create();
  const sas = generateBlobSASQueryParameters(
    { containerName: CONTAINER, permissions: ContainerSASPermissions.parse('racwd'), expiresOn: new Date(Date.now() + 6 * 3_600_000) },
    new StorageSharedKeyCredential(account, fields.get('AccountKey')!),
  ).toString();
  return {
    name: 'azure',
    server: 'Azurite (blob, on disk)',
    origin: blobEndpoint.origin,
    directPath: (key) => `/${account}/${CONTAINER}/${key}?${sas}`,
    directPutHeaders: { 'x-ms-blob-type': 'BlockBlob' },
    region: 'IE',
    policyStore: { type: 'azure-blob', container: CONTAINER, location: 'northeurope', connectionStringEnv: 'BENCH_AZURE_CONNECTION_STRING' },
    gatewayEnv: { BENCH_AZURE_CONNECTION_STRING: server.connectionString },
    stop: () => server.stop(),
  };
}

import { BlobServiceClient } from '@azure/storage-blob';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { createAzureBlobStore } from '../../src/adapters/azure-blob.ts';
import { createFsStore } from '../../src/adapters/fs.ts';
import { createMemoryStore } from '../../src/adapters/memory.ts';
import { createS3Store } from '../../src/adapters/s3.ts';
import type { ObjectStore } from '../../src/adapters/types.ts';
import { createS3App } from '../../src/http/s3/app.ts';
import { serveApp } from '../../src/hosts/node-server.ts';
import { startAzurite } from './azurite.ts';
import { memoryPolicy, startTestGateway, type TestGateway } from './gateway.ts';
import { assumeRoleWithWebIdentity, type S3Credentials } from './s3-gateway.ts';
import { signerCredentials } from './s3-requests.ts';
import { s3StoreOptions, startS3Server } from './s3-server.ts';
import { amzTimestamp, signHeaders, type SignerCredentials } from './s3-signer.ts';

const ZONE_STORES = ['london', 'virginia'] as const;

/** The stores of the two test zones on one kind of backend, and everything they hold as the backend holds it. */
export interface BackedStores {
  kind: string;
  stores: Map<string, ObjectStore>;
  /** Every stored object, body and metadata, as raw as the backend gives it (plus what the adapter reads of it), as text. */
  dump(): Promise<string>;
  stop(): Promise<void>;
}

/** Memory, fs, S3 (s3rver) and Azure Blob (Azurite): every store kind that runs on Node. */
export const STORE_KINDS: ReadonlyArray<{ kind: string; start: () => Promise<BackedStores> }> = [
  { kind: 'memory', start: memoryStores },
  { kind: 'fs', start: fsStores },
  { kind: 's3', start: s3Stores },
  { kind: 'azure-blob', start: azureStores },
];

/** Headers of a GET that describe the answer, not the stored object. */
const ANSWER_HEADERS = new Set(['date', 'connection', 'keep-alive']);

async function memoryStores(): Promise<BackedStores> {
  const stores = new Map(ZONE_STORES.map((name) => [name, createMemoryStore()]));
  return { kind: 'memory', stores, dump: () => adapterDump(stores), stop: async () => {} };
}

async function fsStores(): Promise<BackedStores> {
  const root = await mkdtemp(join(tmpdir(), 'rp-door-'));
  const stores = new Map(ZONE_STORES.map((name) => [name, createFsStore({ root: join(root, name) })]));
  return {
    kind: 'fs',
    stores,
    async dump() {
      const files = await readdir(root, { recursive: true, withFileTypes: true });
      const contents = await Promise.all(files.filter((file) => file.isFile()).map((file) => readFile(join(file.parentPath, file.name))));
      return `${contents.map((bytes) => bytes.toString('latin1')).join('\n')}\n${await adapterDump(stores)}`;
    },
    stop: () => rm(root, { recursive: true, force: true }),
  };
}

async function s3Stores(): Promise<BackedStores> {
  const server = await startS3Server({ buckets: [...ZONE_STORES] });
  const stores = new Map(ZONE_STORES.map((bucket) => [bucket, createS3Store(s3StoreOptions(server.endpoint, { bucket }))]));
  return {
    kind: 's3',
    stores,
    async dump() {
      // s3rver checks no signature: a plain GET shows every header it keeps.
      const raw: string[] = [];
      for (const [bucket, store] of stores) {
        for (const key of await allKeys(store)) {
          const response = await fetch(`${server.endpoint}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`);
          // what the server keeps, not when it answered: `date` would make two dumps a second apart differ
          const kept = [...response.headers].filter(([name]) => !ANSWER_HEADERS.has(name));
          raw.push(JSON.stringify(kept), Buffer.from(await response.arrayBuffer()).toString('latin1'));
        }
      }
      return `${raw.join('\n')}\n${await adapterDump(stores)}`;
    },
    async stop() {
      await Promise.all([...stores.values()].map((store) => store.close?.()));
      await server.stop();
    },
  };
}

async function azureStores(): Promise<BackedStores> {
  const server = await startAzurite();
  const service = BlobServiceClient.fromConnectionString(server.connectionString);
  for (const container of ZONE_STORES) await service.getContainerClient(container).create();
  const stores = new Map(ZONE_STORES.map((container) => [container, createAzureBlobStore({ connectionString: server.connectionString, container })]));
  return {
    kind: 'azure-blob',
    stores,
    async dump() {
      const raw: string[] = [];
      for (const container of ZONE_STORES) {
        const client = service.getContainerClient(container);
        for await (const item of client.listBlobsFlat({ includeMetadata: true, includeTags: true })) {
          // The listing carries every property, the metadata and the index tags.
          raw.push(JSON.stringify(item), (await client.getBlobClient(item.name).downloadToBuffer()).toString('latin1'));
        }
      }
      return `${raw.join('\n')}\n${await adapterDump(stores)}`;
    },
    stop: () => server.stop(),
  };
}

async function allKeys(store: ObjectStore): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list('', { limit: 1000, ...(cursor !== undefined && { cursor }) });
    keys.push(...page.items.map((item) => item.key));
    cursor = page.cursor;
  } while (cursor !== undefined);
  return keys;
}

/** What the adapters read back: every object's info (metadata decoded) and body. */
async function adapterDump(stores: ReadonlyMap<string, ObjectStore>): Promise<string> {
  const parts: string[] = [];
  for (const store of stores.values()) {
    for (const key of await allKeys(store)) {
      const object = await store.get(key);
      if (!object) continue;
      parts.push(JSON.stringify(object.info), Buffer.from(await new Response(object.body).arrayBuffer()).toString('latin1'));
    }
  }
  return parts.join('\n');
}

export interface DoorRequest {
  query?: string;
  /** Values as a client holds them: a value that is not ASCII goes out as its UTF-8 bytes, as the AWS SDK sends it. */
  headers?: Record<string, string>;
  body?: string;
}

export interface DoorAnswer {
  status: number;
  /** Header values as bytes, one character per byte. */
  headers: Record<string, string>;
  text: string;
}

/**
 * A request signed the way a client signs it (over the header text, hashed
 * as UTF-8) and sent byte for byte with node:http (fetch cannot send a
 * header's UTF-8 bytes).
 */
export function sendSigned(s3Url: string, credentials: SignerCredentials, method: string, path: string, options: DoorRequest = {}): Promise<DoorAnswer> {
  const url = new URL(s3Url);
  const signed = signHeaders(
    {
      method,
      path,
      ...(options.query !== undefined && { query: options.query }),
      headers: { host: url.host, ...options.headers },
      body: options.body ?? '',
      timestamp: amzTimestamp(),
    },
    credentials,
  );
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name, Buffer.from(value, 'utf8').toString('latin1')]));
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      { host: url.hostname, port: url.port, method, path: `${path}${options.query ? `?${options.query}` : ''}`, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, String(value)])),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    sent.on('error', reject);
    // A string body would make Node send the header block with it as UTF-8.
    sent.end(Buffer.from(options.body ?? '', 'utf8'));
  });
}

export interface S3Door {
  s3Url: string;
  gateway: TestGateway;
  backed: BackedStores;
  credentials(): Promise<S3Credentials>;
  stop(): Promise<void>;
}

/** The S3 front door (and its object service) over stores of one kind, on a 127.0.0.1 port. */
export async function startS3Door(backed: BackedStores, maxObjectBytes = 32 * 1024 * 1024): Promise<S3Door> {
  const policy = memoryPolicy();
  policy.limits = { maxObjectBytes };
  const gateway = await startTestGateway({ policy, stores: backed.stores });
  // Served as the Node host serves it, so the answers' header bytes are the host's.
  const listening = await serveApp(createS3App(gateway.deps, { sessionSecret: 'test-session-secret-of-at-least-32-bytes!' }), gateway.deps, '127.0.0.1', 0);
  const s3Url = listening.url;
  return {
    s3Url,
    gateway,
    backed,
    async credentials() {
      return assumeRoleWithWebIdentity(s3Url, await gateway.token());
    },
    async stop() {
      await listening.stop(0, { keepStores: true });
      await gateway.stop();
      await backed.stop();
    },
  };
}

/** An S3 door a suite's tests share: started before them over `start`'s stores, stopped after them. */
export interface SuiteDoor {
  readonly door: S3Door;
  readonly credentials: S3Credentials;
  /** Sends a request signed with the suite's credentials. */
  request(method: string, path: string, options?: DoorRequest): Promise<DoorAnswer>;
}

/** Registers the before and after hooks of a suite's S3 door; call it inside `describe`. */
export function suiteDoor(start: () => Promise<BackedStores>): SuiteDoor {
  let door: S3Door | undefined;
  let credentials: S3Credentials | undefined;
  before(async () => {
    door = await startS3Door(await start());
    credentials = await door.credentials();
  });
  after(() => door?.stop());
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the suite door is used before its before hook ran');
    return value;
  };
  return {
    get door() {
      return started(door);
    },
    get credentials() {
      return started(credentials);
    },
    request: (method, path, options = {}) => sendSigned(started(door).s3Url, signerCredentials(started(credentials)), method, path, options),
  };
}

import { BlobServiceClient } from '@azure/storage-blob';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { createAzureBlobStore } from '../src/adapters/azure-blob.ts';
import { StoreError, type StoreFailure } from '../src/adapters/errors.ts';
import { createS3Store } from '../src/adapters/s3.ts';
import type { ObjectMetadata, ObjectStore } from '../src/adapters/types.ts';
import { assertNothingUnder, patternBody, streamOf } from './adapter-conformance.ts';
import { startAzurite } from './helpers/azurite.ts';
import { S3_TEST_CREDENTIALS, startS3Front, startS3Server } from './helpers/s3-server.ts';

const MiB = 1024 * 1024;
const META: ObjectMetadata = { contentType: 'text/plain', account: 'acme', dataClass: 'chat-transcript' };
const AZURE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** A StoreError of the given kind whose message gives nothing of the credentials away. */
const storeError = (failure: StoreFailure) => (error: unknown) => {
  assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
  assert.equal(error.failure, failure, error.message);
  for (const secret of [AZURE_ACCOUNT_KEY, 'AccountKey', S3_TEST_CREDENTIALS.secretAccessKey, 'Signature=']) {
    assert.ok(!error.message.includes(secret), `message "${error.message}" leaks ${secret}`);
  }
  return true;
};

/** A loopback TCP server that accepts connections and never answers. */
async function startSilentServer(t: TestContext): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Kills the server once the body has sent `bytes`, so that the upload is cut in the middle. */
function killedAfter(bytes: number, kill: () => Promise<void>): { onBytes: (sent: number) => void; killed: () => Promise<void> } {
  let killing: Promise<void> | undefined;
  return {
    onBytes: (sent) => {
      if (sent >= bytes) killing ??= kill();
    },
    killed: async () => {
      assert.ok(killing, 'the server was killed during the upload');
      await killing;
    },
  };
}

describe('s3 store faults', () => {
  const s3Store = (endpoint: string, bucket = 'sessions') =>
    createS3Store({ bucket, region: 'eu-west-2', endpoint, forcePathStyle: true, credentials: S3_TEST_CREDENTIALS, timeoutMs: 1_000 });

  test('a stopped server makes every operation unavailable, and nothing was stored', async (t) => {
    const server = await startS3Server({ buckets: ['sessions'] });
    t.after(() => server.stop());
    const store = s3Store(server.endpoint);
    await server.crash();
    await assert.rejects(store.put('stopped/object', streamOf(new Uint8Array(10)), META), storeError('unavailable'));
    await assert.rejects(store.put('stopped/object', patternBody(12 * MiB, 1), META), storeError('unavailable'));
    await assert.rejects(store.head('stopped/object'), storeError('unavailable'));
    await assert.rejects(store.get('stopped/object'), storeError('unavailable'));
    await assert.rejects(store.list('stopped/'), storeError('unavailable'));
    await assert.rejects(store.delete('stopped/object'), storeError('unavailable'));
    await assert.rejects(store.probe(), storeError('unavailable'));
    await server.restart();
    await assertNothingUnder(store, 'stopped/');
  });

  test('a server killed in the middle of a large upload fails the put, and after a restart nothing is visible', async (t) => {
    const server = await startS3Server({ buckets: ['sessions'] });
    t.after(() => server.stop());
    const store = s3Store(server.endpoint);
    await store.put('cut/kept', streamOf(new TextEncoder().encode('stored before the crash')), META);
    const kill = killedAfter(12 * MiB, () => server.crash());
    await assert.rejects(store.put('cut/object', patternBody(40 * MiB, 2, { onBytes: kill.onBytes }), META), storeError('unavailable'));
    await kill.killed();
    await server.restart();
    assert.ok(await store.head('cut/kept'), 'the server kept what it had stored');
    assert.equal(await store.head('cut/object'), null);
    assert.deepEqual(
      (await store.list('cut/')).items.map((item) => item.key),
      ['cut/kept'],
    );
  });

  test('a server that accepts connections and never answers times out as unavailable', async (t) => {
    const store = s3Store(await startSilentServer(t));
    await assert.rejects(store.put('silent/object', streamOf(new Uint8Array(10)), META), storeError('unavailable'));
    await assert.rejects(store.put('silent/large', patternBody(6 * MiB, 3), META), storeError('unavailable'));
    await assert.rejects(store.head('silent/object'), storeError('unavailable'));
    await assert.rejects(store.list('silent/'), storeError('unavailable'));
    await assert.rejects(store.probe(), storeError('unavailable'));
  });

  test('a missing bucket is a failed store, not an unavailable one', async (t) => {
    const server = await startS3Server({ buckets: ['sessions'] });
    t.after(() => server.stop());
    const store = s3Store(server.endpoint, 'no-such-bucket');
    await assert.rejects(store.put('missing/object', streamOf(new Uint8Array(10)), META), storeError('failed'));
    await assert.rejects(store.probe(), storeError('failed'));
  });

  describe('location proof', () => {
    test('s3rver reports no region, which S3 defines as us-east-1', async (t) => {
      const server = await startS3Server({ buckets: ['sessions'] });
      t.after(() => server.stop());
      assert.deepEqual(await s3Store(server.endpoint).probe(), { region: 'us-east-1' });
    });

    test('the x-amz-bucket-region header of HeadBucket is the region', async (t) => {
      const server = await startS3Server({ buckets: ['sessions'] });
      t.after(() => server.stop());
      const front = await startS3Front(server.endpoint, { headBucketRegion: 'eu-west-2', bucketLocation: 'us-west-2' });
      t.after(() => front.stop());
      assert.deepEqual(await s3Store(front.endpoint).probe(), { region: 'eu-west-2' });
      assert.deepEqual(
        front.requests.map((request) => request.method),
        ['HEAD'],
        'GetBucketLocation not needed',
      );
    });

    test('without the header, GetBucketLocation answers, its legacy EU meaning eu-west-1', async (t) => {
      const server = await startS3Server({ buckets: ['sessions'] });
      t.after(() => server.stop());
      const front = await startS3Front(server.endpoint, { bucketLocation: 'EU' });
      t.after(() => front.stop());
      assert.deepEqual(await s3Store(front.endpoint).probe(), { region: 'eu-west-1' });
    });
  });
});

describe('azure-blob store faults', () => {
  const azureStore = (connectionString: string): ObjectStore => createAzureBlobStore({ connectionString, container: 'sessions', timeoutMs: 1_000 });

  async function startAzuriteWithContainer(t: TestContext) {
    const server = await startAzurite();
    t.after(() => server.stop());
    await BlobServiceClient.fromConnectionString(server.connectionString).getContainerClient('sessions').create();
    return server;
  }

  test('a stopped emulator makes every operation unavailable, and nothing was stored', async (t) => {
    const server = await startAzuriteWithContainer(t);
    const store = azureStore(server.connectionString);
    await server.stop();
    await assert.rejects(store.put('stopped/object', streamOf(new Uint8Array(10)), META), storeError('unavailable'));
    await assert.rejects(store.put('stopped/object', patternBody(9 * MiB, 1), META), storeError('unavailable'));
    await assert.rejects(store.head('stopped/object'), storeError('unavailable'));
    await assert.rejects(store.get('stopped/object'), storeError('unavailable'));
    await assert.rejects(store.list('stopped/'), storeError('unavailable'));
    await assert.rejects(store.delete('stopped/object'), storeError('unavailable'));
    await assert.rejects(store.probe(), storeError('unavailable'));
  });

  // Azurite keeps its blob index in memory and saves it now and then: after SIGKILL a restart finds nothing at
  // all, which would prove nothing. A shutdown in the middle of the upload keeps what was committed.
  test('an emulator shut down in the middle of a large upload fails the put, and after a restart nothing is visible', async (t) => {
    const server = await startAzuriteWithContainer(t);
    const store = azureStore(server.connectionString);
    await store.put('cut/kept', streamOf(new TextEncoder().encode('stored before the shutdown')), META);
    const kill = killedAfter(12 * MiB, () => server.crash('SIGTERM'));
    await assert.rejects(store.put('cut/object', patternBody(40 * MiB, 2, { onBytes: kill.onBytes }), META), storeError('unavailable'));
    await kill.killed();
    await server.restart();
    assert.ok(await store.head('cut/kept'), 'the emulator kept what it had stored');
    assert.equal(await store.head('cut/object'), null);
    assert.deepEqual(
      (await store.list('cut/')).items.map((item) => item.key),
      ['cut/kept'],
    );
  });

  test('a server that accepts connections and never answers times out as unavailable', async (t) => {
    const endpoint = await startSilentServer(t);
    const store = azureStore(
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURE_ACCOUNT_KEY};BlobEndpoint=${endpoint}/devstoreaccount1;`,
    );
    await assert.rejects(store.put('silent/object', streamOf(new Uint8Array(10)), META), storeError('unavailable'));
    await assert.rejects(store.put('silent/large', patternBody(9 * MiB, 3), META), storeError('unavailable'));
    await assert.rejects(store.head('silent/object'), storeError('unavailable'));
    await assert.rejects(store.list('silent/'), storeError('unavailable'));
    await assert.rejects(store.probe(), storeError('unavailable'));
  });

  test('a missing container is a failed store; probe of a present one proves no location', async (t) => {
    const server = await startAzuriteWithContainer(t);
    assert.equal(await azureStore(server.connectionString).probe(), null);
    const missing = createAzureBlobStore({ connectionString: server.connectionString, container: 'no-such-container' });
    await assert.rejects(missing.put('missing/object', streamOf(new Uint8Array(10)), META), storeError('failed'));
    await assert.rejects(missing.probe(), storeError('failed'));
  });

  test('a malformed connection string is refused without quoting it', () => {
    assert.throws(() => createAzureBlobStore({ connectionString: `AccountKey=${AZURE_ACCOUNT_KEY};nonsense`, container: 'sessions' }), storeError('failed'));
  });
});

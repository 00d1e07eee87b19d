import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createAzureBlobStore } from '../src/adapters/azure-blob.ts';
import type { ObjectMetadata } from '../src/adapters/types.ts';
import { adapterConformance, patternBody } from './adapter-conformance.ts';
import { startAzurite, type AzuriteServer } from './helpers/azurite.ts';

const MiB = 1024 * 1024;

describe('azure-blob adapter against Azurite', () => {
  let server: AzuriteServer;
  let container: ContainerClient;
  before(async () => {
    server = await startAzurite();
    container = BlobServiceClient.fromConnectionString(server.connectionString).getContainerClient('sessions');
    await container.create();
  });
  after(() => server.stop());

  const open = () => createAzureBlobStore({ connectionString: server.connectionString, container: 'sessions' });

  adapterConformance(open);

  test('writes the data class and subject hash as blob index tags', async () => {
    const metadata: ObjectMetadata = { contentType: 'text/plain', account: 'acme', dataClass: 'chat-transcript', subject: 'q1w2-e3_r4' };
    await open().put('tags/object', patternBody(100, 1), metadata);
    const { tags } = await container.getBlobClient('tags/object').getTags();
    assert.deepEqual(tags, { dataclass: 'chat-transcript', subject: 'q1w2-e3_r4' });
  });

  test('a small body is one Put Blob, a longer one a committed list of 4 MiB blocks', async () => {
    const store = open();
    await store.put('blocks/small', patternBody(MiB, 2), { contentType: 'text/plain', account: 'acme', dataClass: 'survey' });
    await store.put('blocks/large', patternBody(9 * MiB, 3), { contentType: 'text/plain', account: 'acme', dataClass: 'survey' });
    const small = await container.getBlockBlobClient('blocks/small').getBlockList('all');
    const large = await container.getBlockBlobClient('blocks/large').getBlockList('all');
    assert.equal(small.committedBlocks?.length ?? 0, 0);
    assert.deepEqual(
      large.committedBlocks?.map((block) => block.size),
      [4 * MiB, 4 * MiB, MiB],
    );
    assert.equal(large.uncommittedBlocks?.length ?? 0, 0);
  });
});

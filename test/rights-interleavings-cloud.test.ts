import { BlobServiceClient } from '@azure/storage-blob';
import { after } from 'node:test';
import { createAzureBlobStore } from '../src/adapters/azure-blob.ts';
import { createS3Store } from '../src/adapters/s3.ts';
import { startAzurite, type AzuriteServer } from './helpers/azurite.ts';
import { interleavedErasureSuite } from './helpers/interleaved-rights.ts';
import { S3_TEST_CREDENTIALS, startS3Server, type S3TestServer } from './helpers/s3-server.ts';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const servers: Array<S3TestServer | AzuriteServer> = [];
after(() => Promise.all(servers.map((server) => server.stop())));

interleavedErasureSuite(
  'S3 (s3rver)',
  async () => {
    const server = await startS3Server({ buckets: ['interleave'] });
    servers.push(server);
    return createS3Store({ bucket: 'interleave', region: 'eu-west-2', endpoint: server.endpoint, forcePathStyle: true, credentials: S3_TEST_CREDENTIALS });
  },
  12,
);

interleavedErasureSuite(
  'Azure Blob (Azurite)',
  async () => {
    const server = await startAzurite();
    servers.push(server);
    await BlobServiceClient.fromConnectionString(server.connectionString).getContainerClient('interleave').create();
    return createAzureBlobStore({ connectionString: server.connectionString, container: 'interleave' });
  },
  12,
);

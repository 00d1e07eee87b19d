import { BlobServiceClient } from '@azure/storage-blob';
import { after } from 'node:test';
import { createAzureBlobStore } from '../src/adapters/azure-blob.ts';
import { createS3Store } from '../src/adapters/s3.ts';
import { startAzurite, type AzuriteServer } from './helpers/azurite.ts';
import { dataRightsSuite } from './helpers/data-rights-suite.ts';
import { S3_TEST_CREDENTIALS, startS3Server, type S3TestServer } from './helpers/s3-server.ts';

const servers: Array<S3TestServer | AzuriteServer> = [];
after(() => Promise.all(servers.map((server) => server.stop())));

dataRightsSuite('S3 (s3rver)', {
  async openStore() {
    const server = await startS3Server({ buckets: ['rights'] });
    servers.push(server);
    return createS3Store({ bucket: 'rights', region: 'eu-west-2', endpoint: server.endpoint, forcePathStyle: true, credentials: S3_TEST_CREDENTIALS });
  },
});

dataRightsSuite('Azure Blob (Azurite)', {
  async openStore() {
    const server = await startAzurite();
    servers.push(server);
    await BlobServiceClient.fromConnectionString(server.connectionString).getContainerClient('rights').create();
    return createAzureBlobStore({ connectionString: server.connectionString, container: 'rights' });
  },
});

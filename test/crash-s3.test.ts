import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createS3Store } from '../src/adapters/s3.ts';
import { S3_TEST_CREDENTIALS } from './helpers/s3-server.ts';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

/**
 * s3rver cannot list multipart uploads, so this endpoint answers
 * ListMultipartUploads as S3 documents it (two pages) and records every
 * AbortMultipartUpload: what the sweep and start-up do after a crash.
 */
const now = Date.now();
const hourAgo = new Date(now - 3_600_000).toISOString();
const justNow = new Date(now).toISOString();
const pages: Record<string, string> = {
  '': uploads(
    [
      ['objects/chat-transcript/killco/jane-doe/a.json', 'dead-1', hourAgo],
      ['objects/chat-transcript/live/b.json', 'live-1', justNow],
    ],
    { next: ['objects/chat-transcript/live/b.json', 'live-1'] },
  ),
  'objects/chat-transcript/live/b.json live-1': uploads([['subjects/killco/abc/chat-transcript/c.json', 'dead-2', hourAgo]]),
};
const aborted: string[] = [];
let server: Server;
let endpoint: string;

before(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && url.searchParams.has('uploads')) {
      const page =
        pages[`${url.searchParams.get('key-marker') ?? ''}${url.searchParams.has('upload-id-marker') ? ` ${url.searchParams.get('upload-id-marker')}` : ''}`];
      response.writeHead(page ? 200 : 400, { 'content-type': 'application/xml' }).end(page ?? '<Error><Code>InvalidArgument</Code></Error>');
    } else if (request.method === 'DELETE' && url.searchParams.has('uploadId')) {
      aborted.push(`${decodeURIComponent(url.pathname.replace(/^\/bucket\//, ''))} ${url.searchParams.get('uploadId')}`);
      response.writeHead(204).end();
    } else {
      response.writeHead(501, { 'content-type': 'application/xml' }).end('<Error><Code>NotImplemented</Code></Error>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('S3: removeIncomplete aborts every upload idle since before the cut-off, across pages, and no other', async () => {
  const store = createS3Store({ bucket: 'bucket', region: 'eu-west-2', endpoint, forcePathStyle: true, credentials: S3_TEST_CREDENTIALS });
  try {
    assert.equal(await store.removeIncomplete!(new Date(now - 60_000)), 2);
    assert.deepEqual(aborted.sort(), ['objects/chat-transcript/killco/jane-doe/a.json dead-1', 'subjects/killco/abc/chat-transcript/c.json dead-2']);
  } finally {
    await store.close?.();
  }
});

function uploads(entries: Array<[key: string, id: string, initiated: string]>, options: { next?: [string, string] } = {}): string {
  const items = entries
    .map(([key, id, initiated]) => `<Upload><Key>${key}</Key><UploadId>${id}</UploadId><Initiated>${initiated}</Initiated></Upload>`)
    .join('');
  const truncated = options.next
    ? `<IsTruncated>true</IsTruncated><NextKeyMarker>${options.next[0]}</NextKeyMarker><NextUploadIdMarker>${options.next[1]}</NextUploadIdMarker>`
    : '<IsTruncated>false</IsTruncated>';
  return `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>bucket</Bucket>${truncated}${items}</ListMultipartUploadsResult>`;
}

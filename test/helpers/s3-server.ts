import { mkdtemp } from 'node:fs/promises';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3StoreOptions } from '../../src/adapters/s3.ts';
import { startRestartable, startServerProcess } from './server-process.ts';

/** s3rver knows one account; it checks the access key id, not the SigV4 signature itself. */
export const S3_TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** The S3 adapter's options for the test server (or a front) at `endpoint`: bucket `sessions` in eu-west-2, path-style. */
export const s3StoreOptions = (endpoint: string, extra: Partial<S3StoreOptions> = {}): S3StoreOptions => ({
  bucket: 'sessions',
  region: 'eu-west-2',
  endpoint,
  forcePathStyle: true,
  credentials: S3_TEST_CREDENTIALS,
  ...extra,
});

export interface S3TestServer {
  endpoint: string;
  /** Stops the server for good and removes its data. */
  stop(): Promise<void>;
  /**
   * Ends the server process with `signal` (SIGKILL: a crash, SIGTERM: a
   * shutdown); its data stays for `restart`.
   */
  crash(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and data. */
  restart(): Promise<void>;
}

/**
 * Runs s3rver (its listing continuation tokens use DES, hence OpenSSL's legacy
 * provider) with two of S3's guarantees that s3rver lacks put back, so that
 * the conformance suite tests the adapter rather than s3rver's shortcuts:
 * - a PUT is atomic: s3rver writes an object's bytes and metadata files in
 *   place, so concurrent writes to one key would interleave; here writes to
 *   one key take turns (a multipart completion is a putObject too);
 * - keys are listed in UTF-8 byte order: s3rver lists in directory-walk
 *   order, which repeats and skips keys across pages once a key is also the
 *   prefix of other keys; here the page is cut from the sorted listing.
 * What stays lenient (no SigV4 check beyond the access key id, no
 * If-None-Match, chunked PUTs accepted) is checked by recording requests.
 */
const RUN_S3RVER = `
const [s3rver, directory, port, ...buckets] = process.argv.slice(1);
const S3rver = require(s3rver);
const FilesystemStore = require(require('node:path').join(require('node:path').dirname(s3rver), 'stores', 'filesystem.js'));
const { putObject, listObjects } = FilesystemStore.prototype;
const writes = new Map();
FilesystemStore.prototype.putObject = function (object) {
  const id = object.bucket + '/' + object.key;
  const write = (writes.get(id) ?? Promise.resolve()).catch(() => {}).then(() => putObject.call(this, object));
  writes.set(id, write);
  return write;
};
FilesystemStore.prototype.listObjects = async function (bucket, options) {
  const all = await listObjects.call(this, bucket, { ...options, startAfter: undefined, maxKeys: Infinity });
  const bytes = (key) => Buffer.from(key, 'utf8');
  const after = options.startAfter === undefined ? undefined : bytes(options.startAfter);
  const sorted = all.objects
    .sort((a, b) => Buffer.compare(bytes(a.key), bytes(b.key)))
    .filter((object) => after === undefined || Buffer.compare(bytes(object.key), after) > 0);
  return { ...all, objects: sorted.slice(0, options.maxKeys), isTruncated: sorted.length > options.maxKeys };
};
new S3rver({ address: '127.0.0.1', port: Number(port), silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) })
  .run()
  .then((address) => console.log('s3rver listening on port ' + address.port));
`;

/** Starts s3rver in a child process on a free loopback port, with a fresh data directory holding `buckets`. */
export async function startS3Server(options: { buckets: string[] }): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const s3rverPath = createRequire(import.meta.url).resolve('s3rver');
  const launch = (port: number) =>
    startServerProcess({
      script: RUN_S3RVER,
      args: [s3rverPath, directory, String(port), ...options.buckets],
      nodeOptions: ['--openssl-legacy-provider'],
      ready: /s3rver listening on port (\d+)/,
    });

  const server = await startRestartable(launch, directory);
  return { endpoint: `http://127.0.0.1:${server.port}`, stop: server.stop, crash: server.crash, restart: server.restart };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The status the client got, once answered. */
  status?: number;
}

export interface S3Front {
  endpoint: string;
  /** Every request that went through, in order. */
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of an S3 server. It records the requests
 * (so tests can check what the adapter really sent, which lenient s3rver
 * would accept anyway), can make the bucket report a region (HeadBucket
 * answers gain `x-amz-bucket-region`, GetBucketLocation answers are
 * replaced), and can answer every request (or only copies) with an error status instead.
 */
export async function startS3Front(
  target: string,
  options: { headBucketRegion?: string; bucketLocation?: string; errorStatus?: number; copyStatus?: number } = {},
): Promise<S3Front> {
  const requests: RecordedRequest[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((incoming, outgoing) => {
    const recorded: RecordedRequest = { method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers };
    requests.push(recorded);
    outgoing.on('finish', () => (recorded.status = outgoing.statusCode));
    const injected = incoming.headers['x-amz-copy-source'] !== undefined ? (options.copyStatus ?? options.errorStatus) : options.errorStatus;
    if (injected !== undefined) {
      incoming.resume();
      outgoing.writeHead(injected, { 'content-type': 'application/xml' });
      outgoing.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected</Message></Error>');
      return;
    }
    const isBucketRequest = /^\/[^/?]+\/?(\?|$)/.test(incoming.url ?? '');
    if (options.bucketLocation !== undefined && isBucketRequest && /[?&]location(=|&|$)/.test(incoming.url ?? '')) {
      outgoing.writeHead(200, { 'content-type': 'application/xml' });
      outgoing.end(
        `<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${options.bucketLocation}</LocationConstraint>`,
      );
      return;
    }
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        const headers = { ...answer.headers };
        if (options.headBucketRegion && incoming.method === 'HEAD' && isBucketRequest) {
          headers['x-amz-bucket-region'] = options.headBucketRegion;
        }
        outgoing.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { createAdaptorServer } from '@hono/node-server';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore } from '../../src/adapters/fs.ts';
import type { ObjectStore } from '../../src/adapters/types.ts';
import { createS3App } from '../../src/http/s3/app.ts';
import { memoryPolicy, startTestGateway, type TestGateway } from './gateway.ts';
import type { Claims } from './tokens.ts';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
}

/** Temporary credentials for a token from the S3 door's STS at `s3Url`, as an SDK's web-identity provider asks for them. */
export async function assumeRoleWithWebIdentity(s3Url: string, token: string): Promise<S3Credentials> {
  const form = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', WebIdentityToken: token, RoleSessionName: 'test' });
  const response = await fetch(`${s3Url}/`, { method: 'POST', body: form });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`STS answered ${response.status}: ${text}`);
  const field = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1] ?? '';
  return {
    accessKeyId: field('AccessKeyId'),
    secretAccessKey: field('SecretAccessKey'),
    sessionToken: field('SessionToken'),
    expiration: field('Expiration'),
  };
}

export interface S3TestGateway extends TestGateway {
  /** The S3 front door, e.g. http://127.0.0.1:PORT */
  s3Url: string;
  sessionSecret: string;
  /** Trades a token for `claims` at the gateway's STS, as a client's web-identity provider does. */
  credentials(claims?: Claims): Promise<S3Credentials>;
  /** Every key in every store. */
  storedKeys(): Promise<string[]>;
}

export interface S3GatewayOptions {
  /** Stores on the filesystem (for the real clients) instead of memory. */
  fs?: boolean;
  maxObjectBytes?: number;
  now?: () => number;
  sessionSecret?: string;
  /** When a running CompleteMultipartUpload starts sending whitespace (the app's default otherwise). */
  completeKeepAlive?: { afterMs: number; everyMs: number };
}

/** The `/v1` app and the S3 app over the same deps (one object service), each on its own 127.0.0.1 port. */
export async function startS3Gateway(options: S3GatewayOptions = {}): Promise<S3TestGateway> {
  const policy = memoryPolicy();
  policy.limits = { maxObjectBytes: options.maxObjectBytes ?? 1024 * 1024 };
  let root: string | undefined;
  let stores: Map<string, ObjectStore> | undefined;
  if (options.fs) {
    root = await mkdtemp(join(tmpdir(), 'rp-s3-'));
    stores = new Map([
      ['london', createFsStore({ root: join(root, 'london') })],
      ['virginia', createFsStore({ root: join(root, 'virginia') })],
    ]);
  }
  const gateway = await startTestGateway({ policy, ...(stores && { stores }), ...(options.now && { now: options.now }) });
  const sessionSecret = options.sessionSecret ?? 'test-session-secret-of-at-least-32-bytes!';
  const app = createS3App(gateway.deps, { sessionSecret, ...(options.completeKeepAlive && { completeKeepAlive: options.completeKeepAlive }) });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const s3Url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...gateway,
    s3Url,
    sessionSecret,
    async credentials(claims = {}) {
      return assumeRoleWithWebIdentity(s3Url, await gateway.token(claims));
    },
    async storedKeys() {
      const keys: string[] = [];
      for (const [name, store] of gateway.stores) {
        let cursor: string | undefined;
        do {
          const page = await store.list('', { limit: 1000, ...(cursor && { cursor }) });
          keys.push(...page.items.map((item) => `${name}:${item.key}`));
          cursor = page.cursor;
        } while (cursor);
      }
      return keys;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.stop();
      if (root) await rm(root, { recursive: true, force: true });
    },
  };
}

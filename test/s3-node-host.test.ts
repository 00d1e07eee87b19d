import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigurationError } from '../src/hosts/configuration-error.ts';
import { startNodeGateway, type RunningGateway } from '../src/hosts/node-server.ts';
import { memoryPolicy } from './helpers/gateway.ts';
import { createTestIdentity, type TestIdentity } from './helpers/tokens.ts';

const SECRET = 'a-session-secret-that-is-at-least-32-bytes-long';

/** The Node host's S3 listener: on when S3_PORT is set, sealed with RESIDENCY_SESSION_KEY, refused without one in production. */
describe('the S3 front door on the Node host', () => {
  let dir: string;
  let identity: TestIdentity;
  let policyPath: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rp-s3-host-'));
    identity = await createTestIdentity();
    await writeFile(join(dir, 'jwks.json'), JSON.stringify(identity.jwks));
    policyPath = join(dir, 'policy.json');
    await writeFile(policyPath, JSON.stringify({ ...memoryPolicy(), auth: identity.authConfig({ file: './jwks.json' }) }));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const start = (env: NodeJS.ProcessEnv) => startNodeGateway({ policyPath, env, host: '127.0.0.1', port: 0, audit: () => {} });

  async function assumeRole(gateway: RunningGateway): Promise<Response> {
    const form = new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      WebIdentityToken: await identity.sign(),
      RoleSessionName: 'ci',
    });
    return fetch(`${gateway.s3Url}/`, { method: 'POST', body: form });
  }

  test('S3_PORT with a session key: STS answers on its own port, and stopping stops both', async () => {
    const gateway = await start({ S3_PORT: '0', RESIDENCY_SESSION_KEY: SECRET });
    try {
      assert.ok(gateway.s3Url && gateway.s3Url !== gateway.url);
      const response = await assumeRole(gateway);
      assert.equal(response.status, 200);
      assert.match(await response.text(), /<AssumeRoleWithWebIdentityResponse[\s\S]*<SessionToken>[^<]+<\/SessionToken>/);
      assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
    } finally {
      await gateway.stop(1_000);
    }
    await assert.rejects(fetch(`${gateway.s3Url}/`), /fetch failed/);
    await assert.rejects(fetch(`${gateway.url}/healthz`), /fetch failed/);
  });

  test('without S3_PORT a policy-file gateway has no S3 front door', async () => {
    const gateway = await start({});
    try {
      assert.equal(gateway.s3Url, undefined);
    } finally {
      await gateway.stop(1_000);
    }
  });

  test('S3_PORT without RESIDENCY_SESSION_KEY refuses to start, naming the variable', async () => {
    await assert.rejects(
      start({ S3_PORT: '0' }),
      (error: unknown) => error instanceof ConfigurationError && /RESIDENCY_SESSION_KEY/.test(error.errors.join('\n')),
    );
  });

  test('a short session key or a bad port refuses to start', async () => {
    await assert.rejects(
      start({ S3_PORT: '0', RESIDENCY_SESSION_KEY: 'short' }),
      (error: unknown) => error instanceof ConfigurationError && /at least 32 bytes/.test(error.errors.join('\n')),
    );
    await assert.rejects(
      start({ S3_PORT: 'eighty', RESIDENCY_SESSION_KEY: SECRET }),
      (error: unknown) => error instanceof ConfigurationError && /S3_PORT/.test(error.errors.join('\n')),
    );
  });

  test('credentials sealed by one instance are accepted by another sharing the key', async () => {
    const first = await start({ S3_PORT: '0', RESIDENCY_SESSION_KEY: SECRET });
    const second = await start({ S3_PORT: '0', RESIDENCY_SESSION_KEY: SECRET });
    const other = await start({ S3_PORT: '0', RESIDENCY_SESSION_KEY: `${SECRET}-another` });
    try {
      const xml = await (await assumeRole(first)).text();
      const field = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)![1]!;
      const { S3Client, ListBucketsCommand } = await import('@aws-sdk/client-s3');
      const list = (gateway: RunningGateway) =>
        new S3Client({
          endpoint: gateway.s3Url,
          region: 'eu-west-2',
          forcePathStyle: true,
          credentials: { accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey'), sessionToken: field('SessionToken') },
        }).send(new ListBucketsCommand({}));
      assert.ok(((await list(second)).Buckets ?? []).some((bucket) => bucket.Name === 'chat-transcript'));
      // Sealed under another key, the session token cannot be opened: S3's answer to a token it cannot read.
      await assert.rejects(
        list(other),
        (error: { name?: string; $metadata?: { httpStatusCode?: number } }) => error.name === 'InvalidToken' && error.$metadata?.httpStatusCode === 400,
      );
    } finally {
      await Promise.all([first.stop(1_000), second.stop(1_000), other.stop(1_000)]);
    }
  });
});

test('development: the session key is generated once under ./.data/ and kept', async () => {
  const { sessionSecret } = await import('../src/hosts/session-secret.ts');
  const cwd = process.cwd();
  const home = await mkdtemp(join(tmpdir(), 'rp-dev-secret-'));
  process.chdir(home);
  try {
    const [a, b] = await Promise.all([sessionSecret({}, true), sessionSecret({}, true)]);
    assert.equal(a, b);
    assert.ok(Buffer.byteLength(a) >= 32);
    assert.equal((await readFile(join(home, '.data', 'session-key'), 'utf8')).trim(), a);
    assert.equal(await sessionSecret({}, true), a);
    await assert.rejects(sessionSecret({}, false), /RESIDENCY_SESSION_KEY/);
  } finally {
    process.chdir(cwd);
    await rm(home, { recursive: true, force: true });
  }
});

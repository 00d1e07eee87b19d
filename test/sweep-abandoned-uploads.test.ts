import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CreateMultipartUploadCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { memoryPolicy } from './helpers/gateway.ts';
import { runEntry, startGatewayProcess } from './helpers/process.ts';
import { createTestIdentity, type TestIdentity } from './helpers/tokens.ts';

/** An S3 multipart upload that is never completed nor aborted: the retention sweep removes its staged parts once they expire. */
let dir: string;
let identity: TestIdentity;
let policyPath: string;
const SESSION_KEY = 'a-session-secret-of-at-least-32-bytes-for-the-sweep';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rp-abandoned-'));
  identity = await createTestIdentity();
  await writeFile(join(dir, 'jwks.json'), JSON.stringify(identity.jwks));
  const policy = memoryPolicy();
  policy.auth = identity.authConfig({ file: './jwks.json' });
  policy.stores = { london: { type: 'fs', path: './data/uk-eu', jurisdiction: 'UK' }, virginia: { type: 'fs', path: './data/us', jurisdiction: 'US' } };
  policyPath = join(dir, 'policy.json');
  await writeFile(policyPath, JSON.stringify(policy));
});
after(() => rm(dir, { recursive: true, force: true }));

const stagedFiles = async () =>
  (await readdir(join(dir, 'data', 'uk-eu'), { recursive: true }).catch(() => [])).filter((path) => /upload/i.test(path) && !path.includes('.incomplete'));

test('the sweep removes the staged parts of an abandoned multipart upload once they expire, and not before', async () => {
  const gateway = await startGatewayProcess({
    env: { RESIDENCY_POLICY: policyPath, S3_PORT: '0', RESIDENCY_SESSION_KEY: SESSION_KEY, AWS_EC2_METADATA_DISABLED: 'true' },
  });
  try {
    const s3Url = /S3 front door on (http:\/\/127\.0\.0\.1:\d+)/.exec(gateway.stderr())![1]!;
    const form = new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      WebIdentityToken: await identity.sign(),
      RoleSessionName: 'sweep',
    });
    const xml = await (await fetch(`${s3Url}/`, { method: 'POST', body: form })).text();
    const field = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)![1]!;
    const client = new S3Client({
      endpoint: s3Url,
      region: 'eu-west-2',
      forcePathStyle: true,
      credentials: { accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey'), sessionToken: field('SessionToken') },
    });
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'chat-transcript', Key: 'abandoned.json' }));
    await client.send(new UploadPartCommand({ Bucket: 'chat-transcript', Key: 'abandoned.json', UploadId, PartNumber: 1, Body: '{"never":"completed"}' }));
  } finally {
    gateway.child.kill('SIGTERM');
    await gateway.exited;
  }
  assert.ok((await stagedFiles()).length > 0, "the upload is staged in the zone's own store");

  const sweepAt = async (now: Date) => {
    const sweep = runEntry('src/cli/main.ts', ['sweep', '--policy', policyPath, '--now', now.toISOString()]);
    assert.equal(await sweep.exited, 0, sweep.stderr());
    return JSON.parse(
      sweep
        .stdout()
        .split('\n')
        .find((line) => line.includes('"store":"london"'))!,
    ) as { abandonedUploadsRemoved: number };
  };
  assert.equal((await sweepAt(new Date())).abandonedUploadsRemoved, 0, 'a fresh upload is left alone');
  assert.ok((await stagedFiles()).length > 0);
  const later = await sweepAt(new Date(Date.now() + 30 * 86_400_000));
  assert.ok(later.abandonedUploadsRemoved > 0);
  assert.deepEqual(await stagedFiles(), [], 'nothing of the upload is left');
});

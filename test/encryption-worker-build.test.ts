import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkWorkerConfig } from '../scripts/build-worker-check.ts';
import { PROJECT_ROOT, runEntry } from './helpers/process.ts';

/** The Workers build refuses, at build time, a policy whose encryption the edge cannot run. */

const KEYS_R2 = { type: 'r2', binding: 'KEYS_EU', jurisdiction: 'eu' };

function policy(key: object, keyStore: object = KEYS_R2): string {
  return JSON.stringify({
    version: 1,
    auth: { issuer: 'https://idp.test/', audience: 'residency-proxy', algorithms: ['ES256'], jwks: { url: 'https://idp.test/jwks.json' } },
    encryption: { keys: { kek: key } },
    zones: { 'uk-eu': { jurisdictions: ['UK', 'EU'], regions: ['GB'], store: 'edge-eu', encryption: { key: 'kek', per: 'subject', keyStore: 'edge-keys' } } },
    stores: { 'edge-eu': { type: 'r2', binding: 'SESSIONS_EU', jurisdiction: 'eu' }, 'edge-keys': keyStore },
    dataClasses: { 'chat-transcript': { retentionDays: 365, mask: ['card-number', 'email'] } },
  });
}

function wrangler(policyText: string): string {
  return [
    'name = "residency-proxy-encryption-test"',
    `main = ${JSON.stringify(join(PROJECT_ROOT, 'src', 'hosts', 'worker.ts'))}`,
    'compatibility_date = "2026-04-20"',
    '',
    '[[r2_buckets]]\nbinding = "SESSIONS_EU"\nbucket_name = "sessions-eu"\njurisdiction = "eu"',
    '[[r2_buckets]]\nbinding = "KEYS_EU"\nbucket_name = "keys-eu"\njurisdiction = "eu"',
    '',
    '[vars]',
    `RESIDENCY_POLICY = '''${policyText}'''`,
    '',
  ].join('\n');
}

const PKCS11 = { type: 'pkcs11', module: '/usr/lib/softhsm/libsofthsm2.so', token: 'uk-eu', label: 'kek-1', pinEnv: 'HSM_PIN', location: 'eu-west-2' };
const LOCAL_SECRET = { type: 'local', secretEnv: 'RESIDENCY_KEK', jurisdiction: 'EU' };

describe('the worker build and encryption', () => {
  let dir: string;
  let written = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rp-worker-encryption-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function configFile(policyText: string): Promise<string> {
    const path = join(dir, `wrangler-${++written}.toml`);
    await writeFile(path, wrangler(policyText));
    return path;
  }

  test('masking and a local key given as a secret, with keys in their own R2 bucket, pass', async () => {
    const { errors, notes } = checkWorkerConfig(await configFile(policy(LOCAL_SECRET)));
    assert.deepEqual(errors, []);
    assert.equal(notes.length, 1);
  });

  test('a pkcs11 key is refused, naming the zone and the key', async () => {
    const { errors } = checkWorkerConfig(await configFile(policy(PKCS11)));
    assert.equal(errors.length, 1);
    assert.match(
      errors[0] ?? '',
      /RESIDENCY_POLICY: zones\.uk-eu\.encryption\.key: key "kek" is a pkcs11 key, which needs a native module and runs only on Node/,
    );
  });

  test('a local key in a file and a key store the edge cannot open are refused', async () => {
    const { errors } = checkWorkerConfig(
      await configFile(policy({ type: 'local', file: './kek.json', jurisdiction: 'UK' }, { type: 'fs', path: './keys', jurisdiction: 'UK' })),
    );
    assert.deepEqual(
      errors.map((error) => error.replace(/^.*RESIDENCY_POLICY: /, '')),
      [
        'encryption.keys.kek.file: Workers have no filesystem; give the key as a Workers secret named by secretEnv',
        'zones.uk-eu.encryption.keyStore: fs stores do not run on Workers; at the edge keep keys in an r2 or s3 store',
      ],
    );
  });

  test('the build step exits 1 on a pkcs11 policy, before wrangler bundles anything', async () => {
    const run = runEntry('scripts/build-worker-check.ts', ['--config', await configFile(policy(PKCS11))]);
    assert.equal(await run.exited, 1);
    assert.match(run.stderr(), /the Worker's configuration is refused:[\s\S]*pkcs11 key/);
  });
});

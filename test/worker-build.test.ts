import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkWorkerConfig } from '../scripts/build-worker-check.ts';
import { buildWorker } from './helpers/miniflare.ts';
import { PROJECT_ROOT } from './helpers/process.ts';

/**
 * `npm run build:worker` (wrangler deploy --dry-run) and the check wrangler.toml
 * runs before every bundle: the edge refuses at build time what it cannot run,
 * and an R2 store whose bucket is bound in another jurisdiction.
 */

const CHECK_SCRIPT = join(PROJECT_ROOT, 'scripts', 'build-worker-check.ts');
const TSX = import.meta.resolve('tsx');

const EU_STORE = { type: 'r2', binding: 'SESSIONS_EU', jurisdiction: 'eu' };

function policyWith(euStore: object): string {
  return JSON.stringify({
    version: 1,
    auth: { issuer: 'https://idp.test/', audience: 'residency-proxy', algorithms: ['ES256'], jwks: { url: 'https://idp.test/jwks.json' } },
    zones: { 'uk-eu': { jurisdictions: ['UK', 'EU'], regions: ['GB'], store: 'edge-eu' } },
    stores: { 'edge-eu': euStore },
    dataClasses: { 'chat-transcript': { retentionDays: 365 } },
  });
}

/** A wrangler config for the real worker entry, with its own buckets and policy. */
function wranglerConfig(options: { policy: string; bucket?: string; stagingPolicy?: string }): string {
  const lines = [
    'name = "residency-proxy-test"',
    `main = ${JSON.stringify(join(PROJECT_ROOT, 'src', 'proxy', 'worker.ts'))}`,
    'compatibility_date = "2026-04-20"',
    '',
    options.bucket ?? '[[r2_buckets]]\nbinding = "SESSIONS_EU"\nbucket_name = "sessions-eu"\njurisdiction = "eu"',
    '',
    '[vars]',
    `RESIDENCY_POLICY = '''${options.policy}'''`,
  ];
  if (options.stagingPolicy !== undefined) {
    lines.push('', '[[env.staging.r2_buckets]]', 'binding = "SESSIONS_EU"', 'bucket_name = "sessions-eu-staging"', 'jurisdiction = "eu"');
    lines.push('', '[env.staging.vars]', `RESIDENCY_POLICY = '''${options.stagingPolicy}'''`);
  }
  return `${lines.join('\n')}\n`;
}

describe('the worker build', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'worker-config-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  let configs = 0;
  async function check(config: string) {
    const path = join(dir, `wrangler-${++configs}.toml`);
    await writeFile(path, config);
    return checkWorkerConfig(path);
  }

  test('wrangler.toml bundles offline, after its policy check passed, small enough for the free plan', async () => {
    const built = await buildWorker('wrangler.toml');
    try {
      assert.match(
        built.output,
        /wrangler\.toml: RESIDENCY_POLICY \(\d+ bytes\) is valid at the edge: uk-eu -> edge-eu \(r2:eu\), us -> edge-us \(r2:fedramp\)/,
      );
      const gzip = /Total Upload: [\d.]+ KiB \/ gzip: ([\d.]+) KiB/.exec(built.output);
      assert.ok(gzip, built.output);
      // Workers Free takes 3 MB compressed, Paid 10 MB.
      assert.ok(Number(gzip[1]) < 3 * 1024, `${gzip[1]} KiB compressed`);
    } finally {
      await built.remove();
    }
  });

  test('a valid edge configuration passes, naming each zone and its store', async () => {
    const { notes, errors } = await check(wranglerConfig({ policy: policyWith(EU_STORE) }));
    assert.deepEqual(errors, []);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /RESIDENCY_POLICY \(\d+ bytes\) is valid at the edge: uk-eu -> edge-eu \(r2:eu\)$/);
  });

  test('an Azure store is refused with a clear message', async () => {
    const azure = { type: 'azure-blob', container: 'sessions', location: 'northeurope', connectionStringEnv: 'AZURE_EU' };
    const { errors } = await check(wranglerConfig({ policy: policyWith(azure) }));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /RESIDENCY_POLICY: stores\.edge-eu: azure-blob stores do not run on Workers \(the Azure SDK needs Node\)/);
  });

  test('an R2 store whose bucket is bound without the jurisdiction the policy claims is refused', async () => {
    const { errors } = await check(
      wranglerConfig({ policy: policyWith(EU_STORE), bucket: '[[r2_buckets]]\nbinding = "SESSIONS_EU"\nbucket_name = "sessions-anywhere"' }),
    );
    assert.equal(errors.length, 1);
    assert.match(
      errors[0]!,
      /stores\.edge-eu\.jurisdiction: the policy places SESSIONS_EU in jurisdiction "eu", but its \[\[r2_buckets\]\] entry \(sessions-anywhere\) has no jurisdiction$/,
    );
  });

  test('an R2 store whose binding wrangler.toml does not declare is refused', async () => {
    const { errors } = await check(wranglerConfig({ policy: policyWith({ ...EU_STORE, binding: 'SESSIONS_ELSEWHERE' }) }));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /stores\.edge-eu\.binding: no \[\[r2_buckets\]\] entry has binding = "SESSIONS_ELSEWHERE"$/);
  });

  test('every [env.*] is checked too', async () => {
    const { errors } = await check(
      wranglerConfig({ policy: policyWith(EU_STORE), stagingPolicy: policyWith({ type: 'fs', path: './data', jurisdiction: 'UK' }) }),
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /\[env\.staging\]: RESIDENCY_POLICY: stores\.edge-eu: fs stores need a filesystem/);
  });

  test('a policy over the 5 KB a Workers variable holds is flagged', async () => {
    const long = JSON.parse(policyWith(EU_STORE)) as { dataClasses: Record<string, object> };
    for (let i = 0; i < 200; i++) long.dataClasses[`class-${i}`] = { retentionDays: 30 };
    const { notes, errors } = await check(wranglerConfig({ policy: JSON.stringify(long) }));
    assert.deepEqual(errors, []);
    assert.match(notes[1] ?? '', /warning: RESIDENCY_POLICY is over the 5120 bytes a Workers variable may hold/);
  });

  test('wrangler refuses to bundle when the check fails', async () => {
    const azure = { type: 'azure-blob', container: 'sessions', location: 'northeurope', connectionStringEnv: 'AZURE_EU' };
    const path = join(dir, 'wrangler-hooked.toml');
    const hook = `node --import ${TSX} ${CHECK_SCRIPT} --config ${path}`;
    await writeFile(
      path,
      `${wranglerConfig({ policy: policyWith(azure) })}\n[build]\ncommand = ${JSON.stringify(hook)}\ncwd = ${JSON.stringify(PROJECT_ROOT)}\n`,
    );
    await assert.rejects(buildWorker(path), /azure-blob stores do not run on Workers/);
  });
});

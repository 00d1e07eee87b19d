import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { basePolicy } from './helpers/policies.ts';
import { runEntry } from './helpers/process.ts';
import { createTestIdentity } from './helpers/tokens.ts';
import { startGatewayProcess } from './helpers/process.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'residency-cli-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function cli(args: string[], cwd?: string) {
  const run = runEntry('src/cli/main.ts', args, cwd ? { cwd } : {});
  return { code: await run.exited, stdout: run.stdout(), stderr: run.stderr() };
}

describe('residency-proxy check', () => {
  test('prints zone, store, location, jurisdiction and evidence for a valid policy', async () => {
    const { code, stdout } = await cli(['check', 'deploy/policies/production.example.yaml']);
    assert.equal(code, 0);
    assert.match(stdout, /valid/);
    assert.match(stdout, /uk-eu\s+\S+\s+london\s+s3\s+eu-west-2 \(London\)\s+UK\s+proven/);
    assert.match(stdout, /us\s+US\s+virginia\s+s3\s+us-east-1/);
  });

  test('lists every error with its path and exits 1', async () => {
    const doc = basePolicy({ ukStore: { type: 's3', bucket: 'b-uk', region: 'eu-central-2' } });
    (doc as Record<string, unknown>).extra = 1;
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify(doc));
    const { code, stderr } = await cli(['check', file]);
    assert.equal(code, 1);
    assert.match(stderr, /extra: unknown key/);
  });

  test('a zone on a store outside its jurisdictions is named in the error', async () => {
    const file = join(dir, 'zurich.json');
    await writeFile(file, JSON.stringify(basePolicy({ ukStore: { type: 's3', bucket: 'b-uk', region: 'eu-central-2' } })));
    const { code, stderr } = await cli(['check', file]);
    assert.equal(code, 1);
    assert.match(stderr, /zones\.uk-eu\.store: store "london" is in CH \(Zurich, Switzerland\), outside \[UK, EU\]/);
  });

  test('usage errors exit 2', async () => {
    assert.equal((await cli(['check'])).code, 2);
    assert.equal((await cli(['no-such-command'])).code, 2);
  });
});

describe('residency-proxy lifecycle', () => {
  test('prints S3 rules per data class with retention', async () => {
    const { code, stdout } = await cli(['lifecycle', '--policy', 'deploy/policies/production.example.yaml', '--extra-days', '7']);
    assert.equal(code, 0);
    const rules = JSON.parse(stdout) as Array<{ store: string; type: string; configuration: { Rules: Array<{ Filter: { Prefix: string }; Expiration?: { Days: number } }> } }>;
    const london = rules.find((r) => r.store === 'london');
    assert.ok(london);
    const chat = london.configuration.Rules.find((rule) => rule.Filter.Prefix === 'objects/chat-transcript/');
    assert.equal(chat?.Expiration?.Days, 372);
    assert.ok(!london.configuration.Rules.some((rule) => rule.Filter.Prefix === 'objects/recording/'), 'never-persisted classes have no rule');
  });

  test('Azure stores get a management policy with container-qualified prefixes', async () => {
    const { code, stdout } = await cli(['lifecycle', '--policy', 'deploy/policies/azure-eu.example.yaml']);
    assert.equal(code, 0);
    const [dublin] = JSON.parse(stdout) as Array<{ type: string; configuration: { rules: Array<{ definition: { filters: { prefixMatch: string[] }; actions: { baseBlob: { delete: { daysAfterCreationGreaterThan: number } } } } }> } }>;
    assert.equal(dublin?.type, 'azure-blob');
    const cobrowse = dublin.configuration.rules.find((rule) => rule.definition.filters.prefixMatch[0] === 'sessions/objects/cobrowse-session/');
    assert.equal(cobrowse?.definition.actions.baseBlob.delete.daysAfterCreationGreaterThan, 30);
  });
});

describe('residency-proxy sweep', () => {
  test('dry run keeps, a real run deletes what expired, with a summary per store', async () => {
    const home = await mkdtemp(join(dir, 'sweep-'));
    const identity = await createTestIdentity();
    await writeFile(join(home, 'jwks.json'), JSON.stringify(identity.jwks));
    const policy = {
      version: 1,
      auth: identity.authConfig({ file: './jwks.json' }),
      zones: { 'uk-eu': { jurisdictions: ['UK', 'EU'], regions: ['GB'], store: 'uk' } },
      stores: { uk: { type: 'fs', path: './data', jurisdiction: 'UK' } },
      dataClasses: { 'cobrowse-session': { retentionDays: 30 }, 'chat-transcript': { retentionDays: 365 } },
    };
    const policyFile = join(home, 'policy.json');
    await writeFile(policyFile, JSON.stringify(policy));
    const gateway = await startGatewayProcess({ env: { RESIDENCY_POLICY: policyFile } });
    try {
      const token = await identity.sign({ account_id: 'acme', account_region: 'GB' });
      for (const [dataClass, key] of [['cobrowse-session', 'short'], ['chat-transcript', 'long']]) {
        const put = await fetch(`${gateway.url}/v1/objects/${dataClass}/${key}.json`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: '{}' });
        assert.equal(put.status, 201);
      }
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
    const in40days = new Date(Date.now() + 40 * 86_400_000).toISOString();
    const dry = await cli(['sweep', '--policy', policyFile, '--dry-run', '--now', in40days]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /"type":"sweep","store":"uk","zone":"uk-eu","dryRun":true.*"expired":1,"deleted":0/);
    const real = await cli(['sweep', '--policy', policyFile, '--now', in40days]);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /"expired":1,"deleted":1/);
    assert.match(real.stdout, /"type":"audit".*"action":"sweep"/);
    const files = (await readdir(join(home, 'data'), { recursive: true })).map(String);
    assert.ok(files.some((file) => file.includes('long')), files.join('\n'));
    assert.ok(!files.some((file) => file.includes('short')), files.join('\n'));
  });
});

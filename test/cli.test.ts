import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkoutLayout, imageLayout, runCli, type CliLayout } from './helpers/cli-layouts.ts';
import { basePolicy } from './helpers/policies.ts';
import { startGatewayProcess } from './helpers/process.ts';
import { createTestIdentity } from './helpers/tokens.ts';

const COMMANDS = ['serve', 'check', 'token', 'sweep', 'lifecycle'] as const;

let dir: string;
const layouts: CliLayout[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'residency-cli-'));
  layouts.push(await imageLayout(join(dir, 'image')), await checkoutLayout(join(dir, 'checkout')));
});
after(() => rm(dir, { recursive: true, force: true }));

function image(): CliLayout {
  return layouts[0]!;
}

test('the image layout holds the bundle but neither the sources nor tsx; the checkout the sources but no bundle', () => {
  const [built, checkout] = layouts as [CliLayout, CliLayout];
  assert.ok(existsSync(join(built.root, 'dist/node/cli/main.mjs')));
  assert.ok(existsSync(join(built.root, 'node_modules/hono')));
  assert.ok(!existsSync(join(built.root, 'node_modules/tsx')));
  assert.ok(!existsSync(join(built.root, 'src')));
  assert.ok(existsSync(join(checkout.root, 'src/cli/main.ts')));
  assert.ok(!existsSync(join(checkout.root, 'dist')));
});

for (const layout of [0, 1]) {
  const cli = (args: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }) => runCli(layouts[layout]!, args, options);
  const title = layout === 0 ? 'the bundle (image layout)' : 'the sources (checkout without a build)';
  // The bundle, which users run, gets every case; the sources are the same code through tsx (a
  // second or more per run), so they get the first case of each list: enough to show they run.
  const cases = <T>(all: readonly T[]): readonly T[] => (layout === 0 ? all : all.slice(0, 1));

  describe(`residency-proxy from ${title}`, () => {
    test("--help and -h on every command print that command's usage on stdout and exit 0, whatever else is on the line", async () => {
      for (const command of COMMANDS) {
        for (const args of cases([
          [command, '--help'],
          [command, '-h'],
          [command, '--bogus', '--help'],
          ['help', command],
        ])) {
          const { code, stdout, stderr } = await cli(args, { env: { HOST: '127.0.0.1', PORT: '0' } });
          assert.equal(code, 0, `${args.join(' ')}: ${stderr}`);
          assert.ok(stdout.startsWith(`usage: residency-proxy ${command}`), `${args.join(' ')}: ${stdout}`);
          assert.match(stdout, /-h, --help/);
          assert.equal(stderr, '', args.join(' '));
        }
      }
    });

    test('serve --help does not start a gateway', async () => {
      const { code, stdout, stderr } = await cli(['serve', '--help'], { cwd: dir, env: { HOST: '127.0.0.1', PORT: '0' } });
      assert.equal(code, 0);
      assert.match(stdout, /RESIDENCY_POLICY/);
      assert.doesNotMatch(stderr + stdout, /listening on/);
      assert.ok(!existsSync(join(dir, '.data')), 'nothing of a gateway (development keys, stores) was created');
    });

    test('the top-level help lists every command; no command or an unknown one exits 2', async () => {
      for (const args of cases([['--help'], ['-h'], ['help']])) {
        const { code, stdout } = await cli(args);
        assert.equal(code, 0, args.join(' '));
        for (const command of COMMANDS) assert.match(stdout, new RegExp(`^  ${command}\\b`, 'm'), `${args.join(' ')} lists ${command}`);
      }
      const none = await cli([]);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /no command given/);
      for (const args of cases([['deploy'], ['help', 'deploy'], ['--version']])) {
        const { code, stdout, stderr } = await cli(args);
        assert.equal(code, 2, args.join(' '));
        assert.equal(stdout, '');
        assert.match(stderr, args.at(-1) === '--version' ? /unknown command "--version"/ : /"deploy"/);
      }
    });

    test('an unknown option exits 2 naming it, on every command, long or short, with or without a value', async () => {
      for (const command of COMMANDS) {
        for (const flag of cases(['--bogus', '-x', '--polcy=deploy/policies/production.example.yaml'])) {
          const args = command === 'check' ? [command, flag, 'deploy/policies/production.example.yaml'] : [command, flag];
          const { code, stdout, stderr } = await cli(args);
          assert.equal(code, 2, args.join(' '));
          assert.equal(stdout, '', args.join(' '));
          assert.match(stderr, new RegExp(`^residency-proxy ${command}: unknown option ${flag.split('=')[0]}\\n`), args.join(' '));
          assert.match(stderr, new RegExp(`usage: residency-proxy ${command}`));
        }
      }
    });

    test('a missing, unexpected or invalid value exits 2 naming its flag', async () => {
      const mistakes: Array<[string[], RegExp]> = [
        [['sweep', '--policy'], /--policy needs a value/],
        [['sweep', '--policy', '--dry-run'], /--policy needs a value/],
        [['sweep', '--dry-run=no'], /--dry-run takes no value/],
        [['sweep', '--batch', '0'], /--batch must be a whole number from 1 to 1000, not "0"/],
        [['sweep', '--now', 'yesterday'], /--now must be an ISO-8601 instant, not "yesterday"/],
        [['lifecycle', '--extra-days', '-1'], /--extra-days needs a value/],
        [['lifecycle', '--extra-days=-1'], /--extra-days must be a whole number, not "-1"/],
        [['lifecycle', '--extra-days', '1.5'], /--extra-days must be a whole number, not "1.5"/],
        [['lifecycle', 'extra'], /unexpected argument "extra"/],
        [['check'], /missing the policy file/],
        [['check', 'a.yaml', 'b.yaml'], /unexpected argument "b\.yaml"/],
        [['token', '--account', 'acme'], /--region is required/],
        [['token', '--account', 'acme', '--region', 'GB', '--ttl', '10y'], /--ttl must be a whole number/],
        [['serve', '--port', '1'], /unknown option --port/],
        [['serve', 'now'], /unexpected argument "now"/],
      ];
      for (const [args, message] of cases(mistakes)) {
        const { code, stdout, stderr } = await cli(args);
        assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
        assert.equal(stdout, '', args.join(' '));
        assert.match(stderr, message, args.join(' '));
      }
    });

    test('a --policy file that cannot be read is blamed on --policy; the same through RESIDENCY_POLICY on the variable', async () => {
      const missing = join(dir, 'no-such-policy.yaml');
      for (const command of ['lifecycle', 'sweep']) {
        for (const policy of cases([missing, dir])) {
          const flagged = await cli([command, '--policy', policy]);
          assert.equal(flagged.code, 1, command);
          assert.equal(flagged.stdout, '');
          assert.match(flagged.stderr, new RegExp(`^--policy: cannot read ${policy}: (ENOENT|not a file)`), `${command}: ${flagged.stderr}`);
          assert.doesNotMatch(flagged.stderr, /RESIDENCY_POLICY/);
        }
        const fromEnv = await cli([command], { env: { RESIDENCY_POLICY: missing } });
        assert.equal(fromEnv.code, 1, command);
        assert.match(fromEnv.stderr, /^RESIDENCY_POLICY: cannot read/, `${command}: ${fromEnv.stderr}`);
      }
    });

    test('token prints a development token signed with the keys it is given', async () => {
      const keys = join(dir, `keys-${layout}`);
      const { code, stdout, stderr } = await cli(['token', '--account', 'acme', '--region', 'GB', '--keys', keys]);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
      const claims = JSON.parse(Buffer.from(stdout.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      assert.equal(claims.account_id, 'acme');
      assert.equal(claims.account_region, 'GB');
      assert.ok(existsSync(keys), 'the key pair was written where --keys said');
    });

    describe('check', () => {
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
        const file = join(dir, `bad-${layout}.json`);
        await writeFile(file, JSON.stringify(doc));
        const { code, stderr } = await cli(['check', file]);
        assert.equal(code, 1);
        assert.match(stderr, /extra: unknown key/);
      });

      test('a zone on a store outside its jurisdictions is named in the error', async () => {
        const file = join(dir, `zurich-${layout}.json`);
        await writeFile(file, JSON.stringify(basePolicy({ ukStore: { type: 's3', bucket: 'b-uk', region: 'eu-central-2' } })));
        const { code, stderr } = await cli(['check', file]);
        assert.equal(code, 1);
        assert.match(stderr, /zones\.uk-eu\.store: store "london" is in CH \(Zurich, Switzerland\), outside \[UK, EU\]/);
      });
    });

    describe('lifecycle', () => {
      test('prints S3 rules per data class with retention', async () => {
        const { code, stdout } = await cli(['lifecycle', '--policy', 'deploy/policies/production.example.yaml', '--extra-days', '7']);
        assert.equal(code, 0);
        const rules = JSON.parse(stdout) as Array<{
          store: string;
          type: string;
          configuration: { Rules: Array<{ Filter: { Prefix: string }; Expiration?: { Days: number } }> };
        }>;
        const london = rules.find((r) => r.store === 'london');
        assert.ok(london);
        const chat = london.configuration.Rules.find((rule) => rule.Filter.Prefix === 'objects/chat-transcript/');
        assert.equal(chat?.Expiration?.Days, 372);
        assert.ok(!london.configuration.Rules.some((rule) => rule.Filter.Prefix === 'objects/recording/'), 'never-persisted classes have no rule');
      });

      test('Azure stores get a management policy with container-qualified prefixes', async () => {
        const { code, stdout } = await cli(['lifecycle', '--policy', 'deploy/policies/azure-eu.example.yaml']);
        assert.equal(code, 0);
        const [dublin] = JSON.parse(stdout) as Array<{
          type: string;
          configuration: {
            rules: Array<{ definition: { filters: { prefixMatch: string[] }; actions: { baseBlob: { delete: { daysAfterCreationGreaterThan: number } } } } }>;
          };
        }>;
        assert.equal(dublin?.type, 'azure-blob');
        const cobrowse = dublin.configuration.rules.find((rule) => rule.definition.filters.prefixMatch[0] === 'sessions/objects/cobrowse-session/');
        assert.equal(cobrowse?.definition.actions.baseBlob.delete.daysAfterCreationGreaterThan, 30);
      });
    });
  });
}

for (const workers of ['1', '2']) {
  test(`serve from the bundle with RESIDENCY_WORKERS=${workers} starts the gateway, answers /healthz and stops cleanly on SIGTERM`, async () => {
    const home = await mkdtemp(join(dir, 'serve-'));
    const child = spawn(process.execPath, [join(image().root, 'bin', 'residency-proxy.js'), 'serve'], {
      cwd: home,
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', RESIDENCY_POLICY: '', NODE_ENV: '', RESIDENCY_WORKERS: workers },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      void exited.then((code) => reject(new Error(`serve exited with ${code} before listening:\n${stderr}`)));
    });
    try {
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    if (workers === '2') assert.match(stderr, /2 worker processes/, 'the workers the primary forked ran the bundle too');
  });
}

describe('residency-proxy sweep', () => {
  test('a refused command line deletes nothing; a dry run from either build keeps, a real run from the bundle deletes what expired', async () => {
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
    await mkdir(join(home, 'data'));
    const gateway = await startGatewayProcess({ env: { RESIDENCY_POLICY: policyFile } });
    try {
      const token = await identity.sign({ account_id: 'acme', account_region: 'GB' });
      for (const [dataClass, key] of [
        ['cobrowse-session', 'short'],
        ['chat-transcript', 'long'],
      ]) {
        const put = await fetch(`${gateway.url}/v1/objects/${dataClass}/${key}.json`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}` },
          body: '{}',
        });
        assert.equal(put.status, 201);
      }
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
    const stored = async () => (await readdir(join(home, 'data'), { recursive: true })).map(String);
    const in40days = new Date(Date.now() + 40 * 86_400_000).toISOString();

    for (const refused of [['--dry-run=no'], ['--bogus'], ['--batch', '0'], ['--store', 'elsewhere']]) {
      const run = await runCli(image(), ['sweep', '--policy', policyFile, '--now', in40days, ...refused]);
      assert.equal(run.code, 2, `${refused.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.ok(
        (await stored()).some((file) => file.includes('short')),
        `${refused.join(' ')} deleted nothing`,
      );
    }

    for (const layout of layouts) {
      const dry = await runCli(layout, ['sweep', '--policy', policyFile, '--dry-run', '--now', in40days]);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /"type":"sweep","store":"uk","zone":"uk-eu","dryRun":true.*"expired":1,"deleted":0/);
    }
    assert.ok(
      (await stored()).some((file) => file.includes('short')),
      'a dry run deletes nothing',
    );

    const real = await runCli(image(), ['sweep', '--policy', policyFile, '--now', in40days]);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /"expired":1,"deleted":1/);
    assert.match(real.stdout, /"type":"audit".*"action":"sweep"/);
    const files = await stored();
    assert.ok(
      files.some((file) => file.includes('long')),
      files.join('\n'),
    );
    assert.ok(!files.some((file) => file.includes('short')), files.join('\n'));
  });
});

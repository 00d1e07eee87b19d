import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';

/**
 * The import rules of docs/ARCHITECTURE.md are enforced by `npm run
 * lint:imports`. These tests run the same command and configuration over
 * small trees that break one rule each, so a rule that stops catching what it
 * should fails here, not only in review.
 */
const run = promisify(execFile);
const CONFIG = resolve('.dependency-cruiser.cjs');
const DEPCRUISE = resolve('node_modules/.bin/depcruise');

let root: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'import-rules-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes a tree of sources and runs the import rules over it: the exit code and the violations printed. */
async function cruise(name: string, files: Record<string, string>): Promise<{ failed: boolean; output: string }> {
  const tree = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(tree, path)), { recursive: true });
    await writeFile(join(tree, path), text);
  }
  try {
    const { stdout } = await run(DEPCRUISE, ['src', '--config', CONFIG, '--output-type', 'err'], { cwd: tree });
    return { failed: false, output: stdout };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { failed: true, output: `${stdout}${stderr}` };
  }
}

describe('the import rules fail the run', () => {
  test('a tree that keeps them passes', async () => {
    const result = await cruise('clean', {
      'src/policy/refusal.ts': 'export const refusal = 1;\n',
      'src/media/inspect.ts': "import { refusal } from '../policy/refusal.ts';\nexport const inspect = refusal;\n",
      'src/http/app.ts': "import { inspect } from '../media/inspect.ts';\nexport const app = inspect;\n",
    });
    assert.equal(result.failed, false, result.output);
  });

  const broken: Array<[string, Record<string, string>, RegExp]> = [
    [
      'the policy importing the HTTP layer',
      {
        'src/http/app.ts': 'export const app = 1;\n',
        'src/policy/decide.ts': "import { app } from '../http/app.ts';\nexport const decide = app;\n",
      },
      /policy-imports/,
    ],
    [
      'an adapter importing the policy',
      {
        'src/policy/keys.ts': 'export const keys = 1;\n',
        'src/adapters/s3.ts': "import { keys } from '../policy/keys.ts';\nexport const s3 = keys;\n",
      },
      /adapters-imports/,
    ],
    [
      'crypto importing the data-rights room',
      {
        'src/rights/holds.ts': 'export const holds = 1;\n',
        'src/crypto/keys.ts': "import { holds } from '../rights/holds.ts';\nexport const keys = holds;\n",
      },
      /crypto-imports/,
    ],
    [
      'a masking file the policy imports importing the policy back',
      {
        'src/policy/refusal.ts': 'export const refusal = 1;\n',
        'src/masking/kinds.ts': "import { refusal } from '../policy/refusal.ts';\nexport const kinds = refusal;\n",
      },
      /masking-leaves/,
    ],
    [
      'the service importing a host',
      {
        'src/hosts/node.ts': 'export const host = 1;\n',
        'src/service/objects.ts': "import { host } from '../hosts/node.ts';\nexport const objects = host;\n",
      },
      /hosts-are-entry-points/,
    ],
    [
      'shared code using a Node built-in',
      { 'src/service/log.ts': "import { hostname } from 'node:os';\nexport const log = hostname;\n" },
      /node-builtins-only-in-node-files/,
    ],
    [
      'a circle inside one room',
      {
        'src/service/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
        'src/service/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
      },
      /no-circular/,
    ],
    [
      'a circle of type-only imports',
      {
        'src/service/a.ts': "import type { B } from './b.ts';\nexport interface A { b: B }\n",
        'src/service/b.ts': "import type { A } from './a.ts';\nexport interface B { a: A }\n",
      },
      /no-circular/,
    ],
    ['an import that resolves to nothing', { 'src/service/a.ts': "import { gone } from './gone.ts';\nexport const a = gone;\n" }, /no-unresolvable/],
  ];

  for (const [what, files, rule] of broken) {
    test(what, async () => {
      const result = await cruise(what.replaceAll(' ', '-'), files);
      assert.equal(result.failed, true, `the run should fail:\n${result.output}`);
      assert.match(result.output, rule);
    });
  }
});

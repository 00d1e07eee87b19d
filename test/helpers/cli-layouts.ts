import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './process.ts';

const execFileAsync = promisify(execFile);

/** A folder laid out as `residency-proxy` is installed somewhere, run through its bin/residency-proxy.js. */
export interface CliLayout {
  name: string;
  root: string;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The image's layout: bin, package.json, the bundle that `npm run build`
 * makes, and node_modules without the development dependencies (so no
 * tsx) — and no sources at all, so only the bundle can run.
 */
export async function imageLayout(root: string): Promise<CliLayout> {
  await copyEntryFiles(root);
  await execFileAsync('npm', ['run', '-s', 'build', '--', `--outdir=${join(root, 'dist', 'node')}`], { cwd: PROJECT_ROOT });
  const { devDependencies } = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  await linkPackages(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'), new Set(Object.keys(devDependencies)));
  return { name: 'the bundle, as the image lays it out (no sources, no tsx)', root };
}

/** A development checkout that was never built: sources and every dependency, no dist/. */
export async function checkoutLayout(root: string): Promise<CliLayout> {
  await copyEntryFiles(root);
  await symlink(join(PROJECT_ROOT, 'src'), join(root, 'src'));
  await symlink(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'));
  return { name: 'the sources through tsx, as a checkout without a build', root };
}

/** Runs `residency-proxy ...args` in the layout; `code` is null if it had to be killed (it did not exit by itself). */
export async function runCli(layout: CliLayout, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [join(layout.root, 'bin', 'residency-proxy.js'), ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...process.env, RESIDENCY_POLICY: '', NODE_ENV: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // A guard against a command that never ends (a gateway started by mistake), not a timing assertion.
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
  clearTimeout(guard);
  return { code, stdout, stderr };
}

async function copyEntryFiles(root: string): Promise<void> {
  await mkdir(join(root, 'bin'), { recursive: true });
  await copyFile(join(PROJECT_ROOT, 'bin', 'residency-proxy.js'), join(root, 'bin', 'residency-proxy.js'));
  await copyFile(join(PROJECT_ROOT, 'package.json'), join(root, 'package.json'));
}

/** Links every installed package of `from` into `to` except the excluded names (scoped names included). */
async function linkPackages(from: string, to: string, excluded: Set<string>, scope = ''): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const name = `${scope}${entry.name}`;
    if (excluded.has(name)) continue;
    if (scope === '' && entry.name.startsWith('@')) await linkPackages(join(from, entry.name), join(to, entry.name), excluded, `${entry.name}/`);
    else await symlink(join(from, entry.name), join(to, entry.name));
  }
}

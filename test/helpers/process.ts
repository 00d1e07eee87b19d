import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  stderr(): string;
  stdout(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/** Runs a project entry point (`src/...`) as its own Node process, from any working directory. */
export function runEntry(entry: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn(process.execPath, ['--import', TSX, `${PROJECT_ROOT}${entry}`, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Starts the gateway (`npm start`'s entry) with PORT=0 and waits until it says where it listens. */
export async function startGatewayProcess(options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<GatewayProcess> {
  const run = runEntry('src/hosts/node.ts', [], { ...options, env: { HOST: '127.0.0.1', PORT: '0', ...options.env } });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stderr());
      if (match) {
        clearInterval(timer);
        resolve(match[1]!);
      }
    }, 20);
    void run.exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`gateway exited with ${code} before listening:\n${run.stderr()}`));
    });
  });
  return { ...run, url };
}

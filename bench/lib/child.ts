import { spawn, type ChildProcess } from 'node:child_process';

export interface RunningChild {
  process: ChildProcess;
  pid: number;
  /** What the child wrote to stderr (and stdout, unless discarded). */
  output(): string;
  exited: Promise<number | null>;
  /** `signal` (SIGTERM by default), then SIGKILL after `graceMs`; resolves once the child has exited. */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/**
 * Starts a server process for the bench and waits until `ready` matches its
 * output (or, given a function, until it resolves). The child is killed if
 * this process exits first (bench/run.ts turns SIGINT and SIGTERM into an exit).
 */
export async function startChild(
  command: string,
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    ready: RegExp | (() => Promise<void>);
    discardStdout?: boolean;
    /** Sent if this process exits first: SIGKILL unless the child must clean up after itself (nginx's workers). */
    exitSignal?: NodeJS.Signals;
  },
): Promise<{ child: RunningChild; match: RegExpMatchArray | null }> {
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', options.discardStdout ? 'ignore' : 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    // Keep the tail only: a chatty child must not grow this process.
    output = (output + chunk.toString('utf8')).slice(-64 * 1024);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const killOnExit = () => child.kill(options.exitSignal ?? 'SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stopping = false;
  void exited.then((code) => {
    process.removeListener('exit', killOnExit);
    if (!stopping)
      process.stderr.write(`${command} (pid ${child.pid}) exited unexpectedly (${code ?? child.signalCode}); its last output:\n${output.slice(-4000)}\n`);
  });

  const running: RunningChild = {
    process: child,
    pid: child.pid!,
    output: () => output,
    exited,
    async stop(graceMs = 5_000, signal = 'SIGTERM') {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };

  const failed = exited.then((code) => {
    throw new Error(`${command} exited (${code}) before it was ready:\n${output.slice(-2000)}`);
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`${command} not ready after ${READY_TIMEOUT_MS} ms:\n${output.slice(-2000)}`)), READY_TIMEOUT_MS).unref(),
  );
  const ready = options.ready;
  const readiness =
    typeof ready === 'function'
      ? ready().then(() => null)
      : new Promise<RegExpMatchArray>((resolve) => {
          const check = () => {
            const match = ready.exec(output);
            if (!match) return;
            child.stdout?.off('data', check);
            child.stderr?.off('data', check);
            resolve(match);
          };
          child.stdout?.on('data', check);
          child.stderr?.on('data', check);
        });
  try {
    const match = await Promise.race([readiness, failed, timeout]);
    return { child: running, match };
  } catch (error) {
    await running.stop(0);
    throw error;
  }
}

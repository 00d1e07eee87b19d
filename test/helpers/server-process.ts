import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';

/**
 * A protocol server (s3rver, Azurite) run as a child Node process for tests.
 * The child dies with the test process in every case: it is killed on this
 * process's exit, and it exits by itself when its stdin closes, which also
 * happens when this process is killed outright.
 */
export interface ServerProcess {
  /** Ends the child with `signal` (SIGTERM: a clean stop, SIGKILL: a crash) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

// unref: the lifeline must not keep the child alive once its server has closed.
const LIFELINE = "process.stdin.on('end', () => process.exit(0)).resume().unref();";
const START_TIMEOUT_MS = 30_000;

/**
 * Runs `script` (CommonJS source) in a new Node process with `args` as
 * `process.argv.slice(1)`, and waits until a line of its output matches
 * `ready`; returns that match.
 */
export async function startServerProcess(options: {
  script: string;
  args: string[];
  nodeOptions?: string[];
  ready: RegExp;
}): Promise<{ server: ServerProcess; ready: RegExpMatchArray }> {
  const child = spawn(process.execPath, [...(options.nodeOptions ?? []), '-e', LIFELINE + options.script, ...options.args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => process.removeListener('exit', killOnExit));

  const server: ServerProcess = {
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };

  try {
    return { server, ready: await waitForLine(child, options.ready) };
  } catch (error) {
    await server.stop('SIGKILL');
    throw error;
  }
}

/** A server with its data in a directory of its own, which a test can crash and start again on the same port and data. */
export interface RestartableServer {
  port: number;
  /** Stops the server for good and removes its data. */
  stop(): Promise<void>;
  /** Ends the process with `signal` (SIGKILL: a crash, SIGTERM: a shutdown); its data stays for `restart`. */
  crash(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and data. */
  restart(): Promise<void>;
}

/** Launches a server on a free port (`launch(0)` must report its port as the first group of `ready`), restartable on that port. */
export async function startRestartable(
  launch: (port: number) => Promise<{ server: ServerProcess; ready: RegExpMatchArray }>,
  directory: string,
): Promise<RestartableServer> {
  const first = await launch(0);
  const port = Number(first.ready[1]);
  let running: ServerProcess | undefined = first.server;
  return {
    port,
    async stop() {
      await running?.stop();
      running = undefined;
      await rm(directory, { recursive: true, force: true });
    },
    async crash(signal = 'SIGKILL') {
      await running?.stop(signal);
      running = undefined;
    },
    async restart() {
      await running?.stop();
      running = (await launch(port)).server;
    },
  };
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = output.match(pattern);
      if (match) {
        done();
        resolve(match);
      }
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`server process exited (${code}) before it was ready:\n${output.slice(-2000)}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`server process not ready after ${START_TIMEOUT_MS} ms:\n${output.slice(-2000)}`));
    }, START_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining output so that a chatty child never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadJob, LoadResult } from './load-client.ts';

export type { LoadJob, LoadResult } from './load-client.ts';

export interface LoadGenerator {
  /** Runs one job in the load process; jobs run one at a time. */
  run(job: LoadJob): Promise<LoadResult>;
  close(): Promise<void>;
}

const CLIENT = fileURLToPath(new URL('./load-client.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** Starts the load generator as a second process, so that its work never shares an event loop with a server under test. */
export function startLoadGenerator(): LoadGenerator {
  const child = spawn(process.execPath, ['--import', TSX, CLIENT], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let queue = Promise.resolve();
  const runOne = (job: LoadJob) =>
    new Promise<LoadResult>((resolve, reject) => {
      const onExit = () => reject(new Error('the load generator exited'));
      child.once('exit', onExit);
      child.once('message', (message: { result?: LoadResult; error?: string }) => {
        child.off('exit', onExit);
        if (message.result) resolve(message.result);
        else reject(new Error(`load generator: ${message.error}`));
      });
      child.send(job);
    });
  return {
    run(job) {
      const result = queue.then(() => runOne(job));
      queue = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
    async close() {
      child.disconnect();
      await exited;
    },
  };
}

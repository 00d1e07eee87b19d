import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRestartable, startServerProcess } from './server-process.ts';

/** Azurite's well-known development account (public, documented by Microsoft). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteServer {
  connectionString: string;
  /** Stops the emulator for good and removes its data. */
  stop(): Promise<void>;
  /**
   * Ends the emulator process with `signal` (SIGKILL: a crash, SIGTERM: a
   * shutdown); its data stays for `restart`.
   */
  crash(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the emulator again on the same port and data. */
  restart(): Promise<void>;
}

// Runs Azurite's blob entry point as if it had been started directly.
const RUN_AZURITE = 'require(process.argv[1]);';

/** Starts Azurite's blob service in a child process on a free loopback port, with its data in a fresh directory. */
export async function startAzurite(): Promise<AzuriteServer> {
  const directory = await mkdtemp(join(tmpdir(), 'azurite-'));
  const main = join(createRequire(import.meta.url).resolve('azurite/package.json'), '..', 'dist', 'src', 'blob', 'main.js');
  const launch = (port: number) =>
    startServerProcess({
      script: RUN_AZURITE,
      args: [
        main,
        '--blobHost',
        '127.0.0.1',
        '--blobPort',
        String(port),
        '--location',
        directory,
        // The SDK speaks a newer API version than the emulator knows.
        '--skipApiVersionCheck',
        '--loose',
        '--disableTelemetry',
        '--silent',
      ],
      ready: /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/,
    });

  const server = await startRestartable(launch, directory);
  return {
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};` + `BlobEndpoint=http://127.0.0.1:${server.port}/${ACCOUNT};`,
    stop: server.stop,
    crash: server.crash,
    restart: server.restart,
  };
}

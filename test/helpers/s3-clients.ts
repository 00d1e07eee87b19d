import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ensureDebianPackages } from './debian.ts';

const run = promisify(execFile);

/** The Debian packages of the real S3 clients, installed when missing (as the bench does for nginx). */
const PACKAGES: Record<string, string> = {
  '/usr/bin/aws': 'awscli',
  '/usr/bin/rclone': 'rclone',
  '/usr/bin/s3cmd': 's3cmd',
  '/usr/lib/python3/dist-packages/boto3': 'python3-boto3',
};

export function ensureClients(): void {
  ensureDebianPackages(PACKAGES);
}

export interface ClientRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a client with a clean environment: explicit settings only, no
 * credentials or config of the machine, and never the cloud metadata address.
 */
export async function runClient(command: string, args: string[], env: Record<string, string>, home: string): Promise<ClientRun> {
  try {
    const { stdout, stderr } = await run(command, args, {
      env: {
        PATH: '/usr/bin:/bin',
        HOME: home,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: `${home}/no-config`,
        AWS_SHARED_CREDENTIALS_FILE: `${home}/no-credentials`,
        ...env,
      },
      maxBuffer: 64 * 1024 * 1024,
      // Generous: on a loaded machine a 64 MiB upload through the inspector takes minutes.
      timeout: 900_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

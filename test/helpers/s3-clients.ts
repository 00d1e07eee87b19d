import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDebianPackages } from './debian.ts';
import type { S3Credentials } from './s3-gateway.ts';

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

/** s3cmd's arguments for the gateway's S3 door at `s3Url`: an empty config file of its own in `dir`, every setting on the command line. */
export async function s3cmdArguments(dir: string, s3Url: string, credentials: S3Credentials): Promise<string[]> {
  const host = new URL(s3Url).host;
  await writeFile(join(dir, 's3cmd.cfg'), '[default]\n');
  return [
    '-c',
    join(dir, 's3cmd.cfg'),
    '--access_key',
    credentials.accessKeyId,
    '--secret_key',
    credentials.secretAccessKey,
    // On the command line, or s3cmd tries to refresh it from the cloud metadata address.
    '--access_token',
    credentials.sessionToken,
    '--host',
    host,
    '--host-bucket',
    host,
    '--no-ssl',
    '--region',
    'us-east-1',
    '--no-progress',
  ];
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

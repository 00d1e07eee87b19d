import { randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MIN_SESSION_SECRET_BYTES } from '../auth/session/keys.ts';
import { ConfigurationError } from './configuration-error.ts';
import { DEV_DATA_DIR } from './dev-policy.ts';

const DEV_SECRET_FILE = join(DEV_DATA_DIR, 'session-key');

/**
 * The secret that seals S3 session credentials (`RESIDENCY_SESSION_KEY`).
 * Every instance of a deployment must share it, so production requires it;
 * in development one is generated once under ./.data/ and kept.
 */
export async function sessionSecret(env: NodeJS.ProcessEnv, development: boolean): Promise<string> {
  const configured = env.RESIDENCY_SESSION_KEY;
  if (configured) {
    if (Buffer.byteLength(configured) < MIN_SESSION_SECRET_BYTES) {
      throw new ConfigurationError([`RESIDENCY_SESSION_KEY: at least ${MIN_SESSION_SECRET_BYTES} bytes (e.g. openssl rand -base64 48)`]);
    }
    return configured;
  }
  if (!development) {
    throw new ConfigurationError(['RESIDENCY_SESSION_KEY: required when S3_PORT is set; every instance of the deployment must share it']);
  }
  return developmentSecret();
}

/** Created atomically (written aside, then linked into place), so concurrent starts, e.g. cluster workers, read one secret. */
async function developmentSecret(): Promise<string> {
  try {
    return (await readFile(DEV_SECRET_FILE, 'utf8')).trim();
  } catch {
    await mkdir(DEV_DATA_DIR, { recursive: true });
    const aside = `${DEV_SECRET_FILE}.${randomUUID()}.tmp`;
    await writeFile(aside, randomBytes(48).toString('base64'), { mode: 0o600 });
    try {
      await link(aside, DEV_SECRET_FILE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(aside);
    }
    return (await readFile(DEV_SECRET_FILE, 'utf8')).trim();
  }
}

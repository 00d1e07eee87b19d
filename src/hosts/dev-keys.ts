import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

/**
 * The development key pair (Node only): generated once under a directory,
 * reused afterwards. `private-key.json` (mode 0600) is the source of truth;
 * `jwks.json` holds its public half for the development policy's `{ file }` JWKS.
 */

export const DEV_ISSUER = 'residency-proxy-dev';
export const DEV_AUDIENCE = 'residency-proxy';
/** The development policy's maxTokenLifetimeSeconds: a longer-lived dev token would be refused. */
export const DEV_MAX_TTL_SECONDS = 86_400;

const PRIVATE_KEY_FILE = 'private-key.json';
const JWKS_FILE = 'jwks.json';

export interface DevKeys {
  jwks: { keys: JWK[] };
  privateKey: CryptoKey;
  kid: string;
  alg: 'ES256';
}

export interface DevTokenClaims {
  account: string;
  region: string;
  subject?: string;
  scopes?: string[];
  ttlSeconds?: number;
}

export async function ensureDevKeys(dir: string): Promise<DevKeys> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const privateJwk = (await readPrivateJwk(dir)) ?? (await createPrivateJwk(dir));
  const { d: _private, ...publicJwk } = privateJwk;
  const kid = await calculateJwkThumbprint(publicJwk);
  const jwks = { keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'sig' }] };
  await writeIfChanged(join(dir, JWKS_FILE), `${JSON.stringify(jwks, null, 2)}\n`);
  const privateKey = await importJWK(privateJwk, 'ES256');
  return { jwks, privateKey: privateKey as CryptoKey, kid, alg: 'ES256' };
}

/** A token the development policy accepts, with its default claim names (account_id, account_region, sub, scope). */
export async function mintDevToken(keys: Pick<DevKeys, 'privateKey' | 'kid' | 'alg'>, claims: DevTokenClaims): Promise<string> {
  const ttlSeconds = claims.ttlSeconds ?? 3600;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > DEV_MAX_TTL_SECONDS) {
    throw new RangeError(`ttlSeconds must be an integer from 1 to ${DEV_MAX_TTL_SECONDS}`);
  }
  const scopes = claims.scopes ?? [];
  const jwt = new SignJWT({
    account_id: claims.account,
    account_region: claims.region,
    ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
  })
    .setProtectedHeader({ alg: keys.alg, kid: keys.kid, typ: 'JWT' })
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`);
  if (claims.subject !== undefined) jwt.setSubject(claims.subject);
  return jwt.sign(keys.privateKey);
}

async function readPrivateJwk(dir: string): Promise<JWK | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, PRIVATE_KEY_FILE), 'utf8')) as JWK;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Creates the key file atomically (written aside, then linked into place), so a concurrent start reads one whole key. */
async function createPrivateJwk(dir: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const target = join(dir, PRIVATE_KEY_FILE);
  const staging = join(dir, `.${PRIVATE_KEY_FILE}.${crypto.randomUUID()}`);
  await writeFile(staging, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(staging, target);
    return jwk;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readPrivateJwk(dir)) as JWK;
  } finally {
    await unlink(staging);
  }
}

async function writeIfChanged(path: string, text: string): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current !== text) await writeFile(path, text);
}

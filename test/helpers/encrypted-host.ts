import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore } from '../../src/adapters/fs.ts';
import type { ObjectStore } from '../../src/adapters/types.ts';
import { startNodeGateway, type RunningGateway } from '../../src/hosts/node-server.ts';
import type { AuditEvent } from '../../src/service/audit.ts';
import { allKeys } from './gateway.ts';
import { createTestIdentity, type Claims, type TestIdentity } from './tokens.ts';

/**
 * The Node host (startNodeGateway, as `residency-proxy serve` runs it) over a
 * policy file with fs stores in a folder of its own:
 *
 *   uk-eu (GB)  data ./data/london,   keys ./keys/london,  per subject, key `ukKey`
 *   ie    (IE)  data ./data/dublin,   keys ./keys/dublin,  per account, a local key file
 *   us    (US)  data ./data/virginia, no encryption
 */

export const ADMIN = { scope: 'residency:admin' };

export interface EncryptedHostOptions {
  /** The key-encryption key of the uk-eu zone; default a local key file created at first start. */
  ukKey?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

export interface EncryptedHost {
  dir: string;
  policyPath: string;
  /** Writes a variant of the policy, beside it, whose chat-transcript class has other masks; returns its path. */
  policyVariant(name: string, chatMasks: string[]): Promise<string>;
  gateway: RunningGateway;
  identity: TestIdentity;
  audit: AuditEvent[];
  as(claims: Claims, path: string, init?: RequestInit): Promise<Response>;
  /** The folder of a data store (london, dublin, virginia). */
  dataDir(store: string): string;
  /** The keys of the wrapped data keys in a zone's key store (london, dublin). */
  keyRecords(store: string): Promise<string[]>;
  /** The keys in a data store. */
  dataKeys(store: string, prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

const CHAT_MASKS = ['email', 'card-number'];

export function encryptedPolicy(auth: object, ukKey: Record<string, unknown>, chatMasks = CHAT_MASKS): Record<string, unknown> {
  return {
    version: 1,
    auth,
    encryption: {
      keys: {
        uk: ukKey,
        'dev-eu': { type: 'local', file: './kek-eu.json', jurisdiction: 'EU' },
      },
    },
    zones: {
      'uk-eu': { jurisdictions: ['UK', 'EU'], regions: ['GB'], store: 'london', encryption: { key: 'uk', per: 'subject', keyStore: 'london-keys' } },
      ie: { jurisdictions: ['EU'], regions: ['IE'], store: 'dublin', encryption: { key: 'dev-eu', per: 'account', keyStore: 'dublin-keys' } },
      us: { jurisdictions: ['US'], regions: ['US'], store: 'virginia' },
    },
    stores: {
      london: { type: 'fs', path: './data/london', jurisdiction: 'UK' },
      'london-keys': { type: 'fs', path: './keys/london', jurisdiction: 'UK' },
      dublin: { type: 'fs', path: './data/dublin', jurisdiction: 'EU' },
      'dublin-keys': { type: 'fs', path: './keys/dublin', jurisdiction: 'EU' },
      virginia: { type: 'fs', path: './data/virginia', jurisdiction: 'US' },
    },
    dataClasses: {
      'chat-transcript': { retentionDays: 365, mask: chatMasks, atRetention: 'anonymize' },
      'cobrowse-session': { retentionDays: 30 },
      'technical-metadata': {},
    },
    limits: { maxObjectBytes: 4 * 1024 * 1024 },
  };
}

export async function startEncryptedHost(options: EncryptedHostOptions = {}): Promise<EncryptedHost> {
  const dir = await mkdtemp(join(tmpdir(), 'rp-encrypted-host-'));
  const identity = await createTestIdentity();
  await writeFile(join(dir, 'jwks.json'), JSON.stringify(identity.jwks));
  const auth = identity.authConfig({ file: './jwks.json' });
  const ukKey = options.ukKey ?? { type: 'local', file: './kek.json', jurisdiction: 'UK' };
  const policyPath = join(dir, 'policy.json');
  await writeFile(policyPath, JSON.stringify(encryptedPolicy(auth, ukKey)));
  const audit: AuditEvent[] = [];
  let gateway: RunningGateway;
  try {
    gateway = await startNodeGateway({
      policyPath,
      env: { RESIDENCY_HASH_SECRET: 'test-hash-secret', ...options.env },
      host: '127.0.0.1',
      port: 0,
      audit: (event) => audit.push(event),
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const storeAt = (path: string): ObjectStore => createFsStore({ root: join(dir, path) });
  return {
    dir,
    policyPath,
    async policyVariant(name, chatMasks) {
      const path = join(dir, `${name}.json`);
      await writeFile(path, JSON.stringify(encryptedPolicy(auth, ukKey, chatMasks)));
      return path;
    },
    gateway,
    identity,
    audit,
    async as(claims, path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${await identity.sign(claims)}`);
      return fetch(`${gateway.url}${path}`, { ...init, headers });
    },
    dataDir: (store) => join(dir, 'data', store),
    keyRecords: (store) => allKeys(storeAt(join('keys', store)), 'data-keys/'),
    dataKeys: (store, prefix = '') => allKeys(storeAt(join('data', store)), prefix),
    async stop() {
      await gateway.stop(1_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every byte of every file under a folder: what a backup of the store holds. */
export async function folderBytes(root: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const name of (await readdir(root, { recursive: true })).sort()) {
    const path = join(root, name);
    if ((await stat(path)).isFile()) parts.push(await readFile(path));
  }
  return Buffer.concat(parts);
}

/** A body read to its end, or `null` when the answer broke off (an object that failed to decrypt after the status was sent). */
export async function readToEnd(response: Response): Promise<string | null> {
  try {
    return await response.text();
  } catch {
    return null;
  }
}

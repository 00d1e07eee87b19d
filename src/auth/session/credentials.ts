import type { Principal } from '../../policy/principal.ts';
import { LruMap } from '../lru.ts';
import { SignatureFailure } from '../sigv4/failure.ts';
import type { ResolvedCredentials } from '../sigv4/verify.ts';
import { deriveSessionKeys, type SessionKeys } from './keys.ts';

/** Temporary credentials, as STS hands them out. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Seconds since the epoch. */
  expiration: number;
}

/** What a session token carries, sealed: the principal of the token it was traded for, and the credentials' end. */
interface SealedSession {
  v: 1;
  accessKeyId: string;
  account: string;
  region: string;
  subject?: string;
  scopes: string[];
  /** The JWT's exp (seconds). */
  tokenExpiresAt: number;
  /** The credentials' end (seconds): never after the JWT's exp. */
  expiresAt: number;
}

export interface SessionAuthority {
  /** Credentials for a verified principal, valid for `durationSeconds` and never past the token's exp. */
  issue(principal: Principal, durationSeconds: number): Promise<SessionCredentials>;
  /** Opens a session token presented with a signature; the SigV4 verifier's `resolve`. */
  resolve(accessKeyId: string, sessionToken: string | undefined): Promise<ResolvedCredentials<Principal>>;
}

/** Opened sessions remembered per authority; a client reuses its credentials for every request. */
const OPENED_SESSIONS = 4096;

interface OpenedSession {
  resolved: ResolvedCredentials<Principal>;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

const TOKEN_PREFIX = 'RPS1.';
const IV_BYTES = 12;
const ADDITIONAL_DATA = new TextEncoder().encode('residency-proxy s3 session token v1');
const ACCESS_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  try {
    return Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

function randomAccessKeyId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `ASIA${Array.from(bytes, (byte) => ACCESS_KEY_ALPHABET[byte & 31]).join('')}`;
}

/**
 * Session credentials with no server-side state: the session token is the
 * principal sealed with AES-GCM under a key derived from the deployment's
 * session secret, and the secret access key is an HMAC of the token, so any
 * instance with the same secret can check a signature made with them.
 */
export async function createSessionAuthority(sessionSecret: string, now: () => number): Promise<SessionAuthority> {
  const keys = await deriveSessionKeys(sessionSecret);
  // Per authority, so per session secret: a token sealed under another secret is never found here.
  const opened = new LruMap<string, OpenedSession>(OPENED_SESSIONS);
  return {
    async issue(principal, durationSeconds) {
      const nowSeconds = Math.floor(now() / 1000);
      const sealed: SealedSession = {
        v: 1,
        accessKeyId: randomAccessKeyId(),
        account: principal.account,
        region: principal.region,
        ...(principal.subject !== undefined && { subject: principal.subject }),
        scopes: [...principal.scopes],
        tokenExpiresAt: principal.expiresAt,
        expiresAt: Math.min(principal.expiresAt, nowSeconds + durationSeconds),
      };
      const sessionToken = await seal(keys, sealed);
      return { accessKeyId: sealed.accessKeyId, secretAccessKey: await secretFor(keys, sessionToken), sessionToken, expiration: sealed.expiresAt };
    },
    async resolve(accessKeyId, sessionToken) {
      if (sessionToken === undefined)
        throw new SignatureFailure(
          'InvalidAccessKeyId',
          'only temporary credentials from AssumeRoleWithWebIdentity are accepted: x-amz-security-token is missing',
        );
      // Keyed by the access key and the whole token: any other pair (a token changed in one character) is opened afresh.
      const cacheKey = `${accessKeyId}\n${sessionToken}`;
      const cached = opened.get(cacheKey);
      if (cached) {
        if (now() < cached.expiresAt) return cached.resolved;
        opened.delete(cacheKey);
        throw expired();
      }
      const session = await open(keys, sessionToken);
      if (!session) throw new SignatureFailure('InvalidToken', 'the session token is malformed or was not issued by this gateway');
      if (session.accessKeyId !== accessKeyId) throw new SignatureFailure('InvalidAccessKeyId', 'the access key does not belong to the session token');
      if (now() >= session.expiresAt * 1000) throw expired();
      const principal: Principal = {
        account: session.account,
        region: session.region,
        ...(session.subject !== undefined && { subject: session.subject }),
        scopes: new Set(session.scopes),
        expiresAt: session.tokenExpiresAt,
      };
      const resolved = { secretAccessKey: await secretFor(keys, sessionToken), identity: Object.freeze(principal) };
      opened.set(cacheKey, { resolved, expiresAt: session.expiresAt * 1000 });
      return resolved;
    },
  };
}

const expired = () => new SignatureFailure('ExpiredToken', 'the session credentials have expired; trade a fresh token with AssumeRoleWithWebIdentity');

async function seal(keys: SessionKeys, session: SealedSession): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = new TextEncoder().encode(JSON.stringify(session));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: ADDITIONAL_DATA }, keys.seal, plaintext));
  const sealed = new Uint8Array(IV_BYTES + ciphertext.length);
  sealed.set(iv);
  sealed.set(ciphertext, IV_BYTES);
  return TOKEN_PREFIX + base64url(sealed);
}

async function open(keys: SessionKeys, token: string): Promise<SealedSession | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 8192) return null;
  const sealed = fromBase64url(token.slice(TOKEN_PREFIX.length));
  if (!sealed || sealed.length <= IV_BYTES) return null;
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(0, IV_BYTES), additionalData: ADDITIONAL_DATA },
      keys.seal,
      sealed.subarray(IV_BYTES),
    );
    const session = JSON.parse(new TextDecoder().decode(plaintext)) as SealedSession;
    return session.v === 1 ? session : null;
  } catch {
    return null;
  }
}

async function secretFor(keys: SessionKeys, sessionToken: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', keys.secret, new TextEncoder().encode(sessionToken)));
  return base64url(mac).slice(0, 40);
}

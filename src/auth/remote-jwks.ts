import { createLocalJWKSet, errors, type LocalJWKSet } from 'jose';
import { Refusal } from '../policy/refusal.ts';
import type { JwksConfig } from '../policy/schema.ts';
import { fetchJwks } from './fetch-jwks.ts';
import { matchingKeys, type KeySource, type KeySourceOptions } from './key-source.ts';

/**
 * An IdP's JWKS behind a cache that survives outages, which jose's
 * createRemoteJWKSet does not (past its cacheMaxAge with the IdP down, every
 * verification fails and every request refetches):
 * - keys are fresh for cacheMaxAgeSeconds (or the response's shorter
 *   Cache-Control max-age, never below cooldownSeconds); a stale set keeps
 *   serving while a refresh runs in the background;
 * - a failed or invalid fetch keeps the last good keys, usable until
 *   maxStaleSeconds after they were last fetched; after that, nothing verifies;
 * - an unknown kid triggers a refetch, but at most one fetch starts per
 *   cooldownSeconds whatever the reason, and concurrent callers share it.
 */

type RemoteJwksConfig = Extract<JwksConfig, { url: string }>;

interface KeySetSnapshot {
  keySet: LocalJWKSet;
  /** The serialised keys, to tell a changed key set from a re-fetched identical one. */
  fingerprint: string;
  generation: number;
  fetchedAt: number;
  freshUntil: number;
}

export function remoteKeySource(config: RemoteJwksConfig, { fetch: fetchImpl, now }: KeySourceOptions): KeySource {
  const cooldownMs = config.cooldownSeconds * 1000;
  let snapshot: KeySetSnapshot | undefined;
  let lastGeneration = 0;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  let inFlight: { done: Promise<void>; startedAt: number } | undefined;

  function usable(): KeySetSnapshot | undefined {
    return snapshot && now() - snapshot.fetchedAt <= config.maxStaleSeconds * 1000 ? snapshot : undefined;
  }

  function freshForMs(maxAgeSeconds: number | undefined): number {
    const seconds = Math.max(config.cooldownSeconds, maxAgeSeconds ?? config.cacheMaxAgeSeconds);
    return Math.min(seconds, config.cacheMaxAgeSeconds) * 1000;
  }

  /** Starts a fetch unless one is running or one started less than cooldownSeconds ago. Never rejects. */
  function refresh(): Promise<void> {
    const startedAt = now();
    // A fetch older than its own timeout is treated as abandoned: on Workers a
    // background fetch can be cancelled with its request and never settle.
    if (inFlight && startedAt - inFlight.startedAt <= config.timeoutMs) return inFlight.done;
    if (startedAt - lastAttemptAt < cooldownMs) return Promise.resolve();
    lastAttemptAt = startedAt;
    const done = load(startedAt).finally(() => {
      if (inFlight?.done === done) inFlight = undefined;
    });
    inFlight = { done, startedAt };
    return done;
  }

  /** Keys count as fetched when the fetch started: never fresher than they are. */
  async function load(startedAt: number): Promise<void> {
    try {
      const { jwks, maxAgeSeconds } = await fetchJwks(config.url, fetchImpl, config.timeoutMs);
      const fingerprint = JSON.stringify(jwks.keys);
      // An abandoned fetch that settles late must not replace keys fetched after it started.
      if (snapshot && snapshot.fetchedAt > startedAt) return;
      const unchanged = snapshot?.fingerprint === fingerprint ? snapshot : undefined;
      snapshot = {
        keySet: unchanged?.keySet ?? createLocalJWKSet(jwks),
        fingerprint,
        generation: unchanged?.generation ?? ++lastGeneration,
        fetchedAt: startedAt,
        freshUntil: startedAt + freshForMs(maxAgeSeconds),
      };
    } catch {
      // Unreachable, timed out or not a key set: an outage. The last good keys stay until maxStaleSeconds.
    }
  }

  async function currentSnapshot(): Promise<KeySetSnapshot> {
    const current = usable();
    if (current) {
      if (now() >= current.freshUntil) void refresh();
      return current;
    }
    await refresh();
    const fetched = usable();
    if (!fetched) {
      throw new Refusal('token_invalid', 'the signing keys are unavailable (the JWKS could not be fetched); try again later');
    }
    return fetched;
  }

  return {
    async resolve(header) {
      const current = await currentSnapshot();
      try {
        return { keys: await matchingKeys(current.keySet, header), generation: current.generation };
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
        // Perhaps a key the IdP has just rotated in.
        await refresh();
        const refreshed = usable();
        if (!refreshed || refreshed.generation === current.generation) throw error;
        return { keys: await matchingKeys(refreshed.keySet, header), generation: refreshed.generation };
      }
    },
    usableGeneration: () => usable()?.generation,
    async ready() {
      await currentSnapshot().catch(() => undefined);
      return usable() !== undefined;
    },
  };
}

import type { JSONWebKeySet } from 'jose';
import { isNonEmptyKeySet } from './key-source.ts';

/** One JWKS download. Anything that is not a usable key set is an error, so the caller keeps its last good keys. */

const MAX_JWKS_BYTES = 512 * 1024;

export interface FetchedJwks {
  jwks: JSONWebKeySet;
  /** The response's Cache-Control max-age (0 for no-store / no-cache), if it had one. */
  maxAgeSeconds: number | undefined;
}

export async function fetchJwks(url: string, fetchImpl: typeof fetch, timeoutMs: number): Promise<FetchedJwks> {
  const response = await fetchImpl(url, {
    headers: { accept: 'application/jwk-set+json, application/json' },
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`JWKS endpoint answered ${response.status}`);
  }
  const jwks: unknown = JSON.parse(await readBoundedText(response, MAX_JWKS_BYTES));
  if (!isNonEmptyKeySet(jwks)) throw new Error('JWKS endpoint did not return a non-empty JSON Web Key Set');
  return { jwks, maxAgeSeconds: cacheControlMaxAge(response.headers.get('cache-control')) };
}

function cacheControlMaxAge(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/(?:^|,)\s*(?:no-store|no-cache)\s*(?:,|$)/i.test(header)) return 0;
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?\s*(?:,|$)/i.exec(header);
  return match ? Number(match[1]) : undefined;
}

async function readBoundedText(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new Error(`JWKS response is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

import type { Principal } from '../policy/principal.ts';
import type { TokenTimes } from './token-times.ts';

/**
 * Remembers tokens whose signature and claims have been verified, so a
 * service reusing its token skips the signature check. Keyed by the token
 * itself: an exact match, and cheaper than hashing it (crypto.subtle.digest
 * costs a thread-pool round trip per call on Node). An entry only counts while
 * the key set that verified it is still the usable one; the caller re-checks
 * the time claims at every use. Least recently used entries go first once the
 * tokens held exceed `maxTotalLength` characters.
 */

export interface VerifiedToken {
  principal: Principal;
  times: TokenTimes;
  /** Generation of the key set whose key verified the signature. */
  generation: number;
}

export class VerificationCache {
  readonly #entries = new Map<string, VerifiedToken>();
  #totalLength = 0;

  constructor(readonly maxTotalLength: number) {}

  get(token: string, usableGeneration: number | undefined): VerifiedToken | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    this.#entries.delete(token);
    if (entry.generation !== usableGeneration) {
      this.#totalLength -= token.length;
      return undefined;
    }
    this.#entries.set(token, entry);
    return entry;
  }

  set(token: string, entry: VerifiedToken): void {
    if (this.#entries.delete(token)) this.#totalLength -= token.length;
    this.#entries.set(token, entry);
    this.#totalLength += token.length;
    for (const oldest of this.#entries.keys()) {
      if (this.#totalLength <= this.maxTotalLength) break;
      this.#entries.delete(oldest);
      this.#totalLength -= oldest.length;
    }
  }
}

import { decryptStream, DEFAULT_CHUNK_BYTES, encryptStream, plaintextLength, type ByteRange } from './chunked-aead.ts';
import type { KeyService } from './key-service.ts';

/**
 * A zone's envelope encryption as the object service uses it: seal a body
 * under its owner's data key, open a stored body (or a range of it).
 * `identity` is the object's store key (account, data class and key), bound
 * into every chunk.
 */
export class ZoneEncryption {
  readonly keys: KeyService;
  readonly #chunkSize: number;

  constructor(keys: KeyService, chunkSize = DEFAULT_CHUNK_BYTES) {
    this.keys = keys;
    this.#chunkSize = chunkSize;
  }

  async seal(account: string, subjectHash: string | undefined, identity: string): Promise<TransformStream<Uint8Array, Uint8Array>> {
    const dataKey = await this.keys.keyForWrite(this.keys.ownerOf(account, subjectHash));
    return encryptStream(dataKey, identity, this.#chunkSize);
  }

  open(account: string, subjectHash: string | undefined, identity: string, storedBytes: number, range?: ByteRange): TransformStream<Uint8Array, Uint8Array> {
    const owner = this.keys.ownerOf(account, subjectHash);
    return decryptStream((keyId) => this.keys.keyForRead(owner, keyId), identity, storedBytes, range);
  }

  /** The plaintext length of a stored object, for Content-Length and Range checks. */
  plaintextLength(storedBytes: number): number {
    return plaintextLength(storedBytes, this.#chunkSize);
  }
}

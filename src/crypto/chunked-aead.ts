import { ByteQueue } from './byte-queue.ts';
import { concatBytes, randomBytes, uint32, utf8 } from './bytes.ts';
import { DecryptionError } from './errors.ts';

/**
 * The stored form of an encrypted object: a header, then the plaintext in
 * chunks of `chunkSize` bytes, each sealed with AES-256-GCM (16-byte tag).
 *
 *   header  "RPE1" | key id (16) | chunk size (u32) | salt (16)          40 bytes
 *   chunk i AES-GCM(objectKey, iv = 0^8 | i, aad = identity | i | final)
 *
 * The object key is derived from the subject's (or account's) data key with
 * HKDF-SHA-256 over the random salt and the object's identity, so no two
 * objects share a key and nonces never repeat. The identity (account, data
 * class, key) and each chunk's index and finality are authenticated: a
 * chunk moved, reordered, dropped or copied to another object does not
 * decrypt. Any chunk decrypts on its own, so a range needs only its chunks.
 */
const MAGIC = utf8('RPE1');
export const KEY_ID_BYTES = 16;
const SALT_BYTES = 16;
const TAG_BYTES = 16;
export const HEADER_BYTES = MAGIC.byteLength + KEY_ID_BYTES + 4 + SALT_BYTES;
export const DEFAULT_CHUNK_BYTES = 64 * 1024;
const MAX_CHUNK_BYTES = 16 * 1024 * 1024;

interface Header {
  keyId: Uint8Array;
  chunkSize: number;
  salt: Uint8Array;
}

/** A data key as it is used: an HKDF base key and the id written into every object it seals. */
export interface DataKey {
  id: Uint8Array;
  base: CryptoKey;
}

export async function importDataKey(id: Uint8Array, raw: Uint8Array<ArrayBuffer>): Promise<DataKey> {
  return { id, base: await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey']) };
}

async function objectKey(dataKey: DataKey, salt: Uint8Array<ArrayBuffer>, identity: string, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt, info: utf8(`residency-proxy object v1\n${identity}`) },
    dataKey.base,
    { name: 'AES-GCM', length: 256 },
    false,
    [usage],
  );
}

function chunkParameters(identity: string, index: number, final: boolean) {
  return {
    name: 'AES-GCM',
    iv: concatBytes(new Uint8Array(8), uint32(index)),
    additionalData: concatBytes(utf8(identity), uint32(index), new Uint8Array([final ? 1 : 0])),
    tagLength: TAG_BYTES * 8,
  };
}

/** Encrypts a body as it streams; `identity` names the object (it must be given again to decrypt). */
export function encryptStream(dataKey: DataKey, identity: string, chunkSize = DEFAULT_CHUNK_BYTES): TransformStream<Uint8Array, Uint8Array> {
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_BYTES) throw new RangeError(`chunk size ${chunkSize}`);
  const salt = randomBytes(SALT_BYTES);
  const keyPromise = objectKey(dataKey, salt, identity, 'encrypt');
  const pending = new ByteQueue();
  let index = 0;
  const seal = async (plaintext: Uint8Array<ArrayBuffer>, final: boolean) => {
    const sealed = new Uint8Array(await crypto.subtle.encrypt(chunkParameters(identity, index, final), await keyPromise, plaintext));
    index += 1;
    return sealed;
  };
  return new TransformStream({
    start(controller) {
      controller.enqueue(concatBytes(MAGIC, dataKey.id, uint32(chunkSize), salt));
    },
    async transform(chunk, controller) {
      pending.push(chunk);
      // A chunk is sealed only once more bytes follow it, so the last one can be marked final.
      while (pending.length > chunkSize) controller.enqueue(await seal(pending.take(chunkSize), false));
    },
    async flush(controller) {
      controller.enqueue(await seal(pending.take(chunkSize), true));
    },
  });
}

/** How many chunks, and plaintext bytes, an encrypted object of `storedBytes` holds. */
export function plaintextLength(storedBytes: number, chunkSize: number): number {
  const body = storedBytes - HEADER_BYTES;
  const chunks = Math.ceil(body / (chunkSize + TAG_BYTES));
  const length = body - chunks * TAG_BYTES;
  if (body < TAG_BYTES || length < 0) throw new DecryptionError('the stored object is too short to be encrypted data');
  return length;
}

/** A byte range of the plaintext, both ends included (as in an HTTP Range). */
export interface ByteRange {
  first: number;
  last: number;
}

/**
 * Decrypts a stored object as it streams, verifying every chunk it returns.
 * With a range, chunks before it are skipped unread by the cipher and the
 * stream ends after the last chunk the range needs. `storedBytes` is the
 * stored (encrypted) size, from the store's listing or head.
 */
export function decryptStream(
  keyFor: (keyId: Uint8Array) => Promise<DataKey>,
  identity: string,
  storedBytes: number,
  range?: ByteRange,
): TransformStream<Uint8Array, Uint8Array> {
  const buffer = new ByteQueue();
  let parsed: { header: Header; key: CryptoKey; total: number; chunks: number; first: number; last: number } | null = null;
  let index = 0;
  let done = false;

  const start = async (bytes: Uint8Array) => {
    const head = parseHeader(bytes);
    const dataKey = await keyFor(head.keyId);
    const key = await objectKey(dataKey, head.salt as Uint8Array<ArrayBuffer>, identity, 'decrypt');
    const total = plaintextLength(storedBytes, head.chunkSize);
    const chunks = Math.max(1, Math.ceil(total / head.chunkSize));
    const first = range ? Math.floor(range.first / head.chunkSize) : 0;
    const last = range ? Math.min(chunks - 1, Math.floor(range.last / head.chunkSize)) : chunks - 1;
    parsed = { header: head, key, total, chunks, first, last };
  };

  const open = async (sealed: Uint8Array<ArrayBuffer>, state: NonNullable<typeof parsed>): Promise<Uint8Array> => {
    try {
      return new Uint8Array(await crypto.subtle.decrypt(chunkParameters(identity, index, index === state.chunks - 1), state.key, sealed));
    } catch {
      throw new DecryptionError(`chunk ${index} of the object does not decrypt: tampered, truncated, moved, or sealed with another key`);
    }
  };

  const drain = async (controller: TransformStreamDefaultController<Uint8Array>, ending: boolean) => {
    if (parsed === null) {
      if (buffer.length < HEADER_BYTES) {
        if (ending) throw new DecryptionError('the stored object is too short to be encrypted data');
        return;
      }
      await start(buffer.take(HEADER_BYTES));
    }
    const state = parsed as unknown as NonNullable<typeof parsed>;
    const sealedSize = state.header.chunkSize + TAG_BYTES;
    while (!done) {
      const isLast = index === state.chunks - 1;
      const size = isLast ? state.total - index * state.header.chunkSize + TAG_BYTES : sealedSize;
      if (buffer.length < size) {
        if (ending) throw new DecryptionError('the stored object ends before its last chunk');
        return;
      }
      const sealed = buffer.take(size);
      if (index >= state.first) {
        const plain = await open(sealed, state);
        const chunkStart = index * state.header.chunkSize;
        const from = range && index === state.first ? range.first - chunkStart : 0;
        const to = range && index === state.last ? Math.min(plain.byteLength, range.last - chunkStart + 1) : plain.byteLength;
        if (to > from) controller.enqueue(plain.subarray(from, to));
      }
      if (index === state.last) done = true;
      index += 1;
    }
    if (!range && buffer.length > 0) throw new DecryptionError('the stored object has bytes after its last chunk');
  };

  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      if (done) {
        if (!range && chunk.byteLength > 0) throw new DecryptionError('the stored object has bytes after its last chunk');
        return;
      }
      buffer.push(chunk);
      await drain(controller, false);
    },
    async flush(controller) {
      if (done && (range || buffer.length === 0)) return;
      await drain(controller, true);
    },
  });
}

function parseHeader(bytes: Uint8Array): Header {
  for (let i = 0; i < MAGIC.byteLength; i += 1) {
    if (bytes[i] !== MAGIC[i]) throw new DecryptionError('the stored object is not encrypted data of this gateway');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const keyIdEnd = MAGIC.byteLength + KEY_ID_BYTES;
  const chunkSize = view.getUint32(keyIdEnd);
  if (chunkSize < 1 || chunkSize > MAX_CHUNK_BYTES) throw new DecryptionError('the stored object has an invalid chunk size');
  return { keyId: bytes.slice(MAGIC.byteLength, keyIdEnd), chunkSize, salt: bytes.slice(keyIdEnd + 4, keyIdEnd + 4 + SALT_BYTES) };
}

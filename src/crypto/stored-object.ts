import type { ObjectInfo, StoredObject } from '../adapters/types.ts';
import { Refusal } from '../policy/refusal.ts';
import type { ByteRange } from './chunked-aead.ts';
import { DecryptionError } from './errors.ts';
import type { ZoneEncryption } from './zone-encryption.ts';

/** A stored object as callers see it: plaintext size, plaintext body, and ranges that decrypt only their chunks. */
export interface OpenedObject extends StoredObject {
  /** The plaintext bytes `first`–`last` (inclusive), decrypting only the chunks they lie in. */
  openRange(range: ByteRange): ReadableStream<Uint8Array>;
}

/** An object's info with its plaintext size; one too short to be encrypted (written before encryption was on) keeps its stored size. */
export function plaintextInfo(encryption: ZoneEncryption, info: ObjectInfo): ObjectInfo {
  try {
    return { ...info, size: encryption.plaintextLength(info.size) };
  } catch (error) {
    if (error instanceof DecryptionError) return info;
    throw error;
  }
}

/**
 * Opens an encrypted object for reading; one whose data key was destroyed
 * (erased) is refused before any byte is sent. The stored body can be read
 * once, so the whole body and a range are alternatives: use one of them.
 */
export async function openStoredObject(encryption: ZoneEncryption, object: StoredObject, identity: string): Promise<OpenedObject> {
  const { info } = object;
  if (!(await encryption.keys.exists(encryption.keys.ownerOf(info.metadata.account, info.metadata.subject)))) {
    await object.body.cancel();
    throw new Refusal('not_found', 'the data key of this object has been destroyed (erased); it cannot be read');
  }
  const open = (range?: ByteRange) => object.body.pipeThrough(encryption.open(info.metadata.account, info.metadata.subject, identity, info.size, range));
  let body: ReadableStream<Uint8Array> | undefined;
  return {
    info: plaintextInfo(encryption, info),
    get body() {
      body ??= open();
      return body;
    },
    openRange: (range) => open(range),
  };
}

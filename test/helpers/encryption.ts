import { createMemoryStore } from '../../src/adapters/memory.ts';
import type { ObjectStore } from '../../src/adapters/types.ts';
import { KeyService, type KeyScope } from '../../src/crypto/key-service.ts';
import { localKek, newLocalKekJwk } from '../../src/crypto/local-kek.ts';
import { ZoneEncryption } from '../../src/crypto/zone-encryption.ts';

export async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

export async function readBytes(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function streamIn(bytes: Uint8Array, pieceSize = bytes.byteLength || 1): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (let at = 0; at < bytes.byteLength; at += pieceSize) controller.enqueue(bytes.slice(at, at + pieceSize));
      controller.close();
    },
  });
}

/** A zone's encryption with a fresh local KEK and an in-memory key store. */
export async function localZoneEncryption(
  scope: KeyScope = 'subject',
  chunkSize?: number,
  keyStore: ObjectStore = createMemoryStore(),
): Promise<{ encryption: ZoneEncryption; keyStore: ObjectStore }> {
  const kek = await localKek(newLocalKekJwk('test'));
  return { encryption: new ZoneEncryption(new KeyService(keyStore, kek, scope), chunkSize), keyStore };
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStore } from '../src/adapters/memory.ts';
import { utf8 } from '../src/crypto/bytes.ts';
import { decryptStream, encryptStream, HEADER_BYTES, importDataKey, plaintextLength, type DataKey } from '../src/crypto/chunked-aead.ts';
import { DecryptionError } from '../src/crypto/errors.ts';
import { KeyService } from '../src/crypto/key-service.ts';
import { localKek, newLocalKekJwk } from '../src/crypto/local-kek.ts';
import { seededRandom } from './helpers/inspect-stream.ts';
import { localZoneEncryption, readBytes, streamIn } from './helpers/encryption.ts';

const identity = 'objects/chat-transcript/acme/2026/11/21/s1.json';

async function newDataKey(): Promise<DataKey> {
  return importDataKey(crypto.getRandomValues(new Uint8Array(16)), crypto.getRandomValues(new Uint8Array(32)));
}

function randomPayload(length: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  return Uint8Array.from({ length }, () => Math.floor(random() * 256));
}

async function seal(key: DataKey, plain: Uint8Array, chunkSize: number, pieceSize?: number, who = identity): Promise<Uint8Array> {
  return readBytes(streamIn(plain, pieceSize).pipeThrough(encryptStream(key, who, chunkSize)));
}

async function open(
  key: DataKey,
  sealed: Uint8Array,
  options: { who?: string; range?: { first: number; last: number }; pieceSize?: number; size?: number } = {},
): Promise<Uint8Array> {
  const decryption = decryptStream(async () => key, options.who ?? identity, options.size ?? sealed.byteLength, options.range);
  return readBytes(streamIn(sealed, options.pieceSize).pipeThrough(decryption));
}

const isDecryptionError = (error: unknown) => error instanceof DecryptionError;

describe('chunked AES-256-GCM', () => {
  for (const [length, chunkSize] of [
    [0, 16],
    [1, 16],
    [15, 16],
    [16, 16],
    [17, 16],
    [64, 16],
    [1000, 64],
    [200_000, 65_536],
  ] as const) {
    it(`round trip: ${length} bytes in chunks of ${chunkSize}, arriving whole, by 1 byte and by 7`, async () => {
      const key = await newDataKey();
      const plain = randomPayload(length, length + 1);
      for (const pieceSize of [undefined, 1, 7]) {
        if (pieceSize === 1 && length > 2000) continue;
        const sealed = await seal(key, plain, chunkSize, pieceSize);
        assert.equal(plaintextLength(sealed.byteLength, chunkSize), length);
        assert.deepEqual(await open(key, sealed, { pieceSize }), plain);
      }
    });
  }

  it('the stored bytes hold nothing of the plaintext, and two seals of the same body differ', async () => {
    const key = await newDataKey();
    const plain = utf8('card 4111 1111 1111 1111 '.repeat(40));
    const [a, b] = [await seal(key, plain, 64), await seal(key, plain, 64)];
    assert.ok(!Buffer.from(a).includes(Buffer.from('4111')));
    assert.notDeepEqual(a.subarray(HEADER_BYTES), b.subarray(HEADER_BYTES));
  });

  it('ranges decrypt only the chunks they need and return exactly the bytes asked for', async () => {
    const key = await newDataKey();
    const plain = randomPayload(1000, 9);
    const sealed = await seal(key, plain, 64);
    for (const [first, last] of [
      [0, 0],
      [0, 63],
      [63, 64],
      [100, 300],
      [999, 999],
      [0, 999],
      [960, 5000],
    ] as const) {
      assert.deepEqual(await open(key, sealed, { range: { first, last }, pieceSize: 13 }), plain.subarray(first, last + 1), `${first}-${last}`);
    }
    // A range needs only its chunks: a body whose later chunks are corrupt still serves an early range.
    const damaged = sealed.slice();
    damaged[damaged.byteLength - 1] = (damaged[damaged.byteLength - 1] as number) ^ 1;
    assert.deepEqual(await open(key, damaged, { range: { first: 0, last: 99 } }), plain.subarray(0, 100));
    await assert.rejects(open(key, damaged), isDecryptionError);
  });

  it('refuses a flipped bit, a truncated body, an appended chunk, another identity and another key', async () => {
    const key = await newDataKey();
    const plain = randomPayload(300, 3);
    const sealed = await seal(key, plain, 64);
    const flipped = sealed.slice();
    flipped[HEADER_BYTES + 70] = (flipped[HEADER_BYTES + 70] as number) ^ 0x80;
    await assert.rejects(open(key, flipped), isDecryptionError, 'flipped bit');
    // Cut after whole chunks: the stored size says the last chunk is the final one, and it is not.
    const cut = sealed.subarray(0, HEADER_BYTES + 2 * (64 + 16));
    await assert.rejects(open(key, cut), isDecryptionError, 'truncated at a chunk boundary');
    await assert.rejects(open(key, sealed, { size: sealed.byteLength + 10 }), isDecryptionError, 'shorter than its size');
    const appended = new Uint8Array([...sealed, ...sealed.subarray(HEADER_BYTES, HEADER_BYTES + 80)]);
    await assert.rejects(open(key, appended, { size: sealed.byteLength }), isDecryptionError, 'bytes after the last chunk');
    await assert.rejects(open(key, sealed, { who: 'objects/chat-transcript/acme/other.json' }), isDecryptionError, 'copied to another key');
    await assert.rejects(open(await newDataKey(), sealed), isDecryptionError, 'another data key');
    await assert.rejects(open(key, utf8('plain text, never encrypted, long enough to hold a header')), isDecryptionError, 'not encrypted');
  });

  it('chunks swapped between positions do not decrypt', async () => {
    const key = await newDataKey();
    const sealed = await seal(key, randomPayload(256, 4), 64);
    const size = 64 + 16;
    const swapped = sealed.slice();
    swapped.set(sealed.subarray(HEADER_BYTES + size, HEADER_BYTES + 2 * size), HEADER_BYTES);
    swapped.set(sealed.subarray(HEADER_BYTES, HEADER_BYTES + size), HEADER_BYTES + size);
    await assert.rejects(open(key, swapped), isDecryptionError);
  });
});

describe('data keys: local KEK and key store', () => {
  it('one data key per subject, created once, wrapped (never stored in clear)', async () => {
    const { encryption, keyStore } = await localZoneEncryption('subject');
    const owner = encryption.keys.ownerOf('acme', 'subject-hash-1');
    const [a, b] = await Promise.all([encryption.keys.keyForWrite(owner), encryption.keys.keyForWrite(owner)]);
    assert.deepEqual(a.id, b.id);
    const other = await encryption.keys.keyForWrite(encryption.keys.ownerOf('acme', 'subject-hash-2'));
    assert.notDeepEqual(a.id, other.id);
    const listed = await keyStore.list('data-keys/');
    assert.deepEqual(listed.items.map((item) => item.key).sort(), ['data-keys/acme/subjects/subject-hash-1', 'data-keys/acme/subjects/subject-hash-2']);
    const record = JSON.parse(await new Response((await keyStore.get('data-keys/acme/subjects/subject-hash-1'))?.body).text());
    assert.equal(record.kek, 'local:test');
    assert.equal(typeof record.wrapped, 'string');
  });

  it('per account: subjects share the account key; objects without a subject use it too', async () => {
    const { encryption } = await localZoneEncryption('account');
    assert.deepEqual(encryption.keys.ownerOf('acme', 'h'), { account: 'acme' });
    const { encryption: perSubject } = await localZoneEncryption('subject');
    assert.deepEqual(perSubject.keys.ownerOf('acme', undefined), { account: 'acme' });
  });

  it('a wrapped key moved to another subject does not unwrap; another KEK cannot unwrap it', async () => {
    const keyStore = createMemoryStore();
    const kek = await localKek(newLocalKekJwk('one'));
    const keys = new KeyService(keyStore, kek, 'subject');
    const key = await keys.keyForWrite({ account: 'acme', subject: 'a' });
    const record = await keyStore.get('data-keys/acme/subjects/a');
    const body = await new Response(record?.body).arrayBuffer();
    await keyStore.put('data-keys/acme/subjects/b', streamIn(new Uint8Array(body)), {
      contentType: 'application/json',
      account: 'acme',
      dataClass: 'data-key',
    });
    await assert.rejects(keys.keyForRead({ account: 'acme', subject: 'b' }, key.id), isDecryptionError);
    const stranger = new KeyService(keyStore, await localKek(newLocalKekJwk('two')), 'subject');
    await assert.rejects(stranger.keyForRead({ account: 'acme', subject: 'a' }, key.id), isDecryptionError);
  });

  it('a destroyed key makes the object unreadable; a new key for the same subject does not open old objects', async () => {
    const { encryption } = await localZoneEncryption('subject', 64);
    const plain = utf8('hello '.repeat(50));
    const sealed = await readBytes(streamIn(plain).pipeThrough(await encryption.seal('acme', 'h', identity)));
    const opened = encryption.open('acme', 'h', identity, sealed.byteLength);
    assert.deepEqual(await readBytes(streamIn(sealed).pipeThrough(opened)), plain);
    assert.equal(await encryption.keys.destroy({ account: 'acme', subject: 'h' }), true);
    await assert.rejects(readBytes(streamIn(sealed).pipeThrough(encryption.open('acme', 'h', identity, sealed.byteLength))), isDecryptionError);
    await encryption.keys.keyForWrite({ account: 'acme', subject: 'h' });
    await assert.rejects(readBytes(streamIn(sealed).pipeThrough(encryption.open('acme', 'h', identity, sealed.byteLength))), isDecryptionError);
  });

  it("destroying an account destroys its own key and every subject key, and no other account's", async () => {
    const { encryption, keyStore } = await localZoneEncryption('subject');
    for (const owner of [{ account: 'acme' }, { account: 'acme', subject: 'a' }, { account: 'acme', subject: 'b' }, { account: 'acme2', subject: 'a' }]) {
      await encryption.keys.keyForWrite(owner);
    }
    assert.equal(await encryption.keys.destroyAccount('acme'), 3);
    assert.deepEqual(
      (await keyStore.list('data-keys/')).items.map((item) => item.key),
      ['data-keys/acme2/subjects/a'],
    );
  });

  it('refuses a local key file that is not a 256-bit JWK', async () => {
    await assert.rejects(localKek('{"kty":"oct","k":"AAAA"}'), /256-bit/);
    await assert.rejects(localKek('not json'), /JWK/);
  });
});

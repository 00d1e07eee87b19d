import { readAll, streamOf } from '../adapters/streams.ts';
import type { ObjectStore } from '../adapters/types.ts';
import { accountSegment } from '../policy/keys.ts';
import { fromBase64, randomBytes, toBase64, utf8 } from './bytes.ts';
import { importDataKey, KEY_ID_BYTES, type DataKey } from './chunked-aead.ts';
import { DecryptionError } from './errors.ts';
import type { KeyEncryptionKey } from './kek.ts';

/** Whose data a data key seals: a subject of an account (keyed hash), or the account itself. */
export interface KeyOwner {
  account: string;
  subject?: string;
}

export type KeyScope = 'subject' | 'account';

interface WrappedKeyRecord {
  version: 1;
  kek: string;
  keyId: string;
  wrapped: string;
  createdAt: string;
}

const RECORD_TYPE = 'application/vnd.residency-proxy.wrapped-key+json';
const DATA_KEY_BYTES = 32;

/**
 * Data keys of one zone: generated here, wrapped by the zone's
 * key-encryption key, kept in the zone's key store (never the data's
 * store). Destroying a wrapped key makes every copy of what it sealed
 * unreadable, wherever the copies are.
 *
 *   data-keys/<account>/account            the account's key
 *   data-keys/<account>/subjects/<hash>    one subject's key
 */
export class KeyService {
  readonly #store: ObjectStore;
  readonly #kek: KeyEncryptionKey;
  readonly #scope: KeyScope;
  readonly #creating = new Map<string, Promise<DataKey>>();

  constructor(keyStore: ObjectStore, kek: KeyEncryptionKey, scope: KeyScope) {
    this.#store = keyStore;
    this.#kek = kek;
    this.#scope = scope;
  }

  /** The owner whose key seals an object: its subject when keys are per subject and it has one, else its account. */
  ownerOf(account: string, subjectHash: string | undefined): KeyOwner {
    return this.#scope === 'subject' && subjectHash !== undefined ? { account, subject: subjectHash } : { account };
  }

  /**
   * The owner's data key, created on first use. Concurrent first uses in
   * this process share one creation; the key read back after writing is the
   * one used, so two creations racing converge on the stored one.
   */
  async keyForWrite(owner: KeyOwner): Promise<DataKey> {
    const existing = await this.#read(owner);
    if (existing) return existing;
    const name = recordKey(owner);
    let creating = this.#creating.get(name);
    if (!creating) {
      creating = this.#create(owner).finally(() => this.#creating.delete(name));
      this.#creating.set(name, creating);
    }
    return creating;
  }

  /** The key that sealed an object (its id is in the object's header); a destroyed key is a DecryptionError. */
  async keyForRead(owner: KeyOwner, keyId: Uint8Array): Promise<DataKey> {
    const key = await this.#read(owner);
    if (!key) throw new DecryptionError('the data key of this object has been destroyed (erased); the data cannot be decrypted');
    if (toBase64(key.id) !== toBase64(keyId)) throw new DecryptionError('the object was sealed with a data key that no longer exists');
    return key;
  }

  /** Whether the owner has a data key (without unwrapping it). */
  async exists(owner: KeyOwner): Promise<boolean> {
    return (await this.#store.head(recordKey(owner))) !== null;
  }

  /** Deletes the owner's wrapped key. Returns whether there was one. */
  destroy(owner: KeyOwner): Promise<boolean> {
    return this.#store.delete(recordKey(owner));
  }

  /** Deletes every wrapped key of an account (its own and its subjects'). Returns how many. */
  async destroyAccount(account: string): Promise<number> {
    let destroyed = 0;
    for (;;) {
      const page = await this.#store.list(accountPrefix(account), { limit: 500 });
      if (page.items.length === 0) return destroyed;
      for (const item of page.items) if (await this.#store.delete(item.key)) destroyed += 1;
    }
  }

  async #create(owner: KeyOwner): Promise<DataKey> {
    const id = randomBytes(KEY_ID_BYTES);
    const raw = randomBytes(DATA_KEY_BYTES);
    const record: WrappedKeyRecord = {
      version: 1,
      kek: this.#kek.id,
      keyId: toBase64(id),
      wrapped: toBase64(await this.#kek.wrap(raw, wrapContext(owner, id))),
      createdAt: new Date().toISOString(),
    };
    const body = utf8(JSON.stringify(record));
    await this.#store.put(
      recordKey(owner),
      streamOf(body),
      { contentType: RECORD_TYPE, account: owner.account, dataClass: 'data-key', ...(owner.subject !== undefined && { subject: owner.subject }) },
      { contentLength: body.byteLength },
    );
    const stored = await this.#read(owner);
    if (!stored) throw new Error('the key store lost a data key just written');
    return stored;
  }

  async #read(owner: KeyOwner): Promise<DataKey | null> {
    const object = await this.#store.get(recordKey(owner));
    if (!object) return null;
    const record = JSON.parse(new TextDecoder().decode(await readAll(object.body))) as WrappedKeyRecord;
    const id = fromBase64(record.keyId);
    const raw = await this.#kek.unwrap(fromBase64(record.wrapped), wrapContext(owner, id));
    return importDataKey(id, new Uint8Array(raw));
  }
}

function accountPrefix(account: string): string {
  return `data-keys/${accountSegment(account)}/`;
}

function recordKey(owner: KeyOwner): string {
  return owner.subject === undefined ? `${accountPrefix(owner.account)}account` : `${accountPrefix(owner.account)}subjects/${owner.subject}`;
}

/** Binds a wrapped key to its owner and id: moved to another owner, it does not unwrap. */
function wrapContext(owner: KeyOwner, id: Uint8Array): Uint8Array {
  return utf8(`residency-proxy data key v1\n${owner.account}\n${owner.subject ?? ''}\n${toBase64(id)}`);
}

import { randomBytes } from 'node:crypto';
import type { PKCS11 } from 'pkcs11js';
import { DecryptionError } from './errors.ts';
import type { KeyEncryptionKey } from './kek.ts';

/**
 * The `pkcs11` provider (Node only): the key-encryption key is an AES key
 * inside a PKCS#11 token (SoftHSM2 in tests; AWS CloudHSM, Azure Managed HSM
 * or a Thales/Entrust HSM in production), found by its label, marked
 * non-extractable. Data keys are wrapped and unwrapped inside the token with
 * AES-GCM (a random 96-bit IV, the owner as additional data); the KEK never
 * leaves it. Wrapped form: iv (12) | ciphertext | tag (16).
 */
export interface Pkcs11KekOptions {
  /** Path of the token's PKCS#11 module, e.g. libsofthsm2.so. */
  module: string;
  /** The token's label. */
  token: string;
  /** The label of the AES key on the token. */
  label: string;
  pin: string;
}

interface LoadedModule {
  library: PKCS11;
  users: number;
}

/** A module is loaded and initialised once per process, however many keys use it. */
const modules = new Map<string, Promise<LoadedModule>>();

async function loadModule(path: string): Promise<LoadedModule> {
  let loading = modules.get(path);
  if (!loading) {
    loading = import('pkcs11js').then(({ default: pkcs11js }) => {
      const library = new pkcs11js.PKCS11();
      library.load(path);
      library.C_Initialize();
      return { library, users: 0 };
    });
    modules.set(path, loading);
    loading.catch(() => modules.delete(path));
  }
  const loaded = await loading;
  loaded.users += 1;
  return loaded;
}

function releaseModule(path: string, loaded: LoadedModule): void {
  loaded.users -= 1;
  if (loaded.users > 0) return;
  modules.delete(path);
  loaded.library.C_Finalize();
  loaded.library.close();
}

export async function pkcs11Kek(options: Pkcs11KekOptions): Promise<KeyEncryptionKey> {
  const { default: pkcs11js } = await import('pkcs11js');
  const loaded = await loadModule(options.module);
  const { library } = loaded;
  let session: Buffer | undefined;
  try {
    const slot = library.C_GetSlotList(true).find((candidate) => library.C_GetTokenInfo(candidate).label.trim() === options.token);
    if (!slot) throw new Error(`no PKCS#11 token labelled "${options.token}" in ${options.module}`);
    session = library.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    try {
      library.C_Login(session, pkcs11js.CKU_USER, options.pin);
    } catch (error) {
      // Login is per token and process: a second key on the same token finds it done.
      if (!String(error).includes('CKR_USER_ALREADY_LOGGED_IN')) throw error;
    }
    library.C_FindObjectsInit(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_LABEL, value: options.label },
    ]);
    const found = library.C_FindObjects(session, 2);
    library.C_FindObjectsFinal(session);
    if (found.length !== 1) throw new Error(`token "${options.token}" holds ${found.length} AES keys labelled "${options.label}"; exactly one is needed`);
    const key = found[0] as Buffer;
    const open = session;
    const gcm = (iv: Buffer, context: Uint8Array) => ({
      mechanism: pkcs11js.CKM_AES_GCM,
      parameter: { type: pkcs11js.CK_PARAMS_GCM, iv, ivBits: 96, aad: Buffer.from(context), tagBits: 128 },
    });
    let closed = false;
    return {
      id: `pkcs11:${options.token}/${options.label}`,
      async wrap(dataKey, context) {
        const iv = randomBytes(12);
        library.C_EncryptInit(open, gcm(iv, context), key);
        const sealed = library.C_Encrypt(open, Buffer.from(dataKey), Buffer.alloc(dataKey.byteLength + 16));
        return new Uint8Array(Buffer.concat([iv, sealed]));
      },
      async unwrap(wrapped, context) {
        if (wrapped.byteLength < 12 + 16) throw new DecryptionError('the wrapped data key is too short');
        try {
          library.C_DecryptInit(open, gcm(Buffer.from(wrapped.subarray(0, 12)), context), key);
          return new Uint8Array(library.C_Decrypt(open, Buffer.from(wrapped.subarray(12)), Buffer.alloc(wrapped.byteLength)));
        } catch {
          throw new DecryptionError(`the wrapped data key does not unwrap with pkcs11:${options.token}/${options.label}`);
        }
      },
      async close() {
        if (closed) return;
        closed = true;
        library.C_CloseSession(open);
        releaseModule(options.module, loaded);
      },
    };
  } catch (error) {
    if (session) library.C_CloseSession(session);
    releaseModule(options.module, loaded);
    throw error;
  }
}

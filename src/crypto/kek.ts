/**
 * A key-encryption key: it never leaves its provider (a key file for
 * development, an HSM in production); it only wraps and unwraps data keys.
 * `context` is authenticated with the wrapped key (whose key it is), so a
 * wrapped key copied to another subject does not unwrap.
 */
export interface KeyEncryptionKey {
  /** Names the key in wrapped-key records, so a rotation can tell which KEK sealed one. */
  readonly id: string;
  wrap(dataKey: Uint8Array, context: Uint8Array): Promise<Uint8Array>;
  unwrap(wrapped: Uint8Array, context: Uint8Array): Promise<Uint8Array>;
  close?(): Promise<void>;
}

/**
 * Encrypted data that cannot be decrypted: tampered, truncated, moved to
 * another object, or whose data key is gone (erased). Never a detail that
 * helps an attacker; the object service turns it into a refusal.
 */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
}

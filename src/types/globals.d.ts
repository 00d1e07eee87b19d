// Web Crypto's CryptoKey as a global type: @types/node 20 declares it only
// under node:crypto's `webcrypto`, while Workers and jose use the global.
declare global {
  type CryptoKey = import('node:crypto').webcrypto.CryptoKey;
}
export {};

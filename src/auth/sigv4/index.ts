export type { SignableRequest, CredentialScope } from './canonical.ts';
export { SignatureFailure, type SignatureFailureCode } from './failure.ts';
export { declaredObjectLength, isChunkedPayload, verifiedPayload } from './payload.ts';
export {
  MAX_SKEW_MS,
  verifyRequest,
  type PayloadSigning,
  type ResolvedCredentials,
  type SigningChain,
  type VerifiedRequest,
  type VerifyOptions,
} from './verify.ts';

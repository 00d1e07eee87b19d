import { Refusal, type ErrorCode } from '../../policy/refusal.ts';

/** The S3 error codes a signature check can end in; the S3 front door renders them with S3's statuses. */
export type SignatureFailureCode =
  | 'AccessDenied'
  | 'AuthorizationQueryParametersError'
  | 'BadDigest'
  | 'ExpiredToken'
  | 'IncompleteBody'
  | 'InvalidAccessKeyId'
  | 'InvalidArgument'
  | 'InvalidRequest'
  | 'InvalidToken'
  | 'MissingSecurityHeader'
  | 'RequestTimeTooSkewed'
  | 'SignatureDoesNotMatch'
  | 'XAmzContentSHA256Mismatch';

const RESIDENCY_CODES: Record<SignatureFailureCode, ErrorCode> = {
  AccessDenied: 'token_missing',
  AuthorizationQueryParametersError: 'token_invalid',
  BadDigest: 'bad_request',
  ExpiredToken: 'token_expired',
  IncompleteBody: 'bad_request',
  InvalidAccessKeyId: 'token_invalid',
  InvalidArgument: 'bad_request',
  InvalidRequest: 'bad_request',
  InvalidToken: 'token_invalid',
  MissingSecurityHeader: 'token_missing',
  RequestTimeTooSkewed: 'token_invalid',
  SignatureDoesNotMatch: 'token_invalid',
  XAmzContentSHA256Mismatch: 'bad_request',
};

/**
 * A request whose signature, credentials or signed payload do not hold. It is
 * a `Refusal` (with the nearest stable `/v1` code), so that a failure found
 * mid-body aborts the store write like any other refusal.
 */
export class SignatureFailure extends Refusal {
  constructor(
    readonly s3Code: SignatureFailureCode,
    detail: string,
  ) {
    super(RESIDENCY_CODES[s3Code], detail);
  }
}

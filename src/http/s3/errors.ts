import { SignatureFailure, type SignatureFailureCode } from '../../auth/sigv4/failure.ts';
import { Refusal, type ErrorCode } from '../../policy/refusal.ts';
import { MultipartRefusal, type MultipartProblem } from '../../service/multipart.ts';
import { toRefusal } from '../../service/to-refusal.ts';
import { element, xmlResponse, xmlRoot } from './xml.ts';

/** An error only the S3 dialect has (no such upload, a precondition, an operation not implemented), with the nearest `/v1` code. */
export class S3Failure extends Refusal {
  constructor(
    readonly s3Code: string,
    readonly s3Status: number,
    code: ErrorCode,
    detail: string,
  ) {
    super(code, detail);
  }
}

export const notImplemented = (what: string) => new S3Failure('NotImplemented', 501, 'method_not_allowed', `${what} is not implemented by this gateway`);

const SIGNATURE_STATUS: Record<SignatureFailureCode, number> = {
  AccessDenied: 403,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  ExpiredToken: 400,
  IncompleteBody: 400,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidRequest: 400,
  InvalidToken: 400,
  MissingSecurityHeader: 400,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  XAmzContentSHA256Mismatch: 400,
};

const MULTIPART_STATUS: Record<MultipartProblem, number> = { NoSuchUpload: 404, InvalidPart: 400, InvalidPartOrder: 400 };

/** The S3 code and status of every `/v1` refusal: the table of docs/s3.md. */
export const S3_ERRORS: Record<ErrorCode, { code: string; status: number }> = {
  token_missing: { code: 'AccessDenied', status: 403 },
  token_invalid: { code: 'AccessDenied', status: 403 },
  token_expired: { code: 'ExpiredToken', status: 400 },
  account_missing: { code: 'AccessDenied', status: 403 },
  region_missing: { code: 'AccessDenied', status: 403 },
  region_unknown: { code: 'AccessDenied', status: 403 },
  scope_required: { code: 'AccessDenied', status: 403 },
  data_class_unknown: { code: 'NoSuchBucket', status: 404 },
  data_class_not_persisted: { code: 'AccessDenied', status: 403 },
  media_refused: { code: 'MediaRefused', status: 415 },
  key_invalid: { code: 'InvalidArgument', status: 400 },
  payload_too_large: { code: 'EntityTooLarge', status: 400 },
  not_found: { code: 'NoSuchKey', status: 404 },
  legal_hold: { code: 'AccessDenied', status: 403 },
  store_error: { code: 'InternalError', status: 500 },
  store_unavailable: { code: 'ServiceUnavailable', status: 503 },
  gateway_busy: { code: 'SlowDown', status: 503 },
  body_uninspectable: { code: 'BodyUninspectable', status: 422 },
  bad_request: { code: 'InvalidRequest', status: 400 },
  length_required: { code: 'MissingContentLength', status: 411 },
  method_not_allowed: { code: 'MethodNotAllowed', status: 405 },
  precondition_failed: { code: 'PreconditionFailed', status: 412 },
  range_not_satisfiable: { code: 'InvalidRange', status: 416 },
  request_timeout: { code: 'RequestTimeout', status: 400 },
  internal_error: { code: 'InternalError', status: 500 },
  client_closed: { code: 'RequestTimeout', status: 400 },
};

export interface S3ErrorView {
  code: string;
  status: number;
  refusal: Refusal;
}

export function s3ErrorOf(error: unknown): S3ErrorView {
  const refusal = toRefusal(error);
  if (refusal instanceof SignatureFailure) return { code: refusal.s3Code, status: SIGNATURE_STATUS[refusal.s3Code], refusal };
  if (refusal instanceof S3Failure) return { code: refusal.s3Code, status: refusal.s3Status, refusal };
  if (refusal instanceof MultipartRefusal) return { code: refusal.problem, status: MULTIPART_STATUS[refusal.problem], refusal };
  return { ...S3_ERRORS[refusal.code], refusal };
}

function errorChildren(view: S3ErrorView, requestId: string, resource: string): string[] {
  return [element('Code', view.code), element('Message', view.refusal.detail), element('Resource', resource), element('RequestId', requestId)];
}

/** S3's error document, with the stable `/v1` code in `x-residency-code`. */
export function s3ErrorResponse(error: unknown, requestId: string, resource: string): Response {
  const view = s3ErrorOf(error);
  return xmlResponse('Error', errorChildren(view, requestId, resource), {
    status: view.status,
    headers: { 'x-residency-code': view.refusal.code },
    namespace: '',
  });
}

/** The error document alone, for an answer whose status has already gone out (a kept-alive CompleteMultipartUpload). */
export function s3ErrorDocument(error: unknown, requestId: string, resource: string): string {
  return xmlRoot('Error', errorChildren(s3ErrorOf(error), requestId, resource), '');
}

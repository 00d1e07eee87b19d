/**
 * The stable error codes of DESIGN.md and their HTTP statuses. Every refusal
 * the gateway makes is a `Refusal` carrying one of these codes; the HTTP layer
 * turns it into application/problem+json.
 */
export const ERROR_CODES = {
  token_missing: { status: 401, title: 'Bearer token missing' },
  token_invalid: { status: 401, title: 'Bearer token invalid' },
  token_expired: { status: 401, title: 'Bearer token expired' },
  account_missing: { status: 403, title: 'Account claim missing' },
  region_missing: { status: 403, title: 'Region claim missing' },
  region_unknown: { status: 403, title: 'Region in no zone' },
  scope_required: { status: 403, title: 'Admin scope required' },
  data_class_unknown: { status: 400, title: 'Unknown data class' },
  data_class_not_persisted: { status: 403, title: 'Data class is never stored' },
  media_refused: { status: 415, title: 'Image, audio or video refused' },
  key_invalid: { status: 400, title: 'Invalid object key' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  not_found: { status: 404, title: 'Not found' },
  legal_hold: { status: 409, title: 'Blocked by a legal hold' },
  store_error: { status: 502, title: 'Store error' },
  store_unavailable: { status: 503, title: 'Store unavailable' },
  gateway_busy: { status: 503, title: 'Gateway busy' },
  body_uninspectable: { status: 422, title: 'Body cannot be inspected' },
  bad_request: { status: 400, title: 'Bad request' },
  length_required: { status: 411, title: 'Length required' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  precondition_failed: { status: 412, title: 'Precondition failed' },
  range_not_satisfiable: { status: 416, title: 'Range not satisfiable' },
  request_timeout: { status: 408, title: 'Request timeout' },
  internal_error: { status: 500, title: 'Internal error' },
  // nginx's 499: the client went away before the answer; audited and logged as such, never sent.
  client_closed: { status: 499, title: 'Client closed the request' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class Refusal extends Error {
  override readonly name = 'Refusal';
  constructor(
    readonly code: ErrorCode,
    /** Safe to show the caller: helps them fix the request, never echoes a token. */
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

/**
 * What pure code returns where a request may be refused: the value, or the
 * refusal. Pure code never throws one; the object service and the HTTP
 * layer throw it (`valueOrThrow`).
 */
export type Checked<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

export function valueOrThrow<T>(checked: Checked<T>): T {
  if (!checked.ok) throw checked.refusal;
  return checked.value;
}

export function isRefusal(error: unknown): error is Refusal {
  return error instanceof Refusal;
}

import { ERROR_CODES, type ErrorCode, type Refusal } from '../policy/refusal.ts';
import { BUDGET_RETRY_AFTER_SECONDS } from '../service/body-budget.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details, with the stable `code` of DESIGN.md and the request id. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
}

export function problemOf(refusal: Refusal, requestId: string): Problem {
  const { status, title } = ERROR_CODES[refusal.code];
  return { type: `urn:residency-proxy:error:${refusal.code}`, title, status, detail: refusal.detail, code: refusal.code, requestId };
}

/** Seconds a client should wait before retrying a zone whose store is unavailable (stores answer again or are re-probed). */
export const STORE_RETRY_AFTER_SECONDS = 10;

export function problemResponse(refusal: Refusal, requestId: string, headers: Record<string, string> = {}): Response {
  const problem = problemOf(refusal, requestId);
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: {
      'content-type': PROBLEM_CONTENT_TYPE,
      'x-request-id': requestId,
      'cache-control': 'no-store',
      ...(refusal.code === 'store_unavailable' && { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) }),
      ...(refusal.code === 'gateway_busy' && { 'retry-after': String(BUDGET_RETRY_AFTER_SECONDS) }),
      ...headers,
    },
  });
}

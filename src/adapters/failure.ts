import { StoreError, isStoreError, type StoreFailure } from './errors.ts';

/** Error codes of a store that could not be reached at all, as Node, undici and the SDKs report them. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'REQUEST_SEND_ERROR',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
]);

const UNREACHABLE_NAMES = new Set(['TimeoutError']);

/** Statuses with which a store says it is there but cannot serve now. */
const UNAVAILABLE_STATUSES = new Set([503]);

const SAFE_TOKEN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

interface ErrorFields {
  code?: unknown;
  name?: unknown;
  statusCode?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  cause?: unknown;
}

const fieldsOf = (error: unknown): ErrorFields => (typeof error === 'object' && error !== null ? error : {});

/** The HTTP status a backend answered with, if the error carries one (AWS SDK and Azure SDK shapes). */
export function statusOf(error: unknown): number | undefined {
  const fields = fieldsOf(error);
  const status = fields.$metadata?.httpStatusCode ?? fields.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function codeOf(error: unknown): string | undefined {
  const fields = fieldsOf(error);
  const candidates = [fields.code, fieldsOf(fields.cause).code, fields.name];
  return candidates.find((value): value is string => typeof value === 'string' && SAFE_TOKEN.test(value) && !/^(Rest)?Error$/.test(value));
}

function failureOf(error: unknown, status: number | undefined, code: string | undefined): StoreFailure {
  if (status !== undefined) return UNAVAILABLE_STATUSES.has(status) ? 'unavailable' : 'failed';
  const name = fieldsOf(error).name;
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return 'unavailable';
  if (typeof name === 'string' && UNREACHABLE_NAMES.has(name)) return 'unavailable';
  return 'failed';
}

/**
 * Turns whatever a backend threw into a StoreError whose message is safe to
 * show: the store kind, the operation, and at most an error code and an HTTP
 * status. Raw messages are never copied, since SDK messages may quote URLs
 * with signatures or response bodies. The original error is not attached
 * either, so that no logger can serialise it by accident.
 */
export function toStoreError(error: unknown, kind: string, operation: string): StoreError {
  if (isStoreError(error)) return error;
  const status = statusOf(error);
  const code = codeOf(error);
  const detail = [code, status === undefined ? undefined : `HTTP ${status}`].filter(Boolean).join(', ');
  return new StoreError(failureOf(error, status, code), `${kind} ${operation} failed${detail ? ` (${detail})` : ''}`);
}

/**
 * Runs one operation against a store with a deadline, mapping every failure to
 * a StoreError. The signal handed to `run` fires when the deadline passes; the
 * operation then fails as `unavailable` whatever the SDK made of the abort.
 */
export function storeCaller(kind: string, timeoutMs: number) {
  return async function call<T>(operation: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new StoreError('unavailable', `${kind} ${operation} timed out after ${timeoutMs} ms`)), timeoutMs);
    try {
      return await run(deadline.signal);
    } catch (error) {
      if (deadline.signal.aborted) throw deadline.signal.reason;
      throw toStoreError(error, kind, operation);
    } finally {
      clearTimeout(timer);
    }
  };
}

export type StoreCaller = ReturnType<typeof storeCaller>;

export const DEFAULT_TIMEOUT_MS = 30_000;

import type { ObjectInfo } from '../adapters/types.ts';
import { Refusal } from '../policy/refusal.ts';
import { problemResponse } from './problem.ts';
import { evaluatePreconditions, requestedRange, sliceBody } from './preconditions.ts';

/** Headers a 304 repeats from the 200 it stands for (RFC 9110 section 15.4.5). */
const NOT_MODIFIED_HEADERS = ['etag', 'last-modified', 'cache-control', 'x-residency-zone', 'x-residency-location', 'x-residency-expires-at'];

/** What a GET answers from: the stored object, and for an encrypted one, ranges that decrypt only the chunks they lie in. */
export interface ReadSource {
  info: ObjectInfo;
  /** The whole body; taken only when it is sent or cancelled (an encrypted object's body decrypts as it is read). */
  readonly body: ReadableStream<Uint8Array>;
  openRange?(range: { first: number; last: number }): ReadableStream<Uint8Array>;
}

export interface ReadAnswer {
  response: Response;
  /** Body bytes the answer sends. */
  bytes: number;
}

/**
 * The answer to a GET of a stored object: 304 or 412 when the request's
 * conditions say so, 206 with one range, 416 for a range past the end, else
 * the whole object. A body that is not sent is cancelled at once, so the
 * store's stream (a file, a socket) is released.
 */
export function answerRead(request: Headers, object: ReadSource, headers: Record<string, string>, requestId: string): ReadAnswer {
  const { info } = object;
  const validators = { etag: info.etag, lastModified: info.lastModified };
  const skip = (response: Response): ReadAnswer => {
    void object.body.cancel().catch(() => {});
    return { response, bytes: 0 };
  };
  const precondition = evaluatePreconditions(request, validators);
  if (precondition === 'not_modified') {
    return skip(new Response(null, { status: 304, headers: NOT_MODIFIED_HEADERS.filter((name) => name in headers).map((name) => [name, headers[name]!]) }));
  }
  if (precondition === 'failed') return skip(problemResponse(new Refusal('precondition_failed', `the object's ETag is "${info.etag}"`), requestId));
  const range = requestedRange(request, validators, info.size);
  if (range === 'unsatisfiable') {
    return skip(
      problemResponse(new Refusal('range_not_satisfiable', `the object has ${info.size} bytes`), requestId, { 'content-range': `bytes */${info.size}` }),
    );
  }
  if (range === undefined) return { response: new Response(object.body, { status: 200, headers: { ...headers, 'accept-ranges': 'bytes' } }), bytes: info.size };
  const length = range.end - range.start + 1;
  // A decrypted range is cut after its last byte too, so that the rest of the stored object is not read.
  const body = object.openRange
    ? sliceBody(object.openRange({ first: range.start, last: range.end }), { start: 0, end: length - 1 })
    : sliceBody(object.body, range);
  return {
    response: new Response(body, {
      status: 206,
      headers: { ...headers, 'accept-ranges': 'bytes', 'content-range': `bytes ${range.start}-${range.end}/${info.size}`, 'content-length': String(length) },
    }),
    bytes: length,
  };
}

/**
 * Conditional requests (RFC 9110 section 13) and single byte ranges
 * (section 14) against an object's strong ETag and Last-Modified date.
 */

export interface Validators {
  /** The object's entity tag, unquoted. */
  etag: string;
  /** ISO 8601. */
  lastModified: string;
}

export type Precondition = 'proceed' | 'not_modified' | 'failed';

/** The evaluation order of RFC 9110 section 13.2.2, for a GET or HEAD. */
export function evaluatePreconditions(headers: Headers, validators: Validators): Precondition {
  const ifMatch = headers.get('if-match');
  if (ifMatch !== null) {
    if (!matchesAny(ifMatch, validators.etag, 'strong')) return 'failed';
  } else {
    const since = httpDate(headers.get('if-unmodified-since'));
    if (since !== undefined && modifiedSeconds(validators) > since) return 'failed';
  }
  const ifNoneMatch = headers.get('if-none-match');
  if (ifNoneMatch !== null) return matchesAny(ifNoneMatch, validators.etag, 'weak') ? 'not_modified' : 'proceed';
  const since = httpDate(headers.get('if-modified-since'));
  if (since !== undefined && modifiedSeconds(validators) <= since) return 'not_modified';
  return 'proceed';
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * The one range a request asks for, `'unsatisfiable'` when it lies past the
 * end, or `undefined` to send the whole object: no Range header, a malformed
 * one, several ranges (a server may ignore Range; multipart/byteranges is not
 * offered), or an If-Range that no longer matches.
 */
export function requestedRange(headers: Headers, validators: Validators, size: number): ByteRange | 'unsatisfiable' | undefined {
  const header = headers.get('range');
  if (header === null) return undefined;
  const ifRange = headers.get('if-range');
  if (ifRange !== null && !ifRangeHolds(ifRange.trim(), validators)) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [first, last] = [match[1]!, match[2]!];
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  return start >= size ? 'unsatisfiable' : { start, end };
}

/** A body cut to `range`: the bytes before it are dropped, and the source is cancelled once the range is complete. */
export function sliceBody(body: ReadableStream<Uint8Array>, range: ByteRange): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let position = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Chunks before the range enqueue nothing; read on until one does, or the stream would stall.
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        const chunkStart = position;
        position += value.byteLength;
        const from = Math.max(range.start - chunkStart, 0);
        const to = Math.min(range.end + 1 - chunkStart, value.byteLength);
        const complete = position > range.end;
        if (to > from) controller.enqueue(value.subarray(from, to));
        if (complete) {
          controller.close();
          await reader.cancel();
        }
        if (to > from || complete) return;
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

function ifRangeHolds(value: string, validators: Validators): boolean {
  if (value.startsWith('"')) return value === `"${validators.etag}"`;
  const date = httpDate(value);
  return date !== undefined && modifiedSeconds(validators) === date;
}

/** `*` or a list of entity tags; a weak comparison ignores the `W/` prefix, a strong one never matches it. */
function matchesAny(list: string, etag: string, comparison: 'strong' | 'weak'): boolean {
  if (list.trim() === '*') return true;
  return list.split(',').some((candidate) => {
    let tag = candidate.trim();
    if (tag.startsWith('W/')) {
      if (comparison === 'strong') return false;
      tag = tag.slice(2);
    }
    return tag === `"${etag}"`;
  });
}

/** HTTP dates have whole seconds. */
function modifiedSeconds(validators: Validators): number {
  return Math.floor(Date.parse(validators.lastModified) / 1000);
}

function httpDate(value: string | null): number | undefined {
  if (value === null) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

import type { ObjectInfo } from '../../adapters/types.ts';
import { S3Failure } from './errors.ts';

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * A `Range: bytes=…` header against an object of `size` bytes. A header S3
 * would ignore (not one byte range) gives `null`: the whole object.
 */
export function byteRange(header: string | undefined, size: number): ByteRange | null {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  const [, first, last] = match as unknown as [string, string, string];
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw unsatisfiable(size);
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || (last !== '' && Number(last) < start)) throw unsatisfiable(size);
  return { start, end };
}

function unsatisfiable(size: number): S3Failure {
  return new S3Failure('InvalidRange', 416, 'bad_request', `the requested range is not satisfiable for an object of ${size} bytes`);
}

/** The bytes `range` of a stream, reading (and dropping) what comes before it. */
export function sliceStream(body: ReadableStream<Uint8Array>, range: ByteRange): ReadableStream<Uint8Array> {
  let position = 0;
  return body.pipeThrough(
    new TransformStream({
      transform(chunk, controller) {
        const from = Math.max(range.start - position, 0);
        const to = Math.min(range.end + 1 - position, chunk.length);
        position += chunk.length;
        if (from < to) controller.enqueue(chunk.subarray(from, to));
        if (position > range.end) controller.terminate();
      },
    }),
  );
}

export type Precondition = { status: 304 } | { status: 412 } | null;

function etagMatches(list: string, etag: string): boolean {
  return list.split(',').some((candidate) => {
    const trimmed = candidate.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '').replace(/^"(.*)"$/, '$1') === etag;
  });
}

/** If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since, with S3's precedence. */
export function precondition(headers: Headers, info: ObjectInfo): Precondition {
  const ifMatch = headers.get('if-match');
  const ifNoneMatch = headers.get('if-none-match');
  const modifiedSince = Date.parse(headers.get('if-modified-since') ?? '');
  const unmodifiedSince = Date.parse(headers.get('if-unmodified-since') ?? '');
  const lastModified = Math.floor(Date.parse(info.lastModified) / 1000) * 1000;
  if (ifMatch !== null && !etagMatches(ifMatch, info.etag)) return { status: 412 };
  if (ifMatch === null && !Number.isNaN(unmodifiedSince) && lastModified > unmodifiedSince) return { status: 412 };
  if (ifNoneMatch !== null && etagMatches(ifNoneMatch, info.etag)) return { status: 304 };
  if (ifNoneMatch === null && !Number.isNaN(modifiedSince) && lastModified <= modifiedSince) return { status: 304 };
  return null;
}

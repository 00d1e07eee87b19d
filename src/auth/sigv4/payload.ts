import type { SignableRequest } from './canonical.ts';
import { createChecksum, isChecksumAlgorithm, toBase64, type RunningChecksum } from './checksums.ts';
import { awsChunkedDecoder } from './chunked.ts';
import { SignatureFailure, type SignatureFailureCode } from './failure.ts';
import { constantTimeEqual, toHex } from './hashing.ts';
import type { VerifiedRequest } from './verify.ts';

interface DigestCheck {
  checksum: RunningChecksum;
  render(digest: Uint8Array): string;
  expected: string;
  failure: SignatureFailureCode;
  name: string;
}

/** Checks digests of the whole body once it has passed, erroring the stream (and so the store write) on a mismatch. */
function digestChecks(checks: DigestCheck[]): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(bytes, controller) {
      for (const check of checks) check.checksum.update(bytes);
      controller.enqueue(bytes);
    },
    flush() {
      for (const check of checks) {
        if (!constantTimeEqual(check.render(check.checksum.digest()), check.expected)) {
          throw new SignatureFailure(check.failure, `the body does not match its ${check.name}`);
        }
      }
    },
  });
}

/** The digests a request declares in headers: Content-MD5 and `x-amz-checksum-*`. */
function declaredDigests(request: SignableRequest): DigestCheck[] {
  const checks: DigestCheck[] = [];
  const contentMd5 = request.headerValues('content-md5')[0];
  if (contentMd5 !== undefined) {
    checks.push({ checksum: createChecksum('md5'), render: toBase64, expected: contentMd5, failure: 'BadDigest', name: 'Content-MD5' });
  }
  for (const algorithm of ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const) {
    const value = request.headerValues(`x-amz-checksum-${algorithm}`)[0];
    if (value !== undefined && isChecksumAlgorithm(algorithm)) {
      checks.push({ checksum: createChecksum(algorithm), render: toBase64, expected: value, failure: 'BadDigest', name: `x-amz-checksum-${algorithm}` });
    }
  }
  return checks;
}

function decodedLength(request: SignableRequest): number | undefined {
  const value = request.headerValues('x-amz-decoded-content-length')[0];
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value)) throw new SignatureFailure('InvalidArgument', 'x-amz-decoded-content-length is not a number');
  return Number(value);
}

/** Whether the request body is `aws-chunked` framing, to be decoded before it is the object. */
export function isChunkedPayload(verified: VerifiedRequest<unknown>): boolean {
  return verified.payload.kind === 'signed-chunks' || verified.payload.kind === 'unsigned-chunks';
}

/** The object's length as the request declares it: the decoded length of a chunked body, else Content-Length. */
export function declaredObjectLength(request: SignableRequest, verified: VerifiedRequest<unknown>): number | undefined {
  if (isChunkedPayload(verified)) return decodedLength(request);
  const value = request.headerValues('content-length')[0];
  return value !== undefined && /^\d{1,16}$/.test(value) ? Number(value) : undefined;
}

/**
 * The body of a verified request as the object's bytes: `aws-chunked`
 * framing removed with every chunk signature checked, and the payload hash,
 * trailer checksum and declared digests verified as it streams. A mismatch
 * errors the stream at the point it is found (at the latest, at its end),
 * so that whatever consumes it stores nothing.
 */
export function verifiedPayload(body: ReadableStream<Uint8Array>, request: SignableRequest, verified: VerifiedRequest<unknown>): ReadableStream<Uint8Array> {
  const checks = declaredDigests(request);
  const { payload } = verified;
  let stream = body;
  if (payload.kind === 'signed-chunks' || payload.kind === 'unsigned-chunks') {
    const trailerNames = (request.headerValues('x-amz-trailer')[0] ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== '');
    const length = decodedLength(request);
    stream = stream.pipeThrough(
      awsChunkedDecoder({
        ...(payload.kind === 'signed-chunks' && { chain: verified.chain }),
        signedTrailer: payload.kind === 'signed-chunks' && payload.trailer,
        trailerNames,
        ...(length !== undefined && { decodedLength: length }),
      }),
    );
  }
  if (payload.kind === 'sha256') {
    checks.push({
      checksum: createChecksum('sha256'),
      render: toHex,
      expected: payload.hex,
      failure: 'XAmzContentSHA256Mismatch',
      name: 'x-amz-content-sha256',
    });
  }
  return checks.length === 0 ? stream : stream.pipeThrough(digestChecks(checks));
}

import { createChecksum, isChecksumAlgorithm, toBase64, type ChecksumAlgorithm, type RunningChecksum } from './checksums.ts';
import { SignatureFailure } from './failure.ts';
import { EMPTY_SHA256, constantTimeEqual, hmacSha256, sha256Hex, toHex } from './hashing.ts';
import type { SigningChain } from './verify.ts';
import { sha256 } from '@noble/hashes/sha2.js';

export interface ChunkedOptions {
  /** Present when every chunk (and the trailer) carries a signature chained from the request's. */
  chain?: SigningChain;
  /** Whether a signed body ends with a signed trailer. */
  signedTrailer: boolean;
  /** Trailer names the request announced in `x-amz-trailer`. */
  trailerNames: readonly string[];
  /** `x-amz-decoded-content-length`, when sent. */
  decodedLength?: number;
}

/** A signed chunk is held until its signature is checked: no byte passes on unverified. */
const MAX_SIGNED_CHUNK_BYTES = 16 * 1024 * 1024;
const MAX_LINE_BYTES = 4096;
const CRLF = [0x0d, 0x0a] as const;

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

/**
 * Decodes an `aws-chunked` body (`STREAMING-…` payloads) into the object's
 * bytes, verifying every chunk signature in the chain, the trailer's
 * signature, and the checksum the trailer declares. Any failure errors the
 * stream, so the store write it feeds is aborted.
 */
export function awsChunkedDecoder(options: ChunkedOptions): TransformStream<Uint8Array, Uint8Array> {
  const announced = new Map<string, RunningChecksum>();
  for (const name of options.trailerNames) {
    const algorithm = name.startsWith('x-amz-checksum-') ? name.slice('x-amz-checksum-'.length) : '';
    if (!isChecksumAlgorithm(algorithm)) throw new SignatureFailure('InvalidArgument', `the trailer ${name} is not a checksum the gateway knows`);
    announced.set(name, createChecksum(algorithm as ChecksumAlgorithm));
  }
  if (options.chain === undefined && options.signedTrailer) throw new Error('a signed trailer needs a signing chain');

  let state: State = 'size';
  let carry: Uint8Array = new Uint8Array(0);
  let remaining = 0;
  let chunkSignature = '';
  let held: Uint8Array[] = [];
  let chunkHash = sha256.create();
  let previousSignature = options.chain?.seedSignature ?? '';
  let decoded = 0;
  const trailers: Array<[string, string]> = [];

  const fail = (code: 'IncompleteBody' | 'InvalidArgument', detail: string) => new SignatureFailure(code, detail);

  function verifyChunk(dataHash: string): void {
    const chain = options.chain!;
    const toSign = `AWS4-HMAC-SHA256-PAYLOAD\n${chain.timestamp}\n${chain.scope}\n${previousSignature}\n${EMPTY_SHA256}\n${dataHash}`;
    const expected = toHex(hmacSha256(chain.key, toSign));
    if (!constantTimeEqual(expected, chunkSignature)) throw new SignatureFailure('SignatureDoesNotMatch', 'a chunk signature does not match');
    previousSignature = expected;
  }

  function readSizeLine(line: string): void {
    const [sizeText, ...extensions] = line.split(';');
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText ?? '')) throw fail('InvalidArgument', 'a chunk size is not hex');
    remaining = Number.parseInt(sizeText!, 16);
    if (options.chain) {
      const extension = extensions.length === 1 ? /^chunk-signature=([0-9a-f]{64})$/.exec(extensions[0]!) : null;
      if (!extension) throw new SignatureFailure('SignatureDoesNotMatch', 'a chunk has no chunk-signature');
      chunkSignature = extension[1]!;
      if (remaining > MAX_SIGNED_CHUNK_BYTES) throw fail('InvalidArgument', `a signed chunk is larger than ${MAX_SIGNED_CHUNK_BYTES} bytes`);
    } else if (extensions.length > 0) {
      throw fail('InvalidArgument', 'an unsigned chunk carries a chunk extension');
    }
    if (remaining === 0) {
      if (options.chain) verifyChunk(EMPTY_SHA256);
      state = 'trailer';
      return;
    }
    state = 'data';
    held = [];
    chunkHash = sha256.create();
  }

  function readTrailerLine(line: string): void {
    if (line !== '') {
      const colon = line.indexOf(':');
      if (colon <= 0) throw fail('InvalidArgument', 'a trailer line is not name:value');
      trailers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
      return;
    }
    finishTrailer();
    state = 'done';
  }

  function finishTrailer(): void {
    let signatureLine: string | undefined;
    let signedText = '';
    const seen = new Set<string>();
    for (const [name, value] of trailers) {
      if (name === 'x-amz-trailer-signature' && options.signedTrailer) {
        signatureLine = value;
        continue;
      }
      const checksum = announced.get(name);
      if (!checksum || seen.has(name)) throw fail('InvalidArgument', `the trailer ${name} was not announced in x-amz-trailer`);
      seen.add(name);
      signedText += `${name}:${value}\n`;
      if (!constantTimeEqual(toBase64(checksum.digest()), value)) throw new SignatureFailure('BadDigest', `the ${name} of the body does not match its trailer`);
    }
    if (seen.size !== announced.size) throw fail('IncompleteBody', 'a trailer announced in x-amz-trailer is missing');
    if (options.signedTrailer) {
      const chain = options.chain!;
      if (signatureLine === undefined) throw new SignatureFailure('SignatureDoesNotMatch', 'the trailer has no x-amz-trailer-signature');
      const expected = toHex(
        hmacSha256(chain.key, `AWS4-HMAC-SHA256-TRAILER\n${chain.timestamp}\n${chain.scope}\n${previousSignature}\n${sha256Hex(signedText)}`),
      );
      if (!constantTimeEqual(expected, signatureLine)) throw new SignatureFailure('SignatureDoesNotMatch', 'the trailer signature does not match');
    }
    if (options.decodedLength !== undefined && decoded !== options.decodedLength) {
      throw fail('IncompleteBody', `the body decoded to ${decoded} bytes, x-amz-decoded-content-length says ${options.decodedLength}`);
    }
  }

  function take(bytes: Uint8Array, controller: TransformStreamDefaultController<Uint8Array>): void {
    let offset = 0;
    while (offset < bytes.length) {
      if (state === 'done') throw fail('InvalidArgument', 'bytes follow the end of the chunked body');
      if (state === 'data') {
        const piece = bytes.subarray(offset, offset + remaining);
        offset += piece.length;
        remaining -= piece.length;
        decoded += piece.length;
        for (const checksum of announced.values()) checksum.update(piece);
        if (options.chain) {
          chunkHash.update(piece);
          held.push(piece.slice());
        } else {
          controller.enqueue(piece.slice());
        }
        if (remaining === 0) {
          if (options.chain) {
            verifyChunk(toHex(chunkHash.digest()));
            for (const verified of held) controller.enqueue(verified);
            held = [];
          }
          state = 'data-end';
        }
        continue;
      }
      if (state === 'data-end') {
        const needed = 2 - carry.length;
        const part = bytes.subarray(offset, offset + needed);
        offset += part.length;
        carry = concat(carry, part);
        if (carry.length < 2) continue;
        if (carry[0] !== CRLF[0] || carry[1] !== CRLF[1]) throw fail('InvalidArgument', 'a chunk does not end with CRLF');
        carry = new Uint8Array(0);
        state = 'size';
        continue;
      }
      // A line: the size line of a chunk, or a trailer line.
      const newline = bytes.indexOf(0x0a, offset);
      const end = newline === -1 ? bytes.length : newline + 1;
      carry = concat(carry, bytes.subarray(offset, end));
      offset = end;
      if (carry.length > MAX_LINE_BYTES) throw fail('InvalidArgument', 'a chunk header line is too long');
      if (newline === -1) continue;
      if (carry.length < 2 || carry[carry.length - 2] !== CRLF[0]) throw fail('InvalidArgument', 'a chunk header line does not end with CRLF');
      const line = new TextDecoder().decode(carry.subarray(0, carry.length - 2));
      carry = new Uint8Array(0);
      if (state === 'size') readSizeLine(line);
      else readTrailerLine(line);
    }
  }

  return new TransformStream({
    transform(bytes, controller) {
      take(bytes, controller);
    },
    flush() {
      if (state !== 'done') throw fail('IncompleteBody', 'the chunked body ended before its final chunk');
    },
  });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

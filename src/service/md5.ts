import { md5 } from '@noble/hashes/legacy.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

/** An incremental MD5, as node:crypto's `createHash('md5')` and @noble/hashes' `md5.create()` both are. */
export interface Md5 {
  update(bytes: Uint8Array): unknown;
  digest(): Uint8Array;
}

/** Where a host's MD5 comes from: node:crypto on Node (native), @noble/hashes elsewhere. */
export type Md5Factory = () => Md5;

/** Runs on every host; the Workers runtime has no MD5 in WebCrypto. */
export const portableMd5: Md5Factory = () => md5.create();

/** A pass-through stream that hashes what passes; `etag()` is the hex MD5 once the stream has ended. */
export function md5Etag(createMd5: Md5Factory): { stream: TransformStream<Uint8Array, Uint8Array>; etag: () => string } {
  const hash = createMd5();
  let etag: string | undefined;
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      hash.update(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      etag = bytesToHex(hash.digest());
    },
  });
  return {
    stream,
    etag: () => {
      if (etag === undefined) throw new Error('the ETag of a body is known only once the body has ended');
      return etag;
    },
  };
}

const HEX_MD5 = /^[0-9a-f]{32}$/;

/**
 * S3's ETag of a multipart object: the MD5 of the parts' binary MD5s, then
 * `-` and the number of parts. Undefined when a part's ETag is not an MD5
 * (a part staged before the gateway computed them).
 */
export function multipartEtag(createMd5: Md5Factory, partEtags: readonly string[]): string | undefined {
  if (!partEtags.every((etag) => HEX_MD5.test(etag))) return undefined;
  const hash = createMd5();
  for (const etag of partEtags) hash.update(hexToBytes(etag));
  return `${bytesToHex(hash.digest())}-${partEtags.length}`;
}

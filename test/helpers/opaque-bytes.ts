import { seededRandom } from './inspect-stream.ts';

/** Opaque bytes (random, as encrypted or compressed data look) that put media off the start of decoded base64 or hex. */
const random = seededRandom(20261203);
export const OPAQUE_PREFIX = Uint8Array.from({ length: 1024 }, () => Math.floor(random() * 256));
/** Longer than the decoded start that tells opaque bytes from content (src/media/opaque.ts). */
export const LONG_OPAQUE_PREFIX = Uint8Array.from({ length: 20 * 1024 }, () => Math.floor(random() * 256));

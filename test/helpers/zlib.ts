import * as zlib from 'node:zlib';
import { Duplex } from 'node:stream';
import type { DecoderPair } from '../../src/media/inspect.ts';

/** node:zlib with Uint8Array results, for building compressed test payloads. */
const bytes = (buffer: Buffer): Uint8Array => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);

export const gzipSync = (data: Uint8Array): Uint8Array => bytes(zlib.gzipSync(data));
export const deflateSync = (data: Uint8Array): Uint8Array => bytes(zlib.deflateSync(data));
export const deflateRawSync = (data: Uint8Array): Uint8Array => bytes(zlib.deflateRawSync(data));
export const zlibSync = (data: Uint8Array): Uint8Array => bytes(zlib.deflateSync(data));
export const brotliCompressSync = (data: Uint8Array): Uint8Array => bytes(zlib.brotliCompressSync(data));
export const crc32 = (data: Uint8Array): number => zlib.crc32(data);

/** A brotli decoder as the Node entry would inject it (DecompressionStream has no `br` on Node 20). */
export const brotliDecoder = (): DecoderPair => Duplex.toWeb(zlib.createBrotliDecompress()) as unknown as DecoderPair;

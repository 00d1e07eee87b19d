import { OPTIONAL_METADATA } from './metadata-fields.ts';
import type { FileHandle } from 'node:fs/promises';
import { StoreError } from './errors.ts';
import type { ObjectMetadata } from './types.ts';

/**
 * The file format of one fs-store object (Node only): the body bytes, then a
 * trailer holding the object's description as UTF-8 JSON, then 8 bytes: the
 * trailer's length (uint32, big-endian) and the magic `RPO1`.
 *
 * Body and metadata live in one file, so the single rename that publishes an
 * object publishes both: a reader can never see an object without its
 * metadata, or the metadata of one write with the bytes of another. Putting
 * the description last lets it carry the size and hash of a body that was
 * streamed to disk, without copying the body afterwards.
 */
export interface ObjectDescription {
  etag: string;
  lastModified: string;
  metadata: ObjectMetadata;
}

const MAGIC = Buffer.from('RPO1', 'ascii');
const FOOTER_BYTES = 8;
const READ_CHUNK_BYTES = 64 * 1024;

export function encodeTrailer(description: ObjectDescription): Buffer {
  const json = Buffer.from(JSON.stringify(description), 'utf8');
  const footer = Buffer.alloc(FOOTER_BYTES);
  footer.writeUInt32BE(json.length, 0);
  MAGIC.copy(footer, 4);
  return Buffer.concat([json, footer]);
}

export async function readDescription(handle: FileHandle): Promise<{ bodySize: number; description: ObjectDescription }> {
  const { size } = await handle.stat();
  const footer = await readExactly(handle, Math.max(size - FOOTER_BYTES, 0), FOOTER_BYTES);
  if (footer.length < FOOTER_BYTES || !footer.subarray(4).equals(MAGIC)) throw damaged();
  const trailerBytes = footer.readUInt32BE(0);
  const bodySize = size - FOOTER_BYTES - trailerBytes;
  if (bodySize < 0) throw damaged();
  const trailer = await readExactly(handle, bodySize, trailerBytes);
  let description: unknown;
  try {
    description = JSON.parse(trailer.toString('utf8'));
  } catch {
    throw damaged();
  }
  if (!isDescription(description)) throw damaged();
  return { bodySize, description };
}

/** The first `size` bytes of the file as a stream; the handle is closed when the stream ends, fails or is cancelled. */
export function bodyStream(handle: FileHandle, size: number): ReadableStream<Uint8Array> {
  let position = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const length = Math.min(READ_CHUNK_BYTES, size - position);
          if (length <= 0) {
            await handle.close();
            controller.close();
            return;
          }
          const chunk = await readExactly(handle, position, length);
          if (chunk.length < length) throw damaged();
          position += length;
          controller.enqueue(chunk);
        } catch (error) {
          await handle.close().catch(() => {});
          controller.error(error);
        }
      },
      async cancel() {
        await handle.close();
      },
    },
    { highWaterMark: 0 },
  );
}

async function readExactly(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

const damaged = () => new StoreError('failed', 'fs object file is damaged');

function isDescription(value: unknown): value is ObjectDescription {
  if (typeof value !== 'object' || value === null) return false;
  const { etag, lastModified, metadata } = value as Record<string, unknown>;
  if (typeof etag !== 'string' || typeof lastModified !== 'string') return false;
  if (typeof metadata !== 'object' || metadata === null) return false;
  const fields = metadata as Record<string, unknown>;
  const required = ['contentType', 'account', 'dataClass'].every((name) => typeof fields[name] === 'string');
  const { userMetadata } = fields;
  const userMetadataValid =
    userMetadata === undefined ||
    (typeof userMetadata === 'object' && userMetadata !== null && Object.values(userMetadata).every((entry) => typeof entry === 'string'));
  return required && userMetadataValid && OPTIONAL_METADATA.every((name) => fields[name] === undefined || typeof fields[name] === 'string');
}

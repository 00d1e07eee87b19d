import { createHash, randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, rename, rm, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { meterBody, putRejection } from './body.ts';
import { StoreError } from './errors.ts';
import { toStoreError } from './failure.ts';
import { locateObject, walkObjects } from './fs-layout.ts';
import { INCOMPLETE_DIRECTORY, removeLeftovers, TEMPORARY_PREFIX } from './fs-leftovers.ts';
import { bodyStream, encodeTrailer, readDescription, type ObjectDescription } from './fs-object-file.ts';
import { decodeCursor, encodeCursor, pageLimit } from './listing.ts';
import { completedMetadata, pickMetadata, reportedEtag } from './metadata-fields.ts';
import type { ObjectInfo, ObjectStore } from './types.ts';

/**
 * Objects as files under a root directory (Node only). Layout: ./fs-layout.ts;
 * file format (body, then metadata): ./fs-object-file.ts.
 *
 * A write streams the body into a temporary file under `<root>/.incomplete/`
 * (readers never look there), appends the metadata, fsyncs, creates the
 * object's directories and renames the file over the object: readers see the
 * old object or the new one, never part of one, and a write that fails
 * creates no directory named after its key. A write that fails or is aborted
 * removes its temporary file; one that dies with its process leaves it for
 * `removeIncomplete` (./fs-leftovers.ts), which hosts run at start-up and the
 * sweep on every run. Deleting an object also removes the directories it
 * leaves empty, so that key segments (which may name people) do not outlive
 * the data.
 */
export function createFsStore(options: { root: string }): ObjectStore {
  const root = resolve(options.root);
  const fail = (operation: string) => (error: unknown) => toStoreError(error, 'fs', operation);

  async function openObject(file: string): Promise<FileHandle | null> {
    try {
      return await open(file, 'r');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async function describe(key: string, file: string): Promise<ObjectInfo | null> {
    const handle = await openObject(file);
    if (!handle) return null;
    try {
      const { bodySize, description } = await readDescription(handle);
      return toInfo(key, bodySize, description);
    } finally {
      await handle.close();
    }
  }

  return {
    kind: 'fs',

    async put(key, body, metadata, putOptions = {}) {
      const { directories, file } = locateObject(root, key);
      const metered = meterBody(body, putOptions);
      let temporary: { path: string; handle: FileHandle } | undefined;
      try {
        temporary = await createTemporaryFile(join(root, INCOMPLETE_DIRECTORY));
        // The store's own ETag (an MD5) only where the caller brings none.
        const hash = putOptions.etag || metadata.etag !== undefined ? undefined : createHash('md5');
        const reader = metered.stream.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          hash?.update(value);
          await writeFully(temporary.handle, value);
        }
        const completed = pickMetadata(completedMetadata(metadata, putOptions));
        const description: ObjectDescription = {
          etag: hash?.digest('hex') ?? reportedEtag(completed, ''),
          lastModified: new Date().toISOString(),
          metadata: completed,
        };
        await writeFully(temporary.handle, encodeTrailer(description));
        await temporary.handle.sync();
        await temporary.handle.close();
        putOptions.signal?.throwIfAborted();
        await publish(temporary.path, file);
        temporary = undefined;
        await syncDirectory(directories.at(-1) ?? root);
        return { size: metered.bytes, etag: reportedEtag(description.metadata, description.etag) };
      } catch (error) {
        throw putRejection(metered, putOptions.signal, () => fail('put')(error));
      } finally {
        if (temporary) {
          await temporary.handle.close().catch(() => {});
          await rm(temporary.path, { force: true }).catch(() => {});
        }
      }
    },

    async get(key) {
      const { file } = locateObject(root, key);
      const handle = await openObject(file).catch((error: unknown) => {
        throw fail('get')(error);
      });
      if (!handle) return null;
      try {
        const { bodySize, description } = await readDescription(handle);
        return { info: toInfo(key, bodySize, description), body: bodyStream(handle, bodySize) };
      } catch (error) {
        await handle.close().catch(() => {});
        throw fail('get')(error);
      }
    },

    async head(key) {
      return describe(key, locateObject(root, key).file).catch((error: unknown) => {
        throw fail('head')(error);
      });
    },

    async delete(key) {
      const { directories, file } = locateObject(root, key);
      try {
        await unlink(file);
      } catch (error) {
        if (isMissing(error)) return false;
        throw fail('delete')(error);
      }
      await removeEmptyDirectories(directories);
      return true;
    },

    async list(prefix, listOptions = {}) {
      const limit = pageLimit(listOptions.limit);
      const after = listOptions.cursor === undefined ? undefined : decodeCursor(listOptions.cursor);
      try {
        const items: ObjectInfo[] = [];
        let more = false;
        for await (const found of walkObjects(root, prefix, after)) {
          if (items.length === limit) {
            more = true;
            break;
          }
          // An object deleted since the directory was read is simply not listed.
          const info = await describe(found.key.toString('utf8'), found.file);
          if (info) items.push(info);
        }
        const last = items.at(-1);
        return more && last ? { items, cursor: encodeCursor(last.key) } : { items };
      } catch (error) {
        throw fail('list')(error);
      }
    },

    removeIncomplete: (idleSince) =>
      removeLeftovers(root, idleSince).catch((error: unknown) => {
        throw fail('removeIncomplete')(error);
      }),

    async probe() {
      try {
        await mkdir(root, { recursive: true });
        await access(root, constants.R_OK | constants.W_OK);
        return null;
      } catch {
        throw new StoreError('unavailable', 'fs store root is not a writable directory');
      }
    },
  };
}

async function createTemporaryFile(directory: string): Promise<{ path: string; handle: FileHandle }> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, `${TEMPORARY_PREFIX}${randomUUID()}`);
  return { path, handle: await open(path, 'wx') };
}

/** Moves a finished temporary file over the object, creating its directories; retried because a concurrent delete may remove an empty directory in between. */
async function publish(temporary: string, file: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await mkdir(dirname(file), { recursive: true });
    try {
      await rename(temporary, file);
      return;
    } catch (error) {
      if (!isMissing(error) || attempt === 3) throw error;
    }
  }
}

async function writeFully(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.byteLength) {
    const result = await handle.write(bytes, written, bytes.byteLength - written);
    written += result.bytesWritten;
  }
}

/** Makes a rename durable. Best effort: some platforms cannot open a directory for fsync. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => {});
  await handle.close();
}

/** Removes the object's directories from the deepest up, stopping at the first one that is not empty. */
async function removeEmptyDirectories(directories: string[]): Promise<void> {
  for (const directory of [...directories].reverse()) {
    try {
      await rmdir(directory);
    } catch {
      return;
    }
  }
}

function toInfo(key: string, size: number, { etag, lastModified, metadata }: ObjectDescription): ObjectInfo {
  return { key, size, etag: reportedEtag(metadata, etag), lastModified, metadata: pickMetadata(metadata) };
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

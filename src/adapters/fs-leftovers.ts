import { readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What writes of the fs store leave behind when their process dies (Node
 * only): temporary files under `<root>/.incomplete/`, and, from versions
 * that wrote them beside the object, `.tmp-*` files inside the key's own
 * directories, which then stay named after the data.
 */
export const INCOMPLETE_DIRECTORY = '.incomplete';
export const TEMPORARY_PREFIX = '.tmp-';

/**
 * Removes temporary files not written to since before `idleSince` (a live
 * write touches its file with every chunk), then every directory left empty.
 * Returns the number of files removed.
 */
export async function removeLeftovers(root: string, idleSince: Date): Promise<number> {
  let removed = 0;
  const visit = async (directory: string): Promise<void> => {
    const entries = await readdir(directory, { withFileTypes: true }).catch(ignoreMissing([]));
    for (const entry of entries) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        await visit(path);
        // A directory a live write has just created is refilled by its retry (see publish in ./fs.ts).
        if (entry.name !== INCOMPLETE_DIRECTORY) await rmdir(path).catch(() => {});
      } else if (entry.name.startsWith(TEMPORARY_PREFIX)) {
        const info = await stat(path).catch(ignoreMissing(null));
        if (info && info.mtimeMs < idleSince.getTime() && (await unlink(path).then(() => true, ignoreMissing(false)))) removed += 1;
      }
    }
  };
  await visit(root);
  return removed;
}

function ignoreMissing<T>(fallback: T): (error: unknown) => T {
  return (error) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw error;
  };
}

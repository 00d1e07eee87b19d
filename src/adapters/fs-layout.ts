import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from './errors.ts';

/**
 * How the fs store lays keys out under its root (Node only).
 *
 * Each `/`-separated segment of a key is one path component, encoded so the
 * file system cannot misread it: the bytes a-z, 0-9, `_` and `-` stay, every
 * other byte of the UTF-8 key becomes `%xx` (lowercase hex). Upper-case
 * letters are encoded too, so keys that differ only in case never collide on
 * a case-insensitive file system (macOS, Windows), and `.`, `..`, `\` or
 * control characters can never reach a path: no key escapes the root.
 *
 * A segment followed by more of the key is a directory named with the suffix
 * `.d`, so key `a` (file `a`) and keys under `a/` (directory `a.d`) coexist.
 * An encoded segment longer than NAME_LIMIT is cut into directories with the
 * suffix `.c` ("continued"), which keeps every name under the 255-byte limit
 * of common file systems for keys of any length. The encoding never produces
 * a name starting with `.`: those are the store's temporary files, which
 * readers never see.
 */
const NAME_LIMIT = 240;
const DIRECTORY = '.d';
const CONTINUED = '.c';
const SLASH = 0x2f;

const isKept = (byte: number) => (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x5f || byte === 0x2d;

function encodeSegment(bytes: Buffer): string {
  let encoded = '';
  for (const byte of bytes) {
    encoded += isKept(byte) ? String.fromCharCode(byte) : `%${byte.toString(16).padStart(2, '0')}`;
  }
  return encoded;
}

function decodeStem(stem: string): Buffer | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < stem.length; i++) {
    const char = stem.charCodeAt(i);
    if (char === 0x25) {
      const hex = stem.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (isKept(char)) {
      bytes.push(char);
    } else {
      return undefined;
    }
  }
  return Buffer.from(bytes);
}

/** Cuts an encoded segment into names of at most NAME_LIMIT + 2 characters, never inside a `%xx`. */
function cutLongSegment(encoded: string): string[] {
  const pieces: string[] = [];
  let rest = encoded;
  while (rest.length > NAME_LIMIT) {
    let cut = 0;
    while (cut < NAME_LIMIT) cut += rest[cut] === '%' ? 3 : 1;
    if (cut >= rest.length) break;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  pieces.push(rest);
  return pieces;
}

export interface ObjectLocation {
  /** The directories holding the object, from the root's child down to its own directory. */
  directories: string[];
  file: string;
}

export function locateObject(root: string, key: string): ObjectLocation {
  const segments = splitSegments(Buffer.from(key, 'utf8'));
  if (segments.some((segment) => segment.length === 0)) {
    throw new StoreError('failed', 'fs store cannot hold a key with an empty segment');
  }
  const names: string[] = [];
  segments.forEach((segment, index) => {
    const pieces = cutLongSegment(encodeSegment(segment));
    const last = pieces.pop() ?? '';
    names.push(...pieces.map((piece) => piece + CONTINUED));
    names.push(index === segments.length - 1 ? last : last + DIRECTORY);
  });
  const directories: string[] = [];
  let path = root;
  for (const name of names.slice(0, -1)) {
    path = join(path, name);
    directories.push(path);
  }
  return { directories, file: join(path, names.at(-1) ?? '') };
}

function splitSegments(bytes: Buffer): Buffer[] {
  const segments: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === SLASH) {
      segments.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  return segments;
}

export interface FoundObject {
  /** The key as UTF-8 bytes. */
  key: Buffer;
  file: string;
}

interface Range {
  prefix: Buffer;
  /** Only keys strictly after this one. */
  after: Buffer | undefined;
}

/** A directory entry and the bytes every key beneath it starts with. */
interface Entry {
  path: string;
  lowerBound: Buffer;
  isFile: boolean;
}

/**
 * The objects under `root` whose keys start with `prefix` and sort after
 * `after`, in UTF-8 byte order (the order S3 lists in), found lazily: only
 * directories that can hold such keys are read, and only as far as the
 * caller consumes.
 */
export function walkObjects(root: string, prefix: string, after: string | undefined): AsyncGenerator<FoundObject> {
  const range: Range = { prefix: Buffer.from(prefix, 'utf8'), after: after === undefined ? undefined : Buffer.from(after, 'utf8') };
  return walkDirectory(root, Buffer.alloc(0), range);
}

/**
 * Keys under one directory, merged from its entries in order. Entries are
 * taken up by the bytes their keys start with; since a `.c` directory's keys
 * may sort on both sides of a sibling's, the entries are merged like sorted
 * runs: an entry is opened only once no key already at hand sorts before
 * everything it may hold.
 */
async function* walkDirectory(directory: string, base: Buffer, range: Range): AsyncGenerator<FoundObject> {
  const entries = (await readEntries(directory, base)).filter((entry) => mayHoldKeysIn(entry, range));
  entries.sort((a, b) => Buffer.compare(a.lowerBound, b.lowerBound));
  const open: Array<{ head: FoundObject; rest?: AsyncGenerator<FoundObject> }> = [];
  const enqueue = (run: { head: FoundObject; rest?: AsyncGenerator<FoundObject> }) => {
    const at = open.findIndex((other) => Buffer.compare(run.head.key, other.head.key) < 0);
    open.splice(at === -1 ? open.length : at, 0, run);
  };
  let next = 0;
  for (;;) {
    for (let entry = entries[next]; entry && (open.length === 0 || Buffer.compare(entry.lowerBound, open[0]!.head.key) <= 0); entry = entries[++next]) {
      if (entry.isFile) {
        enqueue({ head: { key: entry.lowerBound, file: entry.path } });
      } else {
        const rest = walkDirectory(entry.path, entry.lowerBound, range);
        const first = await rest.next();
        if (!first.done) enqueue({ head: first.value, rest });
      }
    }
    const run = open.shift();
    if (!run) return;
    yield run.head;
    const following = await run.rest?.next();
    if (following && !following.done) enqueue({ head: following.value, rest: run.rest });
  }
}

async function readEntries(directory: string, base: Buffer): Promise<Entry[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: Entry[] = [];
  for (const name of names) {
    const suffix = name.endsWith(DIRECTORY) ? DIRECTORY : name.endsWith(CONTINUED) ? CONTINUED : '';
    const decoded = decodeStem(name.slice(0, name.length - suffix.length));
    if (!decoded || decoded.length === 0) continue; // temporary files and anything not written by this store
    const lowerBound = Buffer.concat(suffix === DIRECTORY ? [base, decoded, Buffer.of(SLASH)] : [base, decoded]);
    entries.push({ path: join(directory, name), lowerBound, isFile: suffix === '' });
  }
  return entries;
}

function mayHoldKeysIn(entry: Entry, { prefix, after }: Range): boolean {
  const bound = entry.lowerBound;
  if (entry.isFile) return startsWith(bound, prefix) && (after === undefined || Buffer.compare(bound, after) > 0);
  const meetsPrefix = startsWith(bound, prefix) || startsWith(prefix, bound);
  const allBeforeCursor = after !== undefined && Buffer.compare(bound, after) < 0 && !startsWith(after, bound);
  return meetsPrefix && !allBeforeCursor;
}

const startsWith = (bytes: Buffer, prefix: Buffer) => bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);

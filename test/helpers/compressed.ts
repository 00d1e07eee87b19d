import { readFileSync } from 'node:fs';

/**
 * Files compressed by the real tools (bzip2, xz, tar, Python's zipfile),
 * committed under test/fixtures/compressed/ and made by
 * scripts/make-fixtures-compressed.ts: `<content name>.<format>`.
 */
export const COMPRESSED_FORMATS = ['bz2', 'xz', 'lzma', 'tar.bz2', 'tar.xz', 'bz2.xz', 'xz.bz2', 'bzip2.zip', 'lzma.zip'] as const;
export type CompressedFormat = (typeof COMPRESSED_FORMATS)[number];

/** The member a tar fixture holds before the content, as the `.tar.gz member` wrapping does. */
export const TAR_NOTES = { name: 'notes.txt', text: 'visitor notes\n' };

const DIR = new URL('../fixtures/compressed/', import.meta.url);

/** A committed fixture: `name` compressed as `format`, or one of the special cases by its file name. */
export const compressed = (name: string, format?: CompressedFormat): Uint8Array =>
  new Uint8Array(readFileSync(new URL(format ? `${name}.${format}` : name, DIR)));

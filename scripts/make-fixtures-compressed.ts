/**
 * Regenerates test/fixtures/compressed/: the matrix's media and benign
 * contents compressed by the real tools, and the special cases the bzip2,
 * xz and lzma tests need. The committed files are what the tests use; CI
 * never runs this script.
 *
 * Needs Debian's bzip2, xz-utils, tar, python3 and p7zip-full:
 *   node --import tsx scripts/make-fixtures-compressed.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TAR_NOTES } from '../test/helpers/compressed.ts';
import { BENIGN_CONTENT, MATRIX_MEDIA } from '../test/helpers/layers-wrappings.ts';

const out = new URL('../test/fixtures/compressed/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'compressed-'));
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const run = (command: string, args: string[], input?: Uint8Array): Buffer => execFileSync(command, args, { cwd: work, input, maxBuffer: 1 << 30 });
const save = (name: string, bytes: Uint8Array): void => writeFileSync(join(out, name), bytes);
const bzip2 = (bytes: Uint8Array, ...options: string[]): Buffer => run('bzip2', ['-c', ...options], bytes);
const xz = (bytes: Uint8Array, ...options: string[]): Buffer => run('xz', ['-c', '-T1', ...options], bytes);

/** A reproducible ustar archive of the notes and the file. */
function tar(name: string, bytes: Uint8Array): Buffer {
  const dir = join(work, 'tar');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  writeFileSync(join(dir, TAR_NOTES.name), TAR_NOTES.text);
  writeFileSync(join(dir, name), bytes);
  return run('tar', ['--format=ustar', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', dir, '-cf', '-', TAR_NOTES.name, name]);
}

/** A ZIP written by Python's zipfile (to a file, so sizes are in the local header) with one member compressed by `method` (ZIP_BZIP2 or ZIP_LZMA). */
function pythonZip(name: string, bytes: Uint8Array, method: 'ZIP_BZIP2' | 'ZIP_LZMA'): Buffer {
  writeFileSync(join(work, 'member'), bytes);
  const script = `import io, sys, zipfile
out = io.BytesIO()
with zipfile.ZipFile(out, 'w', zipfile.${method}) as z:
    info = zipfile.ZipInfo(sys.argv[1], date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.${method}
    z.writestr(info, open('member', 'rb').read())
sys.stdout.buffer.write(out.getvalue())`;
  return run('python3', ['-c', script, name]);
}

for (const file of [...MATRIX_MEDIA, ...BENIGN_CONTENT]) {
  save(`${file.name}.bz2`, bzip2(file.bytes));
  save(`${file.name}.xz`, xz(file.bytes));
  save(`${file.name}.lzma`, xz(file.bytes, '--format=lzma'));
  save(`${file.name}.tar.bz2`, bzip2(tar(file.name, file.bytes)));
  save(`${file.name}.tar.xz`, xz(tar(file.name, file.bytes)));
  save(`${file.name}.bz2.xz`, xz(bzip2(file.bytes)));
  save(`${file.name}.xz.bz2`, bzip2(xz(file.bytes)));
  save(`${file.name}.bzip2.zip`, pythonZip(file.name, file.bytes, 'ZIP_BZIP2'));
  save(`${file.name}.lzma.zip`, pythonZip(file.name, file.bytes, 'ZIP_LZMA'));
}

const notes = BENIGN_CONTENT.find((file) => file.name === 'notes.txt')!.bytes;
const zeros = new Uint8Array(64 * 1024 * 1024);
// several xz blocks, each padded to four bytes, with every check type
save('notes-blocks.xz', xz(notes, '--block-size=700'));
save('notes-check-none.xz', xz(notes, '--check=none'));
save('notes-check-crc32.xz', xz(notes, '--check=crc32'));
save('notes-check-sha256.xz', xz(notes, '--check=sha256'));
// multi-threaded xz writes the sizes in each block header
save('notes-sizes.xz', run('xz', ['-c', '-T2', '--block-size=1000'], notes));
// a BCJ filter before LZMA2, which this decoder does not undo
save('notes-x86.xz', xz(notes, '--x86', '--lzma2'));
// a 64 MiB dictionary, without the sizes that would make it smaller
save('notes-dict64m.xz', xz(notes, '-9'));
save('notes-dict64m.lzma', xz(notes, '-9', '--format=lzma'));
// 7-Zip's LZMA member without an end marker: the size in its local header ends it
writeFileSync(join(work, 'notes.txt'), notes);
utimesSync(join(work, 'notes.txt'), new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
run('7z', ['a', '-tzip', '-mm=LZMA', '-meos=off', 'no-end-marker.zip', 'notes.txt']);
save('notes-no-end-marker.lzma.zip', readFileSync(join(work, 'no-end-marker.zip')));
// bombs: 64 MiB of zeros in a few hundred bytes (bzip2) or a few KiB (xz, lzma)
save('zeros.bz2', bzip2(zeros, '-9'));
save('zeros.xz', xz(zeros));
save('zeros.lzma', xz(zeros, '--format=lzma'));
rmSync(work, { recursive: true, force: true });

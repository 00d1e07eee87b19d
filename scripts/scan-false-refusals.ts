/**
 * Streams every regular file under the given paths through the media
 * inspector, as an `application/octet-stream` body in 64 KiB chunks, and
 * reports the ones it refuses. Meant for a whole system's programs and shared
 * libraries, none of which is media: every refusal is a false one. Not part of
 * the test suite (it reads the machine it runs on); the committed benign
 * corpus under test/fixtures/benign/ holds samples of what it finds.
 *
 *   node --import tsx scripts/scan-false-refusals.ts <file or directory>...
 *
 * Prints one line per refused file and a JSON summary with the inspector's
 * throughput on these bodies (per second of CPU time: steadier than the
 * wall clock on a shared machine).
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInspection } from '../src/media/inspect.ts';

const CHUNK = 64 * 1024;
/** Larger files are left out: the point is many different binaries, not a few huge ones. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

function* regularFiles(path: string): Generator<string> {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat) return;
  if (stat.isDirectory()) {
    for (const name of readdirSync(path).sort()) yield* regularFiles(join(path, name));
  } else if (stat.isFile() && stat.size > 0 && stat.size <= MAX_FILE_BYTES) {
    yield path;
  }
}

async function refusalOf(bytes: Uint8Array): Promise<string | null> {
  const inspection = createInspection({ contentType: 'application/octet-stream', contentEncoding: '', embeddedMedia: 'refuse' });
  const writer = inspection.stream.writable.getWriter();
  const reader = inspection.stream.readable.getReader();
  const drained = (async () => {
    while (!(await reader.read()).done);
  })();
  try {
    for (let at = 0; at < bytes.length; at += CHUNK) await writer.write(bytes.subarray(at, at + CHUNK));
    await writer.close();
    await drained;
    return null;
  } catch (error) {
    await drained.catch(() => undefined);
    return error instanceof Error ? error.message : String(error);
  }
}

const paths = process.argv.slice(2);
if (paths.length === 0) {
  console.error('usage: scan-false-refusals.ts <file or directory>...');
  process.exit(2);
}

let files = 0;
let refused = 0;
let bytes = 0;
let seconds = 0;
for (const root of paths) {
  for (const file of regularFiles(root)) {
    const content = new Uint8Array(readFileSync(file));
    const cpuBefore = process.cpuUsage();
    const refusal = await refusalOf(content);
    const cpu = process.cpuUsage(cpuBefore);
    seconds += (cpu.user + cpu.system) / 1e6;
    files++;
    bytes += content.length;
    if (refusal) {
      refused++;
      console.log(`${file}: ${refusal}`);
    }
  }
}
console.log(JSON.stringify({ files, refused, mebibytes: Math.round(bytes / 2 ** 20), inspectCpuMBps: Math.round(bytes / 1e6 / seconds) }));

import { uninspectable } from '../context.ts';
import { delimiterAt, MAX_PART_HEADER_BYTES } from '../multipart.ts';
import { entryDecoder, localHeaderAt } from '../zip.ts';
import type { ScanCore } from './core.ts';
import { zipEntryTap } from './taps.ts';

/**
 * Content of its own inside the content: multipart parts and ZIP entries.
 * Where one starts, the signatures that count where content starts apply;
 * a deflated ZIP entry is inflated into a nested scanner.
 */
export class PartsAndEntries {
  private parts = 0;

  constructor(private readonly core: ScanCore) {}

  /** A multipart delimiter line may start at index `p` (right after a line break, or at the start). */
  delimiter(p: number): void {
    const { window, settings, verdicts, contentStarts } = this.core;
    const found = delimiterAt(window.bytes, p, window.length, settings.boundary!);
    if (!found || found.kind === 'close') return;
    const part = ++this.parts;
    if (found.kind === 'headers-too-long') {
      return verdicts.refuse(uninspectable(`the headers of multipart part ${part} are longer than ${MAX_PART_HEADER_BYTES} bytes and cannot be inspected`));
    }
    if (found.declared) verdicts.found(found.declared, `declared for multipart part ${part}`, window.abs(p));
    contentStarts.add(window.abs(found.bodyStart), `in multipart part ${part}`);
  }

  /** A ZIP local file header may start at index `p`. */
  zipEntry(p: number): void {
    const { window, settings, verdicts, taps, contentStarts } = this.core;
    const entry = localHeaderAt(window.bytes, p, window.length);
    if (!entry) return;
    taps.closeZipEntry();
    const where = `ZIP entry ${JSON.stringify(entry.name)} ${settings.locate(window.abs(p))}`;
    const decoder = entryDecoder(entry);
    if (entry.encrypted || (entry.method !== 0 && !decoder)) {
      const why = entry.encrypted ? 'is encrypted' : `uses compression method ${entry.method}`;
      return verdicts.refuse(uninspectable(`${where} ${why} and cannot be inspected`));
    }
    const dataStart = window.abs(entry.dataStart);
    if (!decoder) return contentStarts.add(dataStart, `in ${where}`);
    taps.openZipEntry(
      zipEntryTap(
        dataStart,
        entry.compressedSize,
        decoder,
        this.core.layers.target(where, (offset) => `at byte ${offset} of ${where}`),
      ),
    );
  }
}

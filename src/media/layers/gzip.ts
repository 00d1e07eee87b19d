import { Inflater } from './inflate.ts';
import type { LayerKind, LayerOutput, LayerStream } from './layer.ts';

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const RESERVED_FLAGS = 0xe0;
const FIXED_HEADER = 10;
const TRAILER = 8;
const MAX_FIELD_PIECE = 64 * 1024;

/** `1f 8b 08`, no reserved flag, a known XFL and OS: ten bytes that text and random data rarely spell. */
function isMemberHeader(b: Uint8Array, at: number, end: number): boolean {
  if (at + FIXED_HEADER > end || b[at] !== 0x1f || b[at + 1] !== 0x8b || b[at + 2] !== 0x08) return false;
  const xfl = b[at + 8]!;
  const os = b[at + 9]!;
  return (b[at + 3]! & RESERVED_FLAGS) === 0 && (xfl === 0 || xfl === 2 || xfl === 4) && (os <= 13 || os === 255);
}

type State = 'header' | 'extra-length' | 'extra' | 'name' | 'comment' | 'header-crc' | 'deflate' | 'trailer' | 'between';

/**
 * A gzip file: every member in turn (RFC 1952 allows any number), each
 * header's FEXTRA, FNAME and FCOMMENT fields handed on as content of their
 * own (FEXTRA alone can carry 64 KiB), and where the last member ended.
 */
export class GzipStream implements LayerStream {
  endedAt = -1;
  private state: State = 'header';
  private flags = 0;
  /** Bytes still expected in a fixed-size state, and the field being gathered. */
  private needed = FIXED_HEADER;
  private gathered: number[] = [];
  private inflater: Inflater | null = null;
  private offset = 0;
  private members = 0;
  /** Input offset of the member header being read. */
  private headerStart = 0;

  constructor(private readonly output: LayerOutput) {}

  write(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && this.endedAt < 0) {
      if (this.state === 'deflate') {
        i += this.inflater!.write(chunk.subarray(i));
        if (this.inflater!.endedAt >= 0) this.enter('trailer', TRAILER);
        continue;
      }
      if (this.state === 'between') {
        if (chunk[i] !== 0x1f) {
          this.endedAt = this.offset + i;
          break;
        }
        this.enter('header', FIXED_HEADER);
        this.headerStart = this.offset + i;
      }
      const byte = chunk[i++]!;
      this.take(byte);
    }
    this.offset += chunk.length;
  }

  finish(): void {
    if (this.state === 'between' || this.endedAt >= 0) return;
    // the start of a header after the last member: bytes that are not another member
    if (this.state === 'header' && this.members > 0) this.endedAt = this.headerStart;
    else throw new Error('the gzip data is truncated');
  }

  private enter(state: State, needed = 0): void {
    this.state = state;
    this.needed = needed;
    this.gathered = [];
  }

  /** One byte of a header, field or trailer. */
  private take(byte: number): void {
    const gathered = this.gathered;
    if (this.state === 'name' || this.state === 'comment') {
      if (byte !== 0) {
        gathered.push(byte);
        // a name or comment has no length limit: long ones are handed on in pieces, never held whole
        if (gathered.length === MAX_FIELD_PIECE) this.output.field(this.state === 'name' ? 'FNAME' : 'FCOMMENT', Uint8Array.from(gathered.splice(0)));
        return;
      }
      this.output.field(this.state === 'name' ? 'FNAME' : 'FCOMMENT', Uint8Array.from(gathered));
      return this.afterField(this.state);
    }
    gathered.push(byte);
    if (gathered.length < this.needed) return;
    switch (this.state) {
      case 'header': {
        const header = Uint8Array.from(gathered);
        if (!isMemberHeader(header, 0, FIXED_HEADER)) {
          if (this.members === 0) throw new Error('not a gzip header');
          // what follows the last member is not another one: the gzip data ended there
          this.endedAt = this.headerStart;
          return;
        }
        this.members++;
        this.flags = header[3]!;
        return this.afterField('header');
      }
      case 'extra-length': {
        const length = gathered[0]! | (gathered[1]! << 8);
        if (length > 0) return this.enter('extra', length);
        return this.afterField('extra');
      }
      case 'extra':
        this.output.field('FEXTRA', Uint8Array.from(gathered));
        return this.afterField('extra');
      case 'header-crc':
        return this.startDeflate();
      case 'trailer':
        return this.enter('between');
    }
  }

  /** The next part of the header after `done`, in the order RFC 1952 puts them. */
  private afterField(done: 'header' | 'extra' | 'name' | 'comment'): void {
    const order = ['header', 'extra', 'name', 'comment'] as const;
    const flags = [0, FEXTRA, FNAME, FCOMMENT];
    for (let next = order.indexOf(done) + 1; next < order.length; next++) {
      if (!(this.flags & flags[next]!)) continue;
      if (next === 1) return this.enter('extra-length', 2);
      return this.enter(order[next] === 'name' ? 'name' : 'comment');
    }
    if (this.flags & FHCRC) return this.enter('header-crc', 2);
    this.startDeflate();
  }

  private startDeflate(): void {
    this.enter('deflate');
    this.inflater = new Inflater('raw', (bytes) => this.output.data(bytes));
  }
}

export const GZIP: LayerKind = {
  name: 'gzip',
  where: 'anywhere',
  first: [0x1f],
  second: [0x8b],
  recognise: (b, at, end) => isMemberHeader(b, at, end),
  open: (output) => new GzipStream(output),
};

/**
 * Custom masking patterns, matched in time linear in the text: a small
 * regular-expression syntax compiled to a Thompson NFA and simulated state
 * set by state set, so no pattern can backtrack catastrophically.
 *
 * Syntax: literals, `.`, `\d \D \w \W \s \S`, escaped punctuation, classes
 * `[a-z0-9_]` / `[^...]`, groups `(...)` / `(?:...)`, `|`, and the
 * quantifiers `* + ? {n} {n,} {n,m}`. Anchors, backreferences, lookarounds
 * and lazy quantifiers are refused. A match never starts right after, nor
 * ends right before, a letter, digit or `_`, and is at most `maxLength`
 * characters; the leftmost, then longest, match wins.
 */

export class PatternError extends Error {
  override readonly name = 'PatternError';
}

type CharTest = (code: number) => boolean;

type Node =
  | { type: 'char'; test: CharTest }
  | { type: 'concat'; items: Node[] }
  | { type: 'alt'; options: Node[] }
  | { type: 'repeat'; item: Node; min: number; max: number };

const UNBOUNDED = -1;
const MAX_STATES = 4_000;
const MAX_COUNT = 100;

const isDigit: CharTest = (c) => c >= 48 && c <= 57;
const isWord: CharTest = (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpace: CharTest = (c) => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0xfeff;
const not =
  (test: CharTest): CharTest =>
  (c) =>
    !test(c);
const CLASS_ESCAPES: Readonly<Record<string, CharTest>> = { d: isDigit, D: not(isDigit), w: isWord, W: not(isWord), s: isSpace, S: not(isSpace) };
const LITERAL_ESCAPES = new Set([...'\\.^$|?*+()[]{}/-_ :#@&%=,;!"\'<>~`']);

class Parser {
  #at = 0;
  constructor(readonly source: string) {}

  parse(): Node {
    const node = this.#alternation();
    if (this.#at < this.source.length) throw this.#error(`unexpected "${this.source[this.#at]}"`);
    return node;
  }

  #alternation(): Node {
    const options = [this.#sequence()];
    while (this.#peek() === '|') {
      this.#at += 1;
      options.push(this.#sequence());
    }
    return options.length === 1 ? (options[0] as Node) : { type: 'alt', options };
  }

  #sequence(): Node {
    const items: Node[] = [];
    while (this.#at < this.source.length && this.#peek() !== '|' && this.#peek() !== ')') items.push(this.#quantified(this.#atom()));
    if (items.length === 0) throw this.#error('empty alternative');
    return items.length === 1 ? (items[0] as Node) : { type: 'concat', items };
  }

  #quantified(item: Node): Node {
    const c = this.#peek();
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, UNBOUNDED];
    else if (c === '+') [min, max] = [1, UNBOUNDED];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') return this.#counted(item);
    else return item;
    this.#at += 1;
    return this.#noFurtherQuantifier({ type: 'repeat', item, min, max });
  }

  #counted(item: Node): Node {
    const match = /^\{(\d{1,3})(?:(,)(\d{1,3})?)?\}/.exec(this.source.slice(this.#at));
    if (!match) throw this.#error('a "{" must be a count such as {4} or {2,6}');
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] === undefined ? UNBOUNDED : Number(match[3]);
    if ((max !== UNBOUNDED && max < min) || min > MAX_COUNT || max > MAX_COUNT) throw this.#error(`counts go from 0 to ${MAX_COUNT}, the smaller first`);
    this.#at += match[0].length;
    return this.#noFurtherQuantifier({ type: 'repeat', item, min, max });
  }

  #noFurtherQuantifier(node: Node): Node {
    const c = this.#peek();
    if (c === '?') throw this.#error('lazy quantifiers are not supported (the longest match wins)');
    if (c === '*' || c === '+' || c === '{') throw this.#error('a quantifier cannot follow a quantifier');
    return node;
  }

  #atom(): Node {
    const c = this.source[this.#at++] as string;
    switch (c) {
      case '(': {
        if (this.source.startsWith('?:', this.#at)) this.#at += 2;
        else if (this.#peek() === '?') throw this.#error('lookarounds and named groups are not supported');
        const inner = this.#alternation();
        if (this.source[this.#at++] !== ')') throw this.#error('unclosed group');
        return inner;
      }
      case '[':
        return { type: 'char', test: this.#characterClass() };
      case '.':
        return { type: 'char', test: (code) => code !== 10 && code !== 13 };
      case '\\':
        return { type: 'char', test: this.#escape(false) };
      case '^':
      case '$':
        throw this.#error('anchors are not supported: a match is bounded by non-word characters already');
      case '*':
      case '+':
      case '?':
      case '{':
        throw this.#error(`"${c}" has nothing to repeat`);
      case ')':
      case '|':
        throw this.#error(`unexpected "${c}"`);
      default:
        return { type: 'char', test: literal(c.charCodeAt(0)) };
    }
  }

  #characterClass(): CharTest {
    const negated = this.#peek() === '^';
    if (negated) this.#at += 1;
    const tests: CharTest[] = [];
    let first = true;
    while (this.#at < this.source.length && (this.#peek() !== ']' || first)) {
      first = false;
      const low = this.#classMember();
      if (this.#peek() === '-' && this.source[this.#at + 1] !== ']' && this.#at + 1 < this.source.length) {
        this.#at += 1;
        const high = this.#classMember();
        if (typeof low !== 'number' || typeof high !== 'number' || high < low) throw this.#error('invalid range in a class');
        tests.push((code) => code >= low && code <= high);
      } else {
        tests.push(typeof low === 'number' ? literal(low) : low);
      }
    }
    if (this.source[this.#at++] !== ']') throw this.#error('unclosed "["');
    const inClass: CharTest = (code) => tests.some((test) => test(code));
    return negated ? not(inClass) : inClass;
  }

  /** A character code, or a class escape such as `\d`. */
  #classMember(): number | CharTest {
    const c = this.source[this.#at++] as string;
    if (c !== '\\') return c.charCodeAt(0);
    const escaped = this.#escape(true);
    return escaped;
  }

  #escape(inClass: boolean): CharTest {
    const c = this.source[this.#at++];
    if (c === undefined) throw this.#error('a pattern cannot end with "\\"');
    const classEscape = CLASS_ESCAPES[c];
    if (classEscape) return classEscape;
    if (LITERAL_ESCAPES.has(c)) return literal(c.charCodeAt(0));
    if (c === 'b' && !inClass) throw this.#error('\\b is not supported: a match is bounded by non-word characters already');
    throw this.#error(`unsupported escape "\\${c}"`);
  }

  #peek(): string | undefined {
    return this.source[this.#at];
  }

  #error(message: string): PatternError {
    return new PatternError(`at ${this.#at}: ${message}`);
  }
}

function literal(code: number): CharTest {
  return (c) => c === code;
}

/** An NFA: `char` states consume one character, `split` states branch without consuming. */
interface Program {
  tests: (CharTest | null)[];
  next: number[];
  /** Second branch of a split state, -1 otherwise. */
  alt: number[];
  start: number;
  accept: number;
}

class Builder {
  readonly tests: (CharTest | null)[] = [];
  readonly next: number[] = [];
  readonly alt: number[] = [];

  state(test: CharTest | null): number {
    if (this.tests.length >= MAX_STATES) throw new PatternError(`the pattern expands to more than ${MAX_STATES} states; use smaller counts`);
    this.tests.push(test);
    this.next.push(-1);
    this.alt.push(-1);
    return this.tests.length - 1;
  }

  /** Builds `node` so that it continues at `then`; returns its entry state. */
  build(node: Node, then: number): number {
    switch (node.type) {
      case 'char': {
        const state = this.state(node.test);
        this.next[state] = then;
        return state;
      }
      case 'concat':
        return node.items.reduceRight((next, item) => this.build(item, next), then);
      case 'alt': {
        let entry = this.build(node.options[node.options.length - 1] as Node, then);
        for (let i = node.options.length - 2; i >= 0; i -= 1) entry = this.split(this.build(node.options[i] as Node, then), entry);
        return entry;
      }
      case 'repeat': {
        let entry = then;
        if (node.max === UNBOUNDED) {
          const loop = this.split(-1, then);
          this.next[loop] = this.build(node.item, loop);
          entry = loop;
        } else {
          for (let i = node.min; i < node.max; i += 1) entry = this.split(this.build(node.item, entry), then);
        }
        for (let i = 0; i < node.min; i += 1) entry = this.build(node.item, entry);
        return entry;
      }
    }
  }

  split(first: number, second: number): number {
    const state = this.state(null);
    this.next[state] = first;
    this.alt[state] = second;
    return state;
  }
}

export interface CompiledPattern {
  /** The leftmost-longest match starting at or after `from`, of at most `maxLength` characters. */
  find(text: string, from: number): { start: number; end: number } | null;
}

export function compilePattern(source: string, maxLength: number): CompiledPattern {
  if (source.length === 0 || source.length > 512) throw new PatternError('a pattern is 1 to 512 characters');
  const builder = new Builder();
  const accept = builder.state(null);
  const start = builder.build(new Parser(source).parse(), accept);
  const program: Program = { tests: builder.tests, next: builder.next, alt: builder.alt, start, accept };
  if (canMatchEmpty(program)) throw new PatternError('the pattern matches empty text');
  return { find: (text, from) => simulate(program, text, from, maxLength) };
}

function canMatchEmpty(program: Program): boolean {
  const seen = new Set<number>();
  const stack = [program.start];
  while (stack.length > 0) {
    const state = stack.pop() as number;
    if (state === program.accept) return true;
    if (seen.has(state) || program.tests[state]) continue;
    seen.add(state);
    stack.push(program.next[state] as number, program.alt[state] as number);
  }
  return false;
}

const wordAt = (text: string, index: number): boolean => index >= 0 && index < text.length && isWord(text.charCodeAt(index));

/**
 * Pike-style simulation: one set of live states per position, each carrying
 * the earliest start that reaches it, so every character is looked at once
 * per state.
 */
function simulate(program: Program, text: string, from: number, maxLength: number): { start: number; end: number } | null {
  const size = program.tests.length;
  let current = new Int32Array(size).fill(-1);
  let next = new Int32Array(size).fill(-1);
  let live: number[] = [];
  let nextLive: number[] = [];
  let best: { start: number; end: number } | null = null;

  const add = (states: Int32Array, list: number[], state: number, start: number) => {
    const stack = [state];
    while (stack.length > 0) {
      const s = stack.pop() as number;
      if (states[s] !== -1 && (states[s] as number) <= start) continue;
      if (states[s] === -1) list.push(s);
      states[s] = start;
      if (program.tests[s] === null && s !== program.accept) stack.push(program.alt[s] as number, program.next[s] as number);
    }
  };

  for (let i = from; i <= text.length; i += 1) {
    if (best === null && !wordAt(text, i - 1)) add(current, live, program.start, i);
    const matchStart = current[program.accept] as number;
    if (matchStart !== -1 && i > matchStart && !wordAt(text, i) && (best === null || matchStart < best.start || (matchStart === best.start && i > best.end))) {
      best = { start: matchStart, end: i };
    }
    if (i === text.length) break;
    const code = text.charCodeAt(i);
    for (const state of live) {
      const start = current[state] as number;
      const test = program.tests[state];
      if (test && (best === null || start <= best.start) && i + 1 - start <= maxLength && test(code)) add(next, nextLive, program.next[state] as number, start);
      current[state] = -1;
    }
    [current, next] = [next, current];
    [live, nextLive] = [nextLive, []];
    if (best !== null && live.length === 0) break;
  }
  return best;
}

/**
 * JSON.parse lets the last of two equal member names win, so a token carrying
 * `"account_region":"GB","account_region":"US"` would be read as US by one
 * parser and GB by another. Tokens with duplicate member names are refused.
 */

export class DuplicateKeyError extends SyntaxError {
  override readonly name = 'DuplicateKeyError';
  constructor(readonly key: string) {
    super('JSON object has a duplicate member name');
  }
}

/** JSON.parse, but throws DuplicateKeyError when any object (at any depth) repeats a member name. */
export function parseStrictJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) throw new DuplicateKeyError(duplicate);
  return value;
}

/**
 * Scans text that JSON.parse accepted and returns the first repeated member
 * name of any object. Names are compared after unescaping, so `"a"` and
 * `"\u0061"` are the same name.
 */
function findDuplicateKey(validJson: string): string | undefined {
  // One entry per open container: the names seen so far for an object, null for an array.
  const open: Array<Set<string> | null> = [];
  let expectingName = false;

  for (let i = 0; i < validJson.length; i++) {
    switch (validJson[i]) {
      case '{':
        open.push(new Set());
        expectingName = true;
        break;
      case '[':
        open.push(null);
        break;
      case '}':
      case ']':
        open.pop();
        expectingName = false;
        break;
      case ',':
        expectingName = open.at(-1) instanceof Set;
        break;
      case '"': {
        const end = endOfString(validJson, i);
        if (expectingName) {
          const names = open.at(-1) as Set<string>;
          const name = JSON.parse(validJson.slice(i, end + 1)) as string;
          if (names.has(name)) return name;
          names.add(name);
          expectingName = false;
        }
        i = end;
        break;
      }
    }
  }
  return undefined;
}

/** Index of the quote closing the string that opens at `start`. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  throw new SyntaxError('unterminated string');
}

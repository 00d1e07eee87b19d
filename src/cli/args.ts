import { parseArgs } from 'node:util';

export interface Writer {
  write(text: string): unknown;
}

type OptionSpecs = Record<string, { type: 'string' | 'boolean' }>;

/** A boolean flag is `true` when given; a string option holds its value; either is absent when not given. */
export type OptionValues<O extends OptionSpecs> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? true : string };

export interface CommandSyntax<O extends OptionSpecs> {
  /** As typed after `residency-proxy`, e.g. `sweep`. */
  name: string;
  /** The whole `--help` text, starting with `usage: residency-proxy <name>`. */
  usage: string;
  options: O;
  /** How many positional arguments the command takes (none when absent) and what one is called in errors. */
  positionals?: { min: number; max: number; name: string };
}

export type ParsedCommandLine<O extends OptionSpecs> = { values: OptionValues<O>; positionals: string[] } | { exitCode: number };

/**
 * Parses a command's arguments. `--help`/`-h` anywhere prints the usage on
 * `out` (exit 0); an unknown option, a missing or unexpected value, or a
 * wrong number of arguments prints an error naming the offending argument
 * and the usage on `err` (exit 2).
 */
export function parseCommandLine<O extends OptionSpecs>(syntax: CommandSyntax<O>, argv: string[], out: Writer, err: Writer): ParsedCommandLine<O> {
  const { tokens } = parseArgs({
    args: argv,
    options: { ...syntax.options, help: { type: 'boolean', short: 'h' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  if (tokens.some((token) => token.kind === 'option' && token.name === 'help')) {
    out.write(syntax.usage);
    return { exitCode: 0 };
  }
  const values: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(syntax.options, token.name) ? syntax.options[token.name] : undefined;
    if (spec === undefined) return { exitCode: usageError(syntax, `unknown option ${token.rawName}`, err) };
    if (spec.type === 'boolean') {
      if (token.value !== undefined) return { exitCode: usageError(syntax, `${token.rawName} takes no value`, err) };
      values[token.name] = true;
    } else {
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))) {
        return { exitCode: usageError(syntax, `${token.rawName} needs a value (one that starts with "-" is written ${token.rawName}=VALUE)`, err) };
      }
      values[token.name] = token.value;
    }
  }
  const allowed = syntax.positionals ?? { min: 0, max: 0, name: 'argument' };
  if (positionals.length < allowed.min) return { exitCode: usageError(syntax, `missing ${allowed.name}`, err) };
  if (positionals.length > allowed.max) return { exitCode: usageError(syntax, `unexpected argument "${positionals[allowed.max]}"`, err) };
  return { values: values as OptionValues<O>, positionals };
}

/** Reports a mistake in how a command was called, with the command's synopsis, on `err`; returns exit code 2. */
export function usageError(syntax: Pick<CommandSyntax<OptionSpecs>, 'name' | 'usage'>, message: string, err: Writer): 2 {
  const synopsis = syntax.usage.split('\n', 1)[0];
  err.write(`residency-proxy ${syntax.name}: ${message}\n${synopsis}\n(residency-proxy ${syntax.name} --help describes every option)\n`);
  return 2;
}

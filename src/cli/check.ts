import { readFile } from 'node:fs/promises';
import { loadPolicy, type CompiledPolicy } from '../policy/load.ts';
import { parseCommandLine } from './args.ts';

export const CHECK = {
  name: 'check',
  usage: `usage: residency-proxy check <policy.yaml|policy.json>

Validates a policy file (every error, with its path) and prints where each
zone's data would live. Exits 0 when valid, 1 when refused.

  -h, --help        print this help
`,
  options: {},
  positionals: { min: 1, max: 1, name: 'the policy file' },
} as const;

/** `residency-proxy check <policy>`: validates a policy file and shows where each zone's data would live. */
export async function checkCommand(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  const parsed = parseCommandLine(CHECK, argv, out, err);
  if ('exitCode' in parsed) return parsed.exitCode;
  const [path] = parsed.positionals as [string];
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    err.write(`${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return 1;
  }
  const loaded = loadPolicy(text);
  if (!loaded.ok) {
    err.write(`${path}: ${loaded.errors.length} error(s); the policy is refused:\n${loaded.errors.map((e) => `  ${e}`).join('\n')}\n`);
    return 1;
  }
  out.write(`${path}: valid\n\n${placementTable(loaded.policy)}\n`);
  return 0;
}

export function placementTable(policy: CompiledPolicy): string {
  const header = ['zone', 'regions', 'store', 'type', 'location', 'jurisdiction', 'evidence'];
  const rows = [...policy.zones.values()].map((zone) => [
    zone.name,
    zone.regions.join(','),
    zone.storeName,
    zone.store.type,
    `${zone.placement.location} (${zone.placement.where})`,
    zone.placement.jurisdiction,
    zone.placement.evidence === 'proven' ? 'proven: the bucket is asked at start-up' : 'declared by the policy',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

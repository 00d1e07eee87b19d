import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ObjectStore } from '../adapters/types.ts';
import { ConfigurationError } from '../hosts/configuration-error.ts';
import { openNodeStores } from '../hosts/node-stores.ts';
import { loadPolicy, type CompiledPolicy } from '../policy/load.ts';
import { storedClasses } from '../rights/class-catalog.ts';
import { parseCommandLine, type Writer } from './args.ts';

export const CHECK = {
  name: 'check',
  usage: `usage: residency-proxy check <policy.yaml|policy.json> [--stores]

Validates a policy file (every error, with its path) and prints where each
zone's data would live. Exits 0 when valid, 1 when refused.

  --stores          also open each store and name the data classes it holds
                    that the policy no longer lists (exit 1 if one cannot be read)
  -h, --help        print this help
`,
  options: { stores: { type: 'boolean' } },
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
  if (!parsed.values.stores) return 0;
  return reportStoredClasses(loaded.policy, dirname(resolve(path)), out, err);
}

/** Names, store by store, the data classes found there that the policy does not list: erased with their account, expired by their recorded date. */
async function reportStoredClasses(policy: CompiledPolicy, baseDir: string, out: Writer, err: Writer): Promise<number> {
  let stores: Map<string, ObjectStore>;
  try {
    stores = await openNodeStores(policy, baseDir, process.env);
  } catch (error) {
    err.write(`cannot open the stores: ${error instanceof ConfigurationError ? error.errors.join('; ') : String(error)}\n`);
    return 1;
  }
  let failed = false;
  out.write('\n');
  for (const [name, store] of stores) {
    try {
      const unlisted = (await storedClasses(store)).filter((dataClass) => !policy.dataClasses.has(dataClass));
      out.write(
        unlisted.length === 0
          ? `store ${name}: every stored data class is in the policy\n`
          : `store ${name}: holds data classes the policy no longer lists: ${unlisted.join(', ')} (erased with their account, expired by their recorded expiresAt)\n`,
      );
    } catch (error) {
      failed = true;
      err.write(`store ${name}: cannot read its class catalog: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    await store.close?.();
  }
  return failed ? 1 : 0;
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
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

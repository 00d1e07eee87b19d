import { parseArgs } from 'node:util';
import { policyVersion } from '../policy/load.ts';
import { jsonLinesAudit } from '../service/audit.ts';
import { ConfigurationError } from '../hosts/configuration-error.ts';
import { readNodePolicy } from '../hosts/node-policy.ts';
import { openNodeStores } from '../hosts/node-stores.ts';
import { sweepStore } from '../rights/retention.ts';

const USAGE = 'usage: residency-proxy sweep [--policy FILE] [--store NAME] [--dry-run] [--now ISO-8601] [--batch N]\n';

/**
 * `residency-proxy sweep`: deletes objects whose retention has ended, store
 * by store, in place (nothing leaves its zone), skipping legal holds. Prints
 * one JSON summary line per store and one audit line per store swept.
 */
export async function sweepCommand(argv: string[], env = process.env, out = process.stdout, err = process.stderr): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { policy: { type: 'string' }, store: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, now: { type: 'string' }, batch: { type: 'string' } },
      strict: true,
    }).values;
  } catch (error) {
    err.write(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const now = args.now === undefined ? Date.now() : Date.parse(args.now);
  const batch = args.batch === undefined ? 500 : Number(args.batch);
  if (Number.isNaN(now) || !Number.isInteger(batch) || batch < 1 || batch > 1000) {
    err.write(`--now must be an ISO-8601 instant and --batch an integer from 1 to 1000\n${USAGE}`);
    return 2;
  }
  let loaded;
  try {
    loaded = await readNodePolicy(args.policy ?? (env.RESIDENCY_POLICY || undefined), env);
  } catch (error) {
    err.write(`${error instanceof ConfigurationError ? error.errors.join('\n') : String(error)}\n`);
    return 1;
  }
  const { policy, baseDir } = loaded;
  if (args.store !== undefined && ![...policy.zones.values()].some((zone) => zone.storeName === args.store)) {
    err.write(`no zone uses a store named "${args.store}"\n`);
    return 2;
  }
  const stores = await openNodeStores(policy, baseDir, env);
  const version = await policyVersion(policy.document);
  const audit = jsonLinesAudit((line) => out.write(line));
  let failed = false;
  for (const [name, store] of stores) {
    if (args.store !== undefined && name !== args.store) continue;
    const zone = [...policy.zones.values()].find((z) => z.storeName === name)!;
    const started = Date.now();
    try {
      const summary = await sweepStore(store, { now, dryRun: args['dry-run'], dataClasses: [...policy.dataClasses.keys()], batch });
      out.write(`${JSON.stringify({ type: 'sweep', store: name, zone: zone.name, dryRun: args['dry-run'], now: new Date(now).toISOString(), ...summary })}\n`);
      audit({
        time: new Date().toISOString(),
        requestId: crypto.randomUUID(),
        action: args['dry-run'] ? 'sweep-dry-run' : 'sweep',
        outcome: 'allowed',
        zone: zone.name,
        store: name,
        location: zone.placement.location,
        bytes: summary.bytesDeleted,
        durationMs: Date.now() - started,
        policyVersion: version,
      });
    } catch (error) {
      failed = true;
      err.write(`store ${name}: sweep failed, run it again to resume: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    await store.close?.();
  }
  return failed ? 1 : 0;
}

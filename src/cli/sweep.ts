import { jsonLinesAudit } from '../service/audit.ts';
import { ConfigurationError } from '../hosts/configuration-error.ts';
import { parseCommandLine, usageError } from './args.ts';
import { readCommandPolicy } from './command-policy.ts';
import type { NodePolicy } from '../hosts/node-policy.ts';
import { openNodeStores } from '../hosts/node-stores.ts';
import { provenKeyStores } from '../hosts/proven-key-stores.ts';
import { nodeKekOpener } from '../crypto/kek-node.ts';
import { type OpenedEncryption, openZoneEncryptions } from '../crypto/zone-keys.ts';
import { sweepStore } from '../rights/retention.ts';
import { anonymizedClasses } from '../rights/retention-anonymize.ts';
import { removeAbandonedUploads } from '../service/multipart.ts';

export const SWEEP = {
  name: 'sweep',
  usage: `usage: residency-proxy sweep [--policy FILE] [--store NAME] [--dry-run] [--now ISO-8601] [--batch N]

Deletes objects whose retention has ended (anonymises those of classes with
atRetention: anonymize), store by store and in place (nothing leaves its
zone), skipping legal holds. Prints one JSON summary
line and one audit line per store swept; run it again to resume after a failure.

  --policy FILE     the policy (default: RESIDENCY_POLICY, else the development policy)
  --store NAME      sweep only this store
  --dry-run         count what has expired, delete nothing
  --now ISO-8601    the instant retention is measured against (default: now)
  --batch N         objects listed per page, 1-1000 (default 500)
  -h, --help        print this help
`,
  options: { policy: { type: 'string' }, store: { type: 'string' }, 'dry-run': { type: 'boolean' }, now: { type: 'string' }, batch: { type: 'string' } },
} as const;

/** How long the marker of a finished erasure stays: far longer than any write that could have raced it (docs/data-rights.md). */
const ERASURE_MARKER_DAYS = 1;

/**
 * `residency-proxy sweep`: deletes objects whose retention has ended (or
 * anonymises them, for classes with `atRetention: anonymize`), store by
 * store, in place (nothing leaves its zone), skipping legal holds. Prints one
 * JSON summary line per data store and one audit line per store swept (a
 * second, `sweep-anonymize`, when objects were anonymised).
 */
export async function sweepCommand(argv: string[], env = process.env, out = process.stdout, err = process.stderr): Promise<number> {
  const parsed = parseCommandLine(SWEEP, argv, out, err);
  if ('exitCode' in parsed) return parsed.exitCode;
  const args = { ...parsed.values, 'dry-run': parsed.values['dry-run'] === true };
  const now = args.now === undefined ? Date.now() : Date.parse(args.now);
  const batch = args.batch === undefined ? 500 : Number(args.batch);
  if (Number.isNaN(now)) return usageError(SWEEP, `--now must be an ISO-8601 instant, not "${args.now}"`, err);
  if (!Number.isInteger(batch) || batch < 1 || batch > 1000)
    return usageError(SWEEP, `--batch must be a whole number from 1 to 1000, not "${args.batch}"`, err);
  let loaded: NodePolicy;
  try {
    loaded = await readCommandPolicy(args.policy, env);
  } catch (error) {
    err.write(`${error instanceof ConfigurationError ? error.errors.join('\n') : String(error)}\n`);
    return 1;
  }
  const { policy, baseDir } = loaded;
  if (args.store !== undefined && ![...policy.zones.values()].some((zone) => zone.storeName === args.store)) {
    err.write(`no zone uses a store named "${args.store}"\n`);
    return 2;
  }
  // The data stores and the key stores: anonymising an object in a zone with encryption reads and seals it again.
  const stores = await openNodeStores(policy, baseDir, env);
  const closeStores = () => Promise.all([...stores.values()].map((store) => store.close?.()));
  let keys: OpenedEncryption;
  try {
    keys = await openZoneEncryptions(policy, provenKeyStores(policy, stores), nodeKekOpener({ baseDir, env, production: env.NODE_ENV === 'production' }));
  } catch (error) {
    await closeStores();
    err.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const classes = anonymizedClasses(policy);
  const { version } = policy;
  const audit = jsonLinesAudit((line) => out.write(line));
  let failed = false;
  for (const name of policy.dataStores.keys()) {
    const store = stores.get(name)!;
    if (args.store !== undefined && name !== args.store) continue;
    const zone = [...policy.zones.values()].find((z) => z.storeName === name)!;
    const encryption = keys.zones.get(zone.name);
    const started = Date.now();
    try {
      const summary = await sweepStore(store, {
        now,
        dryRun: args['dry-run'],
        dataClasses: [...policy.dataClasses.keys()],
        batch,
        // Real time, not --now: a write still in flight is never idle longer than the request timeout.
        incompleteIdleSince: new Date(Date.now() - policy.document.limits.requestTimeoutMs),
        erasureMarkersBefore: new Date(Date.now() - ERASURE_MARKER_DAYS * 86_400_000),
        anonymize: { classes, ...(encryption && { encryption }) },
      });
      // S3 multipart uploads that were never completed nor aborted: their staged parts, past their expiry.
      const abandonedUploadsRemoved = args['dry-run'] ? 0 : await removeAbandonedUploads(store, now);
      if (summary.unlistedClasses.length > 0) {
        err.write(
          `store ${name}: holds data classes the policy no longer lists: ${summary.unlistedClasses.join(', ')} (expired by their recorded expiresAt, erased with their account)\n`,
        );
      }
      out.write(
        `${JSON.stringify({ type: 'sweep', store: name, zone: zone.name, dryRun: args['dry-run'], now: new Date(now).toISOString(), ...summary, abandonedUploadsRemoved })}\n`,
      );
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
      if (summary.anonymized > 0) {
        audit({
          time: new Date().toISOString(),
          requestId: crypto.randomUUID(),
          action: 'sweep-anonymize',
          outcome: 'allowed',
          zone: zone.name,
          store: name,
          location: zone.placement.location,
          bytes: summary.bytesAnonymized,
          masks: summary.masksApplied,
          durationMs: Date.now() - started,
          policyVersion: version,
        });
      }
    } catch (error) {
      failed = true;
      err.write(`store ${name}: sweep failed, run it again to resume: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  await closeStores();
  await keys.close();
  return failed ? 1 : 0;
}

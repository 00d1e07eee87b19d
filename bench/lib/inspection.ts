import type { TestIdentity } from '../../test/helpers/tokens.ts';
import { largeDocument } from './documents.ts';
import { DATA_CLASS, startGateway } from './gateway.ts';
import { putDocument } from './large.ts';
import { summarize, type Summary } from './stats.ts';
import type { BenchStore } from './stores.ts';

export interface InspectionCost {
  bytes: number;
  store: string;
  /** MB/s of the end-to-end PUT with the media inspector, and with a pass-through in its place. */
  inspectionOn: Summary;
  inspectionOff: Summary;
}

/**
 * A JSON document PUT end to end through two gateway processes on the same
 * store: one as shipped, one whose inspector is replaced by a pass-through
 * (bench/lib/inspection-off.ts). The runs alternate between them.
 */
export async function benchInspectionCost(
  workDir: string,
  identity: TestIdentity,
  store: BenchStore,
  options: { bytes: number; runs: number },
  log: (line: string) => void,
): Promise<InspectionCost> {
  const document = largeDocument(options.bytes);
  const token = await identity.sign({ account_id: 'bench', account_region: store.region, sub: 'bench-inspection', exp: Math.floor(Date.now() / 1000) + 3_600 });
  const on = await startGateway(workDir, identity, [store], { name: 'inspection-on' });
  const off = await startGateway(workDir, identity, [store], { name: 'inspection-off', inspectionOff: true });
  const rates = { on: [] as number[], off: [] as number[] };
  try {
    for (let run = 0; run < options.runs; run++) {
      for (const [name, gateway] of [
        ['on', on],
        ['off', off],
      ] as const) {
        const url = `${gateway.url}/v1/objects/${DATA_CLASS}/inspection/${name}.json`;
        const seconds = await putDocument({ route: 'gateway', url, headers: { authorization: `Bearer ${token}` } }, document);
        rates[name].push(options.bytes / 1e6 / seconds);
        log(`inspection ${name} run ${run + 1}: ${(options.bytes / 1e6 / seconds).toFixed(0)} MB/s`);
      }
    }
  } finally {
    await on.stop();
    await off.stop();
  }
  return { bytes: options.bytes, store: store.name, inspectionOn: summarize(rates.on), inspectionOff: summarize(rates.off) };
}

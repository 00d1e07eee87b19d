import type { TestIdentity } from '../../test/helpers/tokens.ts';
import { largeDocument } from './documents.ts';
import { DATA_CLASS, gatewayCpuSeconds, startGateway, type GatewayProcess } from './gateway.ts';
import { putDocument } from './large.ts';
import { summarize, type Summary } from './stats.ts';
import type { BenchStore } from './stores.ts';

export interface InspectionCost {
  bytes: number;
  store: string;
  /** MB/s of the end-to-end PUT with the media inspector, and with a pass-through in its place. */
  inspectionOn: Summary;
  inspectionOff: Summary;
  /** CPU seconds the gateway process spent per PUT, with and without the inspector: steadier than MB/s on a shared machine. */
  cpuOn: Summary;
  cpuOff: Summary;
}

/** Inspection's share of a PUT: the time (or CPU time) that the pass-through saves, as a part of the PUT with inspection. */
export const inspectionShare = (withInspection: number, without: number): number => 1 - without / withInspection;

/** A small JSON body with a PNG in a data: URL: the inspector refuses it, the pass-through stores it. */
const MEDIA_PROBE = JSON.stringify({
  avatar: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
});

/** Fails unless `gateway` stores (off) or refuses (on) a body with media: a baseline whose inspector is still there measures nothing. */
async function checkInspector(gateway: GatewayProcess, token: string, inspecting: boolean): Promise<void> {
  const response = await fetch(`${gateway.url}/v1/objects/${DATA_CLASS}/inspection/probe-${inspecting ? 'on' : 'off'}.json`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: MEDIA_PROBE,
  });
  await response.arrayBuffer();
  if (response.ok === inspecting) {
    throw new Error(
      `the inspection-${inspecting ? 'on' : 'off'} gateway answered ${response.status} to a PNG data: URL: its inspector is ${inspecting ? 'off' : 'on'}`,
    );
  }
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
  const cpu = { on: [] as number[], off: [] as number[] };
  try {
    await checkInspector(on, token, true);
    await checkInspector(off, token, false);
    for (let run = 0; run < options.runs; run++) {
      for (const [name, gateway] of [
        ['on', on],
        ['off', off],
      ] as const) {
        const url = `${gateway.url}/v1/objects/${DATA_CLASS}/inspection/${name}.json`;
        const cpuBefore = await gatewayCpuSeconds(gateway.pid);
        const seconds = await putDocument({ route: 'gateway', url, headers: { authorization: `Bearer ${token}` } }, document);
        cpu[name].push((await gatewayCpuSeconds(gateway.pid)) - cpuBefore);
        rates[name].push(options.bytes / 1e6 / seconds);
        log(`inspection ${name} run ${run + 1}: ${(options.bytes / 1e6 / seconds).toFixed(0)} MB/s, ${cpu[name].at(-1)!.toFixed(2)} s of gateway CPU`);
      }
    }
  } finally {
    await on.stop();
    await off.stop();
  }
  return {
    bytes: options.bytes,
    store: store.name,
    inspectionOn: summarize(rates.on),
    inspectionOff: summarize(rates.off),
    cpuOn: summarize(cpu.on),
    cpuOff: summarize(cpu.off),
  };
}

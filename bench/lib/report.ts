import type { InspectorBenchResult } from '../inspect.bench.ts';
import { inspectionShare, type InspectionCost } from './inspection.ts';
import type { LargeCase } from './large.ts';
import type { MicroCase } from './micro.ts';
import type { Route, SmallCase } from './small.ts';
import { UNSTABLE_SPREAD, type Summary } from './stats.ts';

export interface TargetCheck {
  target: string;
  goal: string;
  measured: string;
  /** null: not measured in this run. */
  met: boolean | null;
}

export interface BenchResults {
  startedAt: string;
  seconds: number;
  machine: Record<string, string | number | null>;
  settings: Record<string, unknown>;
  notes: string[];
  /** Sections that failed, with why; their tables are empty. */
  failures: string[];
  /** Resident memory of the large-object gateway before its first transfer: the floor under its peaks. */
  gatewayIdleRssMiB: number | null;
  small: SmallCase[];
  large: LargeCase[];
  micro: MicroCase[];
  inspection: InspectionCost | null;
  inspector: InspectorBenchResult | null;
  targets: TargetCheck[];
  /** Measurements whose min and max differ by more than UNSTABLE_SPREAD. */
  warnings: string[];
}

const MiB = 1024 * 1024;
/** Issue 14: a 4 KiB PUT at 16 connections reaches this share of nginx's throughput (0.5× elsewhere). */
const SMALL_PUT_GOAL: Readonly<Record<string, number>> = { s3: 0.8, azure: 0.8 };
/** Issue 11: inspection takes at most this share of a 100 MiB JSON PUT end to end. */
const INSPECTION_SHARE_GOAL = 0.25;

const percent = (share: number): string => `${Math.round(share * 100)} %`;

/** Inspection's share of the PUT's time (from the median MB/s) and of the gateway's CPU time (from the median CPU seconds). */
function inspectionShares(cost: InspectionCost): { time: number; cpu: number } {
  return {
    time: inspectionShare(1 / cost.inspectionOn.median, 1 / cost.inspectionOff.median),
    cpu: inspectionShare(cost.cpuOn.median, cost.cpuOff.median),
  };
}

function number(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "median (min–max)", flagged when the spread is too wide. */
export function showSummary(summary: Summary | null, digits = 0): string {
  if (summary === null) return 'n/a';
  const range = summary.runs > 1 ? ` (${number(summary.min, digits)}–${number(summary.max, digits)})` : '';
  return `${number(summary.median, digits)}${range}${summary.unstable ? ' ⚠' : ''}`;
}

function size(bytes: number): string {
  return bytes >= 1024 * MiB ? `${number(bytes / (1024 * MiB))} GiB` : bytes >= MiB ? `${number(bytes / MiB)} MiB` : `${number(bytes / 1024)} KiB`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function findSmall(cases: readonly SmallCase[], store: string, operation: string, connections: number, route: Route): SmallCase | undefined {
  return cases.find((c) => c.store === store && c.operation === operation && c.connections === connections && c.route === route);
}

export interface SmallComparison {
  store: string;
  /** Which front door of the gateway. */
  route: Route;
  operation: string;
  connections: number;
  /** gateway req/s ÷ nginx req/s (medians). */
  throughputVsNginx: number | null;
  /** gateway median − direct median, ms. */
  addedP50: number;
  addedP99: number;
}

export function compareSmall(cases: readonly SmallCase[]): SmallComparison[] {
  return cases
    .filter((c) => c.route === 'gateway' || c.route === 'gateway-s3')
    .flatMap((gateway) => {
      const direct = findSmall(cases, gateway.store, gateway.operation, gateway.connections, 'direct');
      if (!direct) return [];
      const nginx = findSmall(cases, gateway.store, gateway.operation, gateway.connections, 'nginx');
      if (!gateway.p50 || !gateway.p99 || !direct.p50 || !direct.p99) return [];
      return [
        {
          store: gateway.store,
          route: gateway.route,
          operation: gateway.operation,
          connections: gateway.connections,
          throughputVsNginx: nginx ? gateway.rps.median / nginx.rps.median : null,
          addedP50: gateway.p50.median - direct.p50.median,
          addedP99: gateway.p99.median - direct.p99.median,
        },
      ];
    });
}

function check(target: string, goal: string, measured: string, met: boolean | null): TargetCheck {
  return { target, goal, measured, met };
}

/** Every target of issue 4 against this run's measurements. */
export function checkTargets(results: Pick<BenchResults, 'small' | 'large' | 'micro' | 'inspection'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const comparison of compareSmall(results.small).filter((c) => c.route === 'gateway' && c.operation === 'PUT' && c.connections === 16)) {
    const name = `4 KiB PUT c=16, ${comparison.store}`;
    const ratio = comparison.throughputVsNginx;
    const goal = SMALL_PUT_GOAL[comparison.store] ?? 0.5;
    checks.push(
      check(`${name}: throughput vs nginx`, `≥ ${goal}×`, ratio === null ? 'no nginx' : `${ratio.toFixed(2)}×`, ratio === null ? null : ratio >= goal),
    );
    checks.push(check(`${name}: added p50 over direct`, '≤ 1 ms', `${comparison.addedP50.toFixed(2)} ms`, comparison.addedP50 <= 1));
    checks.push(check(`${name}: added p99 over direct`, '≤ 5 ms', `${comparison.addedP99.toFixed(2)} ms`, comparison.addedP99 <= 5));
  }
  const memoryPut = findSmall(results.small, 'memory', 'PUT', 16, 'gateway')?.cpuMsPerRequest;
  if (memoryPut) {
    checks.push(check('4 KiB PUT c=16, memory: gateway CPU per PUT', '≤ 0.1 ms', `${memoryPut.median.toFixed(3)} ms`, memoryPut.median <= 0.1));
  }
  const gatewayLarge = results.large.filter((c) => c.route === 'gateway');
  for (const gateway of gatewayLarge) {
    const nginx = results.large.find((c) => c.store === gateway.store && c.operation === gateway.operation && c.route === 'nginx');
    const name = `${size(gateway.bytes)} ${gateway.operation}, ${gateway.store}`;
    const ratio = nginx ? gateway.mbps.median / nginx.mbps.median : null;
    checks.push(check(`${name}: throughput vs nginx`, '≥ 1.0×', ratio === null ? 'no nginx' : `${ratio.toFixed(2)}×`, ratio === null ? null : ratio >= 1));
    if (gateway.peakRssMiB) {
      checks.push(check(`${name}: gateway peak RSS (worst run)`, '< 200 MiB', `${number(gateway.peakRssMiB.max)} MiB`, gateway.peakRssMiB.max < 200));
    }
  }
  const cached = results.micro.find((c) => c.name.startsWith('token, reused'));
  if (cached)
    checks.push(
      check(
        'token verification, cached key (reused token, one core)',
        '≥ 20,000/s',
        `${number(cached.opsPerSecond.median)}/s`,
        cached.opsPerSecond.median >= 20_000,
      ),
    );
  if (results.inspection) {
    const { time, cpu } = inspectionShares(results.inspection);
    checks.push(
      check(
        `${size(results.inspection.bytes)} JSON PUT: inspection's share of the time (of the gateway's CPU time)`,
        `≤ ${percent(INSPECTION_SHARE_GOAL)}`,
        `${percent(time)} (${percent(cpu)})`,
        time <= INSPECTION_SHARE_GOAL,
      ),
    );
  }
  return checks;
}

/** Every measurement whose runs disagree by more than the allowed spread. */
export function spreadWarnings(results: Pick<BenchResults, 'small' | 'large' | 'micro' | 'inspection'>): string[] {
  const warnings: string[] = [];
  const note = (what: string, summary: Summary) => {
    if (summary.unstable)
      warnings.push(`${what}: runs from ${number(summary.min, 2)} to ${number(summary.max, 2)} (more than ${UNSTABLE_SPREAD * 100}% apart)`);
  };
  for (const c of results.small) {
    const name = `small ${c.store} ${c.operation} c=${c.connections} ${c.route}`;
    note(`${name} req/s`, c.rps);
    if (c.p50) note(`${name} p50`, c.p50);
  }
  for (const c of results.large) note(`large ${c.store} ${c.operation} ${c.route} MB/s`, c.mbps);
  for (const c of results.micro) note(`micro ${c.name} ops/s`, c.opsPerSecond);
  if (results.inspection) {
    note('inspection on MB/s', results.inspection.inspectionOn);
    note('inspection off MB/s', results.inspection.inspectionOff);
    note('inspection on gateway CPU s', results.inspection.cpuOn);
    note('inspection off gateway CPU s', results.inspection.cpuOff);
  }
  return warnings;
}

function smallSection(cases: readonly SmallCase[]): string {
  const rows = cases.map((c) => [
    c.store,
    c.operation,
    String(c.connections),
    c.route,
    showSummary(c.rps),
    showSummary(c.p50, 2),
    showSummary(c.p90, 2),
    showSummary(c.p99, 2),
    c.cpuMsPerRequest ? showSummary(c.cpuMsPerRequest, 3) : '',
    c.failures ? `${c.failures} failed: ${c.firstFailure}` : '',
  ]);
  const comparisons = compareSmall(cases).map((c) => [
    c.store,
    c.route,
    c.operation,
    String(c.connections),
    c.throughputVsNginx === null ? 'n/a' : `${c.throughputVsNginx.toFixed(2)}×`,
    `${c.addedP50 >= 0 ? '+' : ''}${c.addedP50.toFixed(2)}`,
    `${c.addedP99 >= 0 ? '+' : ''}${c.addedP99.toFixed(2)}`,
  ]);
  return [
    '## 1. Small objects (4 KiB)',
    '',
    table(['store', 'op', 'conns', 'route', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'gateway CPU ms/req', 'failures'], rows),
    '',
    'Gateway against the store itself (added latency, medians) and against nginx (throughput):',
    '',
    table(['store', 'door', 'op', 'conns', 'gateway ÷ nginx req/s', 'added p50 ms', 'added p99 ms'], comparisons),
    '',
    "Route `gateway` is the `/v1` API with a bearer token; `gateway-s3` the S3 front door, every request SigV4-signed with session credentials from the gateway's STS (the body's SHA-256 in `x-amz-content-sha256`, as the AWS SDKs send over HTTP).",
  ].join('\n');
}

function largeSection(cases: readonly LargeCase[], idleRssMiB: number | null): string {
  const keys = [...new Set(cases.map((c) => `${c.store} ${c.operation}`))];
  const rows = keys.map((key) => {
    const [store, operation] = key.split(' ');
    const of = (route: Route) => cases.find((c) => c.store === store && c.operation === operation && c.route === route);
    const gateway = of('gateway');
    const nginx = of('nginx');
    return [
      store!,
      size(gateway?.bytes ?? of('direct')?.bytes ?? 0),
      operation!,
      of('direct') ? showSummary(of('direct')!.mbps) : '',
      nginx ? showSummary(nginx.mbps) : 'n/a',
      gateway ? showSummary(gateway.mbps) : '',
      gateway && nginx ? `${(gateway.mbps.median / nginx.mbps.median).toFixed(2)}×` : 'n/a',
      gateway?.peakRssMiB ? showSummary(gateway.peakRssMiB) : '',
    ];
  });
  return [
    '## 2. Large objects (streamed, generated on the fly, SHA-256 verified on every GET)',
    '',
    table(['store', 'size', 'op', 'direct MB/s', 'nginx MB/s', 'gateway MB/s', 'gateway ÷ nginx', 'gateway peak RSS MiB'], rows),
    '',
    `MB/s are decimal megabytes of body per second. The gateway process was ${idleRssMiB === null ? 'not measured' : `${number(idleRssMiB)} MiB resident`} at rest, before its first transfer.`,
  ].join('\n');
}

function microSection(cases: readonly MicroCase[]): string {
  return [
    '## 3. Per-request costs inside the gateway (in process, one core, sequential)',
    '',
    table(
      ['operation', 'ops/s', 'what it covers'],
      cases.map((c) => [c.name, showSummary(c.opsPerSecond), c.description]),
    ),
  ].join('\n');
}

const INSPECTOR_CASE_NAMES: Readonly<Record<string, string>> = {
  json: 'generated JSON records',
  chat: 'mixed chat and co-browse JSON',
  binary: 'benign binary (numeric arrays, random bytes)',
};

function inspectionSection(cost: InspectionCost | null, inspector: InspectorBenchResult | null): string {
  const lines = ['## 4. Inspection cost', ''];
  if (cost) {
    const { time, cpu } = inspectionShares(cost);
    lines.push(
      table(
        ['PUT through the gateway', 'inspection on', 'inspection off', "inspection's share"],
        [
          [
            `${size(cost.bytes)} JSON, ${cost.store} store: MB/s`,
            showSummary(cost.inspectionOn),
            showSummary(cost.inspectionOff),
            `${percent(time)} of the time`,
          ],
          ['gateway CPU seconds per PUT', showSummary(cost.cpuOn, 2), showSummary(cost.cpuOff, 2), `${percent(cpu)} of the gateway's CPU time`],
        ],
      ),
      '',
    );
  }
  if (inspector) {
    const cases = Object.entries(inspector.cases);
    lines.push(
      `The media engineer's inspector micro-benchmark (bench/inspect.bench.ts, ${size(cases[0]?.[1].bytes ?? 0)} per case, peak RSS ${inspector.peakRssMiB} MiB):`,
      '',
      table(
        ['body', 'inspector MB/s', 'inspector MB per CPU-second', 'pass-through MB/s'],
        cases.map(([name, result]) => [
          INSPECTOR_CASE_NAMES[name] ?? name,
          showSummary(result.inspectMBps),
          showSummary(result.inspectCpuMBps),
          showSummary(result.passThroughMBps),
        ]),
      ),
    );
  }
  if (!cost && !inspector) lines.push('Not run.');
  return lines.join('\n');
}

function targetSection(checks: readonly TargetCheck[]): string {
  const status = (met: boolean | null) => (met === null ? 'not measured' : met ? 'met' : '**MISSED**');
  return [
    '## Targets',
    '',
    table(
      ['target', 'goal', 'measured', ''],
      checks.map((c) => [c.target, c.goal, c.measured, status(c.met)]),
    ),
  ].join('\n');
}

export function renderMarkdown(results: BenchResults): string {
  const machine = Object.entries(results.machine).map(([key, value]) => `- ${key}: ${value ?? 'n/a'}`);
  return [
    `# residency-proxy benchmark, ${results.startedAt}`,
    '',
    ...machine,
    `- duration: ${number(results.seconds)} s`,
    '',
    'Each number is the median of the runs, with (min–max); ⚠ marks runs more than 20% apart.',
    '',
    ...results.notes.map((note) => `- ${note}`),
    ...results.failures.map((failure) => `- **SECTION FAILED**: ${failure}`),
    '',
    targetSection(results.targets),
    '',
    smallSection(results.small),
    '',
    largeSection(results.large, results.gatewayIdleRssMiB),
    '',
    microSection(results.micro),
    '',
    inspectionSection(results.inspection, results.inspector),
    '',
    '## Spread warnings',
    '',
    ...(results.warnings.length ? results.warnings.map((w) => `- ${w}`) : ['None.']),
    '',
  ].join('\n');
}

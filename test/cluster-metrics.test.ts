import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { copyExposition, mergeExpositions, renderExposition, retireExposition } from '../src/hosts/cluster-metrics.ts';

const BUCKETS = [0.005, 0.25, 5];

/** A worker's exposition, in the form the gateway's registry renders. */
function workerMetrics(puts: number, seconds: number[]): string {
  const histogram = 'residency_http_request_duration_seconds';
  const labels = 'method="PUT",route="/v1/objects/*"';
  const buckets = [...BUCKETS.map(String), '+Inf'].map((le, i) => {
    const count = seconds.filter((value) => i === BUCKETS.length || value <= BUCKETS[i]!).length;
    return `${histogram}_bucket{${labels},le="${le}"} ${count}`;
  });
  return [
    '# HELP residency_http_requests_total HTTP requests by route and status.',
    '# TYPE residency_http_requests_total counter',
    `residency_http_requests_total{method="PUT",status="201"} ${puts}`,
    '# HELP residency_decisions_total Decisions.',
    '# TYPE residency_decisions_total counter',
    `residency_decisions_total{action="write",code="a \\"quoted\\" } brace, and spaces"} ${puts}`,
    `# HELP ${histogram} Time from request to response headers.`,
    `# TYPE ${histogram} histogram`,
    ...(seconds.length === 0
      ? []
      : [...buckets, `${histogram}_sum{${labels}} ${seconds.reduce((a, b) => a + b, 0)}`, `${histogram}_count{${labels}} ${seconds.length}`]),
    '',
  ].join('\n');
}

const gauge = (name: string, value: number, labels = '') => `# HELP ${name} A reading.\n# TYPE ${name} gauge\n${name}${labels} ${value}\n`;

function sampleOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((each) => each.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('one /metrics view of several workers', () => {
  test('counters are summed series by series, label values with quotes, braces and spaces included', () => {
    const merged = renderExposition(
      mergeExpositions([
        { worker: '1', text: workerMetrics(3, []) },
        { worker: '2', text: workerMetrics(4, []) },
      ]),
    );
    assert.equal(sampleOf(merged, 'residency_http_requests_total{method="PUT",status="201"}'), 7);
    assert.equal(sampleOf(merged, 'residency_decisions_total{action="write",code="a \\"quoted\\" } brace, and spaces"}'), 7);
    assert.equal(merged.match(/# TYPE residency_http_requests_total counter/g)?.length, 1, 'each family once');
  });

  test('histograms are summed bucket by bucket, with their sums and counts', () => {
    const merged = renderExposition(
      mergeExpositions([
        { worker: '1', text: workerMetrics(0, [0.001, 0.2]) },
        { worker: '2', text: workerMetrics(0, [0.003, 7]) },
      ]),
    );
    const series = (suffix: string, le?: string) =>
      `residency_http_request_duration_seconds_${suffix}{method="PUT",route="/v1/objects/*"${le === undefined ? '' : `,le="${le}"`}}`;
    assert.equal(sampleOf(merged, series('bucket', '0.005')), 2);
    assert.equal(sampleOf(merged, series('bucket', '0.25')), 3);
    assert.equal(sampleOf(merged, series('bucket', '5')), 3);
    assert.equal(sampleOf(merged, series('bucket', '+Inf')), 4);
    assert.equal(sampleOf(merged, series('count')), 4);
    assert.ok(Math.abs(sampleOf(merged, series('sum'))! - 7.204) < 1e-9);
  });

  test('a gauge is a reading of one process: each worker keeps its own series, labelled, never summed', () => {
    const merged = renderExposition(
      mergeExpositions([
        { worker: '1', text: gauge('process_resident_memory_bytes', 100) + gauge('residency_policy_info', 1, '{version="abc"}') },
        { worker: '2', text: gauge('process_resident_memory_bytes', 250) + gauge('residency_policy_info', 1, '{version="abc"}') },
      ]),
    );
    assert.equal(sampleOf(merged, 'process_resident_memory_bytes{worker="1"}'), 100);
    assert.equal(sampleOf(merged, 'process_resident_memory_bytes{worker="2"}'), 250);
    assert.equal(sampleOf(merged, 'residency_policy_info{version="abc",worker="1"}'), 1);
    assert.equal(sampleOf(merged, 'residency_policy_info{version="abc",worker="2"}'), 1);
    assert.equal(sampleOf(merged, 'process_resident_memory_bytes'), undefined);
  });

  test("a retired worker's counts stay in the view, its gauges do not, and the retired total is not changed by a scrape", () => {
    const retired = mergeExpositions([]);
    retireExposition(retired, workerMetrics(5, [0.5]) + gauge('process_resident_memory_bytes', 999));
    const first = renderExposition(mergeExpositions([{ worker: '1', text: workerMetrics(2, []) }], copyExposition(retired)));
    assert.equal(sampleOf(first, 'residency_http_requests_total{method="PUT",status="201"}'), 7);
    assert.equal(sampleOf(first, 'residency_http_request_duration_seconds_count{method="PUT",route="/v1/objects/*"}'), 1);
    assert.doesNotMatch(first, /999/);
    const second = renderExposition(mergeExpositions([{ worker: '1', text: workerMetrics(3, []) }], copyExposition(retired)));
    assert.equal(sampleOf(second, 'residency_http_requests_total{method="PUT",status="201"}'), 8, 'retired counts added once per scrape, not accumulated');
  });

  test('special values survive, and lines that are not samples are ignored', () => {
    const text = '# HELP odd Odd values.\n# TYPE odd gauge\nodd{k="v"} NaN\nodd{k="w"} +Inf\nodd{k="x"} -Inf\nnot a sample line\n# a comment\n';
    const merged = renderExposition(mergeExpositions([{ worker: '1', text }]));
    assert.match(merged, /^odd\{k="v",worker="1"\} NaN$/m);
    assert.match(merged, /^odd\{k="w",worker="1"\} \+Inf$/m);
    assert.match(merged, /^odd\{k="x",worker="1"\} -Inf$/m);
    assert.doesNotMatch(merged, /not a sample/);
  });

  test('the merged view is valid Prometheus exposition (promtool check metrics)', () => {
    const merged = renderExposition(
      mergeExpositions([
        { worker: '1', text: workerMetrics(3, [0.01, 2]) + gauge('process_resident_memory_bytes', 100) },
        { worker: '2', text: workerMetrics(1, [40]) + gauge('process_resident_memory_bytes', 120) },
      ]),
    );
    const checked = spawnSync('promtool', ['check', 'metrics'], { input: merged, encoding: 'utf8' });
    assert.equal(checked.error, undefined, 'promtool (Debian package prometheus) must be installed');
    // promtool exits 1 for lint warnings too; errors are what matter here.
    assert.doesNotMatch(`${checked.stdout}${checked.stderr}`, /error/i, merged);
  });
});

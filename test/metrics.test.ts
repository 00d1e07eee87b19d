import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createMemoryStore } from '../src/adapters/memory.ts';
import type { ObjectStore } from '../src/adapters/types.ts';
import { startNodeProcessMetrics, type NodeProcessMetrics } from '../src/hosts/node-process-metrics.ts';
import { Metrics } from '../src/service/metrics.ts';
import { ensureDebianPackages } from './helpers/debian.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

const GB = { account_id: 'acme', account_region: 'GB' };
const US = { account_id: 'acme', account_region: 'US' };

/** `promtool check metrics` on the text: its findings, or '' when clean. */
function promtoolFindings(text: string): string {
  const checked = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return checked.status === 0 ? `${checked.stdout}${checked.stderr}`.trim() : `exit ${checked.status}: ${checked.stdout}${checked.stderr}`;
}

/** The value of one sample, by its exact name and labels as rendered. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('the metrics registry', () => {
  test('labels are escaped, empty ones left out; histograms are cumulative with +Inf, _sum and _count', () => {
    const metrics = new Metrics();
    metrics.count('t_total', 'A counter.', { path: 'a"b\\c\nd', code: '' });
    metrics.observe('t_seconds', 'A histogram.', { op: 'x' }, 0.02, [0.01, 0.1]);
    metrics.observe('t_seconds', 'A histogram.', { op: 'x' }, 5, [0.01, 0.1]);
    const text = metrics.render();
    assert.match(text, /^t_total\{path="a\\"b\\\\c\\nd"\} 1$/m);
    assert.doesNotMatch(text, /code=/);
    assert.deepEqual(
      text.split('\n').filter((line) => line.startsWith('t_seconds')),
      [
        't_seconds_bucket{op="x",le="0.01"} 0',
        't_seconds_bucket{op="x",le="0.1"} 1',
        't_seconds_bucket{op="x",le="+Inf"} 2',
        't_seconds_sum{op="x"} 5.02',
        't_seconds_count{op="x"} 2',
      ],
    );
  });

  test('one name is one type', () => {
    const metrics = new Metrics();
    metrics.count('same_total', 'A counter.', {});
    assert.throws(() => metrics.set('same_total', 'A gauge.', {}, 1), /is a counter, not a gauge/);
  });
});

describe('/metrics of a gateway at work', () => {
  let gw: TestGateway;
  let processMetrics: NodeProcessMetrics;
  let text: string;
  let londonPuts = 0;

  before(async () => {
    const london = createMemoryStore();
    const countingPuts: ObjectStore = { ...london, put: (...args) => ((londonPuts += 1), london.put(...args)) };
    gw = await startTestGateway({
      stores: new Map([
        ['london', countingPuts],
        ['virginia', createMemoryStore()],
      ]),
    });
    processMetrics = startNodeProcessMetrics();
    gw.deps.metrics.register(processMetrics.collector);
    const body = '{"hello":"metrics"}';
    assert.equal((await gw.as(GB, '/v1/objects/chat-transcript/m/one.json', { method: 'PUT', body })).status, 201);
    assert.equal((await gw.as(US, '/v1/objects/chat-transcript/m/two.json', { method: 'PUT', body })).status, 201);
    assert.equal(await (await gw.as(GB, '/v1/objects/chat-transcript/m/one.json')).text(), body);
    assert.equal((await gw.as(GB, '/v1/objects/chat-transcript?prefix=m/')).status, 200);
    assert.equal((await gw.as(GB, '/v1/objects/chat-transcript/m/missing.json')).status, 404);
    assert.equal((await gw.as(GB, '/v1/objects/chat-transcript/m/one.json', { method: 'POST' })).status, 405);
    assert.equal((await gw.as(GB, '/v1/subjects/s/objects')).status, 403);
    text = await (await fetch(`${gw.url}/metrics`)).text();
  });
  after(async () => {
    processMetrics.stop();
    await gw.stop();
  });

  test('promtool check metrics finds nothing to complain about', () => {
    ensureDebianPackages({ '/usr/bin/promtool': 'prometheus' });
    assert.equal(promtoolFindings(text), '');
  });

  test("route labels are the API's templates: a list is not a read", () => {
    assert.equal(sample(text, 'residency_http_requests_total{method="GET",route="/v1/objects/{dataClass}",status="200"}'), 1);
    assert.equal(sample(text, 'residency_http_requests_total{method="GET",route="/v1/objects/{dataClass}/{key}",status="200"}'), 1);
    assert.equal(sample(text, 'residency_http_requests_total{method="GET",route="/v1/objects/{dataClass}/{key}",status="404"}'), 1);
    assert.equal(sample(text, 'residency_http_requests_total{method="POST",route="/v1/objects/{dataClass}/{key}",status="405"}'), 1);
    assert.equal(sample(text, 'residency_http_requests_total{method="GET",route="/v1/subjects/{subject}/objects",status="403"}'), 1);
    assert.doesNotMatch(text, /route="\/v1\/objects\/\*"/);
  });

  test('decisions have a code only when there is one', () => {
    assert.equal(sample(text, 'residency_decisions_total{action="write",outcome="allowed"}'), 2);
    assert.equal(sample(text, 'residency_decisions_total{action="read",outcome="refused",code="not_found"}'), 1);
    assert.doesNotMatch(text, /code=""/);
  });

  test('per-store duration histograms, bytes written and read, store-up and policy-info gauges', () => {
    assert.equal(sample(text, 'residency_store_request_duration_seconds_count{store="london",operation="get"}'), 2, 'the read and the missing object');
    assert.ok((sample(text, 'residency_store_request_duration_seconds_count{store="virginia",operation="put"}') ?? 0) >= 1);
    assert.ok((sample(text, 'residency_store_request_duration_seconds_count{store="london",operation="list"}') ?? 0) >= 1);
    assert.equal(sample(text, 'residency_store_bytes_total{store="london",direction="written"}'), 19);
    assert.equal(sample(text, 'residency_store_bytes_total{store="virginia",direction="written"}'), 19);
    assert.equal(sample(text, 'residency_store_bytes_total{store="london",direction="read"}'), 19);
    assert.equal(sample(text, 'residency_store_up{store="london",zone="uk-eu"}'), 1);
    assert.equal(sample(text, 'residency_store_up{store="virginia",zone="us"}'), 1);
    assert.equal(sample(text, `residency_policy_info{version="${gw.deps.policyVersion}"}`), 1);
  });

  test("process and runtime metrics under the names Prometheus' Node client uses", () => {
    assert.ok((sample(text, 'process_resident_memory_bytes') ?? 0) > 10 * 1024 * 1024);
    assert.ok((sample(text, 'nodejs_heap_size_used_bytes') ?? 0) > 0);
    assert.ok((sample(text, 'process_cpu_seconds_total') ?? 0) > 0);
    assert.ok((sample(text, 'process_start_time_seconds') ?? 0) > 1.7e9);
    assert.ok(Number.isFinite(sample(text, 'nodejs_eventloop_lag_p99_seconds')));
    assert.equal(sample(text, `nodejs_version_info{version="${process.version}"}`), 1);
  });

  test('a client that goes away mid-upload is counted as a disconnect, not as a 500', async () => {
    const token = await gw.token(GB);
    const { hostname, port } = new URL(gw.url);
    const upload = request({
      hostname,
      port,
      method: 'PUT',
      path: '/v1/objects/chat-transcript/m/cut.json',
      headers: { authorization: `Bearer ${token}`, 'content-length': '1000000' },
    });
    upload.on('error', () => {});
    upload.write('{"a":"');
    // The connection is cut once the gateway streams the body into the store.
    const putsBefore = londonPuts;
    for (let attempt = 0; attempt < 10_000 && londonPuts === putsBefore; attempt++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(londonPuts, putsBefore + 1, 'the upload reached the store');
    await new Promise<void>((resolve) => {
      upload.on('close', () => resolve());
      upload.destroy();
    });
    // The gateway learns of the disconnect asynchronously: poll its own count, never a clock.
    let disconnects: number | undefined;
    for (let attempt = 0; attempt < 200 && disconnects === undefined; attempt++) {
      await new Promise((resolve) => setImmediate(resolve));
      const current = await (await fetch(`${gw.url}/metrics`)).text();
      disconnects = sample(current, 'residency_http_client_disconnects_total{method="PUT",route="/v1/objects/{dataClass}/{key}"}');
      text = current;
    }
    assert.equal(disconnects, 1);
    assert.doesNotMatch(text, /status="500"/);
    assert.equal(await gw.stores.get('london')!.head('objects/chat-transcript/acme/m/cut.json'), null, 'nothing of the cut upload was stored');
  });
});

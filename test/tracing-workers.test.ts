import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildWorker, startWorker } from './helpers/miniflare.ts';
import { startOtlpReceiver } from './helpers/otlp-receiver.ts';

/** The OpenTelemetry SDK, its OTLP encodings and LogTape, as wrangler bundles them, running in workerd. */
describe('telemetry on Workers', () => {
  test('spans reach an OTLP receiver from workerd, parent and child, in both encodings; log lines carry their level', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.stop());
    const built = await buildWorker('test/fixtures/worker/telemetry.wrangler.toml');
    t.after(() => built.remove());

    for (const [protocol, contentType] of [
      ['http/json', 'application/json'],
      ['http/protobuf', 'application/x-protobuf'],
    ] as const) {
      const exported = receiver.requests.length;
      const worker = await startWorker(built, {
        bindings: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, LOG_LEVEL: 'info' },
      });
      t.after(() => worker.stop());
      assert.equal(await (await fetch(worker.url)).text(), 'traced');
      assert.equal(receiver.requests.length, exported + 1, protocol);
      assert.equal(receiver.requests.at(-1)?.contentType, contentType);
      assert.match(worker.output(), /"level":"INFO","message":"inside the inner span"/);
    }
    const spans = receiver.spans();
    assert.equal(spans.length, 4);
    for (const traceId of new Set(spans.map((span) => span.traceId))) {
      const outer = spans.find((span) => span.traceId === traceId && span.name === 'outer');
      const inner = spans.find((span) => span.traceId === traceId && span.name === 'inner');
      assert.ok(outer && inner);
      assert.equal(inner.parentSpanId, outer.spanId, 'the async context carries the parent across awaits in workerd');
      assert.equal(outer.attributes['residency.test'], 'workerd');
    }

    const off = await startWorker(built, { bindings: {} });
    t.after(() => off.stop());
    assert.equal(await (await fetch(off.url)).text(), 'off');
    assert.equal(receiver.requests.length, 2, 'nothing exported when no endpoint is set');
  });
});

describe('the gateway Worker traced', () => {
  test("a /v1 write in workerd exports its request, decision and store spans, continuing the caller's traceparent", async (t) => {
    const { createTestIdentity } = await import('./helpers/tokens.ts');
    const identity = await createTestIdentity();
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.stop());
    const built = await buildWorker('wrangler.toml');
    t.after(() => built.remove());
    const policy = {
      version: 1,
      auth: identity.authConfig(),
      zones: { 'uk-eu': { jurisdictions: ['UK', 'EU'], regions: ['GB'], store: 'edge-eu' } },
      stores: { 'edge-eu': { type: 'r2', binding: 'SESSIONS_EU', jurisdiction: 'eu' } },
      dataClasses: { 'chat-transcript': { retentionDays: 30 } },
    };
    const worker = await startWorker(built, {
      r2Buckets: ['SESSIONS_EU'],
      bindings: { RESIDENCY_POLICY: JSON.stringify(policy), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    });
    t.after(() => worker.stop());
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(`${worker.url}/v1/objects/chat-transcript/traced.json`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${await identity.sign({ account_id: 'acme', account_region: 'GB' })}`,
        'content-type': 'application/json',
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
      body: '{"a":1}',
    });
    assert.equal(response.status, 201);
    let names: string[] = [];
    for (let waited = 0; waited < 10_000 && !(names.includes('decision') && names.some((name) => name.startsWith('store.'))); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      names = receiver
        .spans()
        .filter((span) => span.traceId === traceId)
        .map((span) => span.name);
    }
    assert.ok(names.includes('PUT /v1/objects/{dataClass}/{key}'), names.join(', '));
    assert.ok(names.includes('decision'), names.join(', '));
    assert.ok(
      names.some((name) => name.startsWith('store.')),
      names.join(', '),
    );
    assert.ok(!receiver.requests.some((request) => request.body.includes('traced.json')), 'no object key in any span');
  });
});

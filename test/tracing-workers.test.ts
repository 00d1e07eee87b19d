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

    for (const [protocol, contentType] of [['http/json', 'application/json'], ['http/protobuf', 'application/x-protobuf']] as const) {
      const exported = receiver.requests.length;
      const worker = await startWorker(built, { bindings: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, LOG_LEVEL: 'info' } });
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

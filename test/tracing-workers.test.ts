import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { buildWorker, startWorker } from './helpers/miniflare.ts';

/** The OpenTelemetry SDK, its OTLP encoding and LogTape, as wrangler bundles them, running in workerd. */
describe('telemetry on Workers', () => {
  test('spans reach an OTLP receiver from workerd, parent and child, in both encodings; log lines carry their level', async (t) => {
    const received: Array<{ contentType: string; body: Buffer }> = [];
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ contentType: request.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const built = await buildWorker('test/fixtures/worker/telemetry.wrangler.toml');
    t.after(() => built.remove());

    const json = await startWorker(built, { bindings: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', LOG_LEVEL: 'info' } });
    t.after(() => json.stop());
    assert.equal(await (await fetch(json.url)).text(), 'traced');
    assert.equal(received.length, 1);
    assert.equal(received[0]!.contentType, 'application/json');
    const spans = (JSON.parse(received[0]!.body.toString('utf8')) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; spanId: string; parentSpanId?: string; traceId: string }> }> }> })
      .resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
    const outer = spans.find((span) => span.name === 'outer');
    const inner = spans.find((span) => span.name === 'inner');
    assert.ok(outer && inner);
    assert.equal(inner.parentSpanId, outer.spanId, 'the async context carries the parent across awaits in workerd');
    assert.equal(inner.traceId, outer.traceId);
    assert.match(json.output(), /"level":"INFO","message":"inside the inner span"/);

    const protobuf = await startWorker(built, { bindings: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } });
    t.after(() => protobuf.stop());
    assert.equal(await (await fetch(protobuf.url)).text(), 'traced');
    assert.equal(received[1]?.contentType, 'application/x-protobuf');
    assert.ok(received[1]!.body.includes(Buffer.from('outer')));

    const off = await startWorker(built, { bindings: {} });
    t.after(() => off.stop());
    assert.equal(await (await fetch(off.url)).text(), 'off');
    assert.equal(received.length, 2, 'nothing exported when no endpoint is set');
  });
});

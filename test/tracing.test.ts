import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, test } from 'node:test';
import type { Context } from '@opentelemetry/api';
import { tracingConfigFrom } from '../src/service/tracing-config.ts';
import { startTracing } from '../src/service/tracing-setup.ts';
import { tracingEnabled } from '../src/service/tracing-state.ts';
import { StoreError } from '../src/adapters/errors.ts';
import { createMemoryStore } from '../src/adapters/memory.ts';
import { startTestGateway } from './helpers/gateway.ts';
import { startOtlpReceiver } from './helpers/otlp-receiver.ts';

const GB = { account_id: 'acme', account_region: 'GB' };
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';

describe('tracing configuration', () => {
  test('off unless an OTLP endpoint is set, and off when the SDK is disabled', () => {
    assert.equal(tracingConfigFrom({}), undefined);
    assert.equal(tracingConfigFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }), undefined);
    assert.equal(tracingConfigFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }), undefined);
    assert.equal(tracingConfigFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }), undefined);
    assert.equal(startTracing({ env: {}, contextStorage: new AsyncLocalStorage<Context>() }), undefined);
    assert.equal(tracingEnabled(), false);
  });

  test('the standard variables: base endpoint gains /v1/traces, a traces endpoint is used as is, headers and protocol', () => {
    assert.deepEqual(tracingConfigFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }), {
      url: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: {},
      timeoutMs: 10_000,
      serviceName: 'residency-proxy',
    });
    const config = tracingConfigFrom({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example/otlp/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc, x-tenant = eu ',
      OTEL_SERVICE_NAME: 'gateway-eu',
    });
    assert.equal(config?.url, 'https://collector.example/otlp/traces');
    assert.equal(config?.protocol, 'http/json');
    assert.deepEqual(config?.headers, { authorization: 'Bearer abc', 'x-tenant': 'eu' });
    assert.equal(config?.serviceName, 'gateway-eu');
  });

  test('settings that cannot work are refused, naming the variable', () => {
    assert.throws(
      () => tracingConfigFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
      /OTEL_EXPORTER_OTLP_PROTOCOL: grpc is not supported/,
    );
    assert.throws(
      () => tracingConfigFrom({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318' }),
      /OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector:4318 is not an http\(s\) URL/,
    );
    assert.throws(() => tracingConfigFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' }), /OTEL_EXPORTER_OTLP_TIMEOUT/);
  });
});

const PROTOCOLS = ['http/json', 'http/protobuf'] as const;

describe('spans exported to an OTLP receiver', () => {
  for (const protocol of PROTOCOLS) {
    test(`${protocol}: the request span continues the caller's traceparent; auth and store calls are its children`, async (t) => {
      const receiver = await startOtlpReceiver();
      t.after(() => receiver.stop());
      const tracing = startTracing({
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
          OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=k1',
          OTEL_SERVICE_NAME: 'rp-test',
        },
        contextStorage: new AsyncLocalStorage<Context>(),
      });
      assert.ok(tracing);
      t.after(() => tracing.shutdown());
      const gw = await startTestGateway();
      t.after(() => gw.stop());

      const put = await gw.as(GB, '/v1/objects/chat-transcript/traced.json', {
        method: 'PUT',
        headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` },
        body: '{"traced":true}',
      });
      assert.equal(put.status, 201);
      await (await gw.as(GB, '/v1/objects/chat-transcript/traced.json')).text();
      await tracing.flush();

      assert.ok(receiver.requests.length > 0, 'spans were exported');
      for (const request of receiver.requests) {
        assert.equal(request.path, '/v1/traces');
        assert.equal(request.contentType, protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
        assert.equal(request.headers['x-collector-key'], 'k1');
      }
      const spans = receiver.spans();
      assert.ok(spans.every((span) => span.service === 'rp-test'));
      assert.ok(!receiver.requests.some((request) => request.body.includes('traced.json')), 'no object key in any span');
      const traced = spans.filter((span) => span.traceId === TRACE_ID);
      const server = traced.find((span) => span.parentSpanId === CALLER_SPAN_ID);
      assert.ok(server, `a span whose parent is the caller's: ${JSON.stringify(traced.map((span) => span.name))}`);
      assert.equal(server.name, 'PUT /v1/objects/{dataClass}/{key}');
      assert.equal(server.kind, 2, 'SPAN_KIND_SERVER');
      assert.equal(server.attributes['http.route'], '/v1/objects/{dataClass}/{key}');
      assert.equal(server.attributes['http.response.status_code'], 201);

      const children = traced.filter((span) => span.parentSpanId === server.spanId).map((span) => span.name);
      assert.ok(children.includes('auth.authenticate'), `children: ${children.join(', ')}`);
      assert.ok(children.includes('store.put'), `children: ${children.join(', ')}`);
      assert.ok(children.includes('decision'), `children: ${children.join(', ')}`);
      assert.ok(children.includes('inspection'), `children: ${children.join(', ')}`);
      assert.equal(traced.find((span) => span.name === 'decision')?.attributes['residency.data_class'], 'chat-transcript');
      assert.equal(traced.find((span) => span.name === 'store.put')?.attributes['residency.store'], 'london');

      const read = spans.find((span) => span.name === 'GET /v1/objects/{dataClass}/{key}');
      assert.ok(read, 'a request without traceparent starts its own trace');
      assert.notEqual(read.traceId, TRACE_ID);
      assert.equal(read.parentSpanId, '');
      assert.ok(spans.some((span) => span.name === 'store.get' && span.traceId === read.traceId && span.parentSpanId === read.spanId));
    });
  }

  test('a failed store call marks its span and the request span as errors', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.stop());
    const tracing = startTracing({
      env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.endpoint}/v1/traces` },
      contextStorage: new AsyncLocalStorage<Context>(),
    });
    assert.ok(tracing);
    t.after(() => tracing.shutdown());
    const london = createMemoryStore();
    const broken = { ...london, get: () => Promise.reject(new StoreError('unavailable', 'injected outage')) };
    const gw = await startTestGateway({
      stores: new Map([
        ['london', broken],
        ['virginia', createMemoryStore()],
      ]),
    });
    t.after(() => gw.stop());
    assert.equal((await gw.as(GB, '/v1/objects/chat-transcript/x.json')).status, 503);
    await tracing.flush();
    const spans = receiver.spans();
    const get = spans.find((span) => span.name === 'store.get');
    assert.equal(get?.statusCode, 2, 'STATUS_CODE_ERROR');
    const request = spans.find((span) => span.spanId === get?.parentSpanId);
    assert.equal(request?.statusCode, 2);
    assert.equal(request?.attributes['http.response.status_code'], 503);
  });
});

import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import type { Context } from '@opentelemetry/api';
import { tracingConfigFrom } from '../src/service/tracing-config.ts';
import { startTracing } from '../src/service/tracing-setup.ts';
import { tracingEnabled } from '../src/service/tracing-state.ts';
import { startTestGateway } from './helpers/gateway.ts';

const GB = { account_id: 'acme', account_region: 'GB' };
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
  status?: { code?: number };
}

interface Received {
  path: string;
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A minimal OTLP/HTTP receiver: keeps every export request as it arrived. */
async function startReceiver(): Promise<{ endpoint: string; received: Received[]; stop(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', contentType: request.headers['content-type'] ?? '', headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(200, { 'content-type': request.headers['content-type'] ?? 'application/json' });
      response.end(request.headers['content-type'] === 'application/json' ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every span of OTLP/JSON export requests, with the service name of its resource. */
function spansOf(received: Received[]): Array<OtlpSpan & { service: string }> {
  return received.flatMap((request) => {
    const exported = JSON.parse(request.body.toString('utf8')) as {
      resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
    };
    return exported.resourceSpans.flatMap(({ resource, scopeSpans }) => {
      const service = resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue ?? '';
      return scopeSpans.flatMap(({ spans }) => spans.map((span) => ({ ...span, service })));
    });
  });
}

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes?.find((candidate) => candidate.key === key)?.value;
  return value && (value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined));
};

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
    assert.throws(() => tracingConfigFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), /OTEL_EXPORTER_OTLP_PROTOCOL: grpc is not supported/);
    assert.throws(() => tracingConfigFrom({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318' }), /OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector:4318 is not an http\(s\) URL/);
    assert.throws(() => tracingConfigFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' }), /OTEL_EXPORTER_OTLP_TIMEOUT/);
  });
});

describe('spans exported to an OTLP receiver', () => {
  test('OTLP/JSON: the request span continues the caller\'s traceparent; auth and store calls are its children', async (t) => {
    const receiver = await startReceiver();
    t.after(() => receiver.stop());
    const tracing = startTracing({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=k1', OTEL_SERVICE_NAME: 'rp-test' },
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
    const untraced = await gw.as(GB, '/v1/objects/chat-transcript/traced.json');
    await untraced.text();
    await tracing.flush();

    assert.ok(receiver.received.length > 0, 'spans were exported');
    for (const request of receiver.received) {
      assert.equal(request.path, '/v1/traces');
      assert.equal(request.contentType, 'application/json');
      assert.equal(request.headers['x-collector-key'], 'k1');
    }
    const spans = spansOf(receiver.received);
    assert.ok(spans.every((span) => span.service === 'rp-test'));
    const traced = spans.filter((span) => span.traceId === TRACE_ID);
    const server = traced.find((span) => span.parentSpanId === CALLER_SPAN_ID);
    assert.ok(server, `a span whose parent is the caller's: ${JSON.stringify(traced.map((span) => span.name))}`);
    assert.equal(server.name, 'PUT /v1/objects/{dataClass}/{key}');
    assert.equal(server.kind, 2, 'SPAN_KIND_SERVER');
    assert.equal(attribute(server, 'http.route'), '/v1/objects/{dataClass}/{key}');
    assert.equal(attribute(server, 'http.response.status_code'), 201);

    const children = traced.filter((span) => span.parentSpanId === server.spanId).map((span) => span.name);
    assert.ok(children.includes('auth.authenticate'), `children: ${children.join(', ')}`);
    assert.ok(children.includes('store.put'), `children: ${children.join(', ')}`);
    const storePut = traced.find((span) => span.name === 'store.put')!;
    assert.equal(attribute(storePut, 'residency.store'), 'london');

    const read = spans.find((span) => span.name === 'GET /v1/objects/{dataClass}/{key}');
    assert.ok(read, 'a request without traceparent starts its own trace');
    assert.notEqual(read.traceId, TRACE_ID);
    assert.equal(read.parentSpanId || undefined, undefined);
    assert.ok(spans.some((span) => span.name === 'store.get' && span.traceId === read.traceId && span.parentSpanId === read.spanId));
  });

  test('a failed store call marks its span and the request span as errors', async (t) => {
    const receiver = await startReceiver();
    t.after(() => receiver.stop());
    const tracing = startTracing({ env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.endpoint}/v1/traces`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, contextStorage: new AsyncLocalStorage<Context>() });
    assert.ok(tracing);
    t.after(() => tracing.shutdown());
    const { StoreError } = await import('../src/adapters/errors.ts');
    const { createMemoryStore } = await import('../src/adapters/memory.ts');
    const london = createMemoryStore();
    const broken = { ...london, get: () => Promise.reject(new StoreError('unavailable', 'injected outage')) };
    const gw = await startTestGateway({ stores: new Map([['london', broken], ['virginia', createMemoryStore()]]) });
    t.after(() => gw.stop());
    assert.equal((await gw.as(GB, '/v1/objects/chat-transcript/x.json')).status, 503);
    await tracing.flush();
    const spans = spansOf(receiver.received);
    const get = spans.find((span) => span.name === 'store.get');
    assert.equal(get?.status?.code, 2, 'STATUS_CODE_ERROR');
    const request = spans.find((span) => span.spanId === get?.parentSpanId);
    assert.equal(request?.status?.code, 2);
    assert.equal(attribute(request!, 'http.response.status_code'), 503);
  });

  test('OTLP/protobuf by default: the receiver gets the trace id as bytes', async (t) => {
    const receiver = await startReceiver();
    t.after(() => receiver.stop());
    const tracing = startTracing({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint }, contextStorage: new AsyncLocalStorage<Context>() });
    assert.ok(tracing);
    t.after(() => tracing.shutdown());
    const gw = await startTestGateway();
    t.after(() => gw.stop());
    await (await fetch(`${gw.url}/healthz`, { headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` } })).text();
    await tracing.flush();
    assert.ok(receiver.received.length > 0);
    assert.equal(receiver.received[0]!.contentType, 'application/x-protobuf');
    const body = Buffer.concat(receiver.received.map((request) => request.body));
    assert.ok(body.includes(Buffer.from(TRACE_ID, 'hex')), 'the trace id is in the protobuf');
    assert.ok(body.includes(Buffer.from(CALLER_SPAN_ID, 'hex')), 'the caller\'s span id is the parent');
    assert.ok(body.includes(Buffer.from('GET /healthz')));
  });
});

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal OTLP/HTTP trace receiver for tests: it keeps every export request
 * and decodes both encodings of ExportTraceServiceRequest, JSON and protobuf,
 * into the same span shape. The protobuf decoder follows the field numbers of
 * opentelemetry-proto (collector/trace/v1, trace/v1, common/v1, resource/v1).
 */

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  /** StatusCode: 0 unset, 1 ok, 2 error. */
  statusCode: number;
}

export interface ExportRequest {
  path: string;
  contentType: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface OtlpReceiver {
  /** The base endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  requests: ExportRequest[];
  /** Every span received so far, whatever its encoding. */
  spans(): ReceivedSpan[];
  stop(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: ExportRequest[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const contentType = request.headers['content-type'] ?? '';
      requests.push({ path: request.url ?? '', contentType, headers: request.headers, body: Buffer.concat(chunks) });
      // An empty ExportTraceServiceResponse in the request's encoding.
      response.writeHead(200, { 'content-type': contentType });
      response.end(contentType === 'application/json' ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    spans: () => requests.flatMap((request) => (request.contentType === 'application/json' ? fromJson(request.body) : fromProtobuf(request.body))),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface JsonKeyValue {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
}

function fromJson(body: Buffer): ReceivedSpan[] {
  const exported = JSON.parse(body.toString('utf8')) as {
    resourceSpans: Array<{
      resource: { attributes: JsonKeyValue[] };
      scopeSpans: Array<{
        spans: Array<{
          traceId: string;
          spanId: string;
          parentSpanId?: string;
          name: string;
          kind: number;
          attributes?: JsonKeyValue[];
          status?: { code?: number };
        }>;
      }>;
    }>;
  };
  const attributes = (list: JsonKeyValue[] = []) =>
    Object.fromEntries(list.map(({ key, value }) => [key, value.stringValue ?? value.boolValue ?? value.doubleValue ?? Number(value.intValue)]));
  return exported.resourceSpans.flatMap(({ resource, scopeSpans }) => {
    const service = String(attributes(resource.attributes)['service.name'] ?? '');
    return scopeSpans.flatMap(({ spans }) =>
      spans.map((span) => ({
        service,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        kind: span.kind,
        attributes: attributes(span.attributes),
        statusCode: span.status?.code ?? 0,
      })),
    );
  });
}

type Field = { number: number; varint: bigint } | { number: number; bytes: Buffer };

/** The fields of one protobuf message, in order (wire types 0, 1, 2 and 5). */
function fieldsOf(message: Buffer): Field[] {
  const fields: Field[] = [];
  let offset = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = message[offset++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return value;
    }
  };
  while (offset < message.length) {
    const key = Number(varint());
    const number = key >>> 3;
    switch (key & 7) {
      case 0:
        fields.push({ number, varint: varint() });
        break;
      case 1:
        fields.push({ number, bytes: message.subarray(offset, (offset += 8)) });
        break;
      case 2: {
        const length = Number(varint());
        fields.push({ number, bytes: message.subarray(offset, (offset += length)) });
        break;
      }
      case 5:
        fields.push({ number, bytes: message.subarray(offset, (offset += 4)) });
        break;
      default:
        throw new Error(`unsupported wire type ${key & 7}`);
    }
  }
  return fields;
}

const messages = (fields: Field[], number: number) =>
  fields.filter((field): field is Field & { bytes: Buffer } => field.number === number && 'bytes' in field).map((field) => field.bytes);
const message = (fields: Field[], number: number) => messages(fields, number)[0] ?? Buffer.alloc(0);
const varintOf = (fields: Field[], number: number) =>
  Number(fields.find((field): field is Field & { varint: bigint } => field.number === number && 'varint' in field)?.varint ?? 0n);

/** common.v1.KeyValue { string key = 1; AnyValue value = 2 }, AnyValue { string_value = 1; bool_value = 2; int_value = 3; double_value = 4 }. */
function keyValues(list: Buffer[]): Record<string, string | number | boolean> {
  return Object.fromEntries(
    list.map((keyValue) => {
      const fields = fieldsOf(keyValue);
      const value = fieldsOf(message(fields, 2))[0];
      const decoded =
        value === undefined
          ? ''
          : 'varint' in value
            ? value.number === 2
              ? value.varint !== 0n
              : Number(value.varint)
            : value.number === 4
              ? value.bytes.readDoubleLE(0)
              : value.bytes.toString('utf8');
      return [message(fields, 1).toString('utf8'), decoded];
    }),
  );
}

/** ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 }. */
function fromProtobuf(body: Buffer): ReceivedSpan[] {
  return messages(fieldsOf(body), 1).flatMap((resourceSpans) => {
    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2 }; Resource { repeated KeyValue attributes = 1 }.
    const resourceFields = fieldsOf(resourceSpans);
    const service = String(keyValues(messages(fieldsOf(message(resourceFields, 1)), 1))['service.name'] ?? '');
    // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2 }.
    return messages(resourceFields, 2).flatMap((scopeSpans) =>
      messages(fieldsOf(scopeSpans), 2).map((span) => {
        // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6; repeated KeyValue attributes = 9; Status status = 15 }.
        const fields = fieldsOf(span);
        return {
          service,
          traceId: message(fields, 1).toString('hex'),
          spanId: message(fields, 2).toString('hex'),
          parentSpanId: message(fields, 4).toString('hex'),
          name: message(fields, 5).toString('utf8'),
          kind: varintOf(fields, 6),
          attributes: keyValues(messages(fields, 9)),
          // Status { string message = 2; StatusCode code = 3 }.
          statusCode: varintOf(fieldsOf(message(fields, 15)), 3),
        };
      }),
    );
  });
}

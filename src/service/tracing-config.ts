import type { OtlpProtocol } from './tracing-otlp-exporter.ts';

/** Where and how spans are exported, from the standard OpenTelemetry environment variables. */
export interface TracingConfig {
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  timeoutMs: number;
  serviceName: string;
}

type Env = Readonly<Record<string, unknown>>;

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * `undefined` (tracing off) unless an OTLP endpoint is set:
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the full URL) or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (the base; `/v1/traces` is appended).
 * `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` turn it off.
 * Throws on settings that cannot work (gRPC, a bad URL), naming the variable.
 */
export function tracingConfigFrom(env: Env): TracingConfig | undefined {
  const read = (name: string) => (typeof env[name] === 'string' && env[name] !== '' ? (env[name] as string).trim() : undefined);
  if (read('OTEL_SDK_DISABLED')?.toLowerCase() === 'true' || read('OTEL_TRACES_EXPORTER')?.toLowerCase() === 'none') return undefined;
  const tracesEndpoint = read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const baseEndpoint = read('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (tracesEndpoint === undefined && baseEndpoint === undefined) return undefined;
  const [variable, url] =
    tracesEndpoint !== undefined
      ? ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', tracesEndpoint]
      : ['OTEL_EXPORTER_OTLP_ENDPOINT', `${baseEndpoint!.replace(/\/+$/, '')}/v1/traces`];
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new Error(`${variable}: ${url} is not an http(s) URL`);

  const protocolVariable = read('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = read(protocolVariable) ?? 'http/protobuf';
  if (!PROTOCOLS.includes(protocol as OtlpProtocol)) throw new Error(`${protocolVariable}: ${protocol} is not supported; use ${PROTOCOLS.join(' or ')}`);

  const timeoutText = read('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') ?? read('OTEL_EXPORTER_OTLP_TIMEOUT');
  const timeoutMs = timeoutText === undefined ? DEFAULT_TIMEOUT_MS : Number(timeoutText);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new Error(`OTEL_EXPORTER_OTLP_TIMEOUT: ${timeoutText} is not a number of milliseconds`);

  return {
    url,
    protocol: protocol as OtlpProtocol,
    headers: parseHeaders(read('OTEL_EXPORTER_OTLP_TRACES_HEADERS') ?? read('OTEL_EXPORTER_OTLP_HEADERS') ?? ''),
    timeoutMs,
    serviceName: read('OTEL_SERVICE_NAME') ?? 'residency-proxy',
  };
}

/** `key1=value1,key2=value2`, values percent-encoded (the OTLP exporter specification's format). */
function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const equals = pair.indexOf('=');
    if (equals <= 0) continue;
    headers[decodeURIComponent(pair.slice(0, equals).trim()).toLowerCase()] = decodeURIComponent(pair.slice(equals + 1).trim());
  }
  return headers;
}

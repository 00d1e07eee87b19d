import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface OtlpExporterOptions {
  /** The traces endpoint, e.g. `http://collector:4318/v1/traces`. */
  url: string;
  protocol: OtlpProtocol;
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
  fetch: typeof fetch;
}

const ENCODINGS = {
  'http/protobuf': { contentType: 'application/x-protobuf', serializer: ProtobufTraceSerializer },
  'http/json': { contentType: 'application/json', serializer: JsonTraceSerializer },
} as const;

/**
 * OTLP/HTTP span export over `fetch`, so the same exporter runs on Node and
 * Workers; the encoding is OpenTelemetry's own (otlp-transformer). A failed
 * export drops its batch: traces must never hold requests back.
 */
export class OtlpHttpSpanExporter implements SpanExporter {
  readonly #options: OtlpExporterOptions;
  readonly #pending = new Set<Promise<void>>();

  constructor(options: OtlpExporterOptions) {
    this.#options = options;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const sent = this.#send(spans).then(resultCallback, (error: unknown) =>
      resultCallback({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) }),
    );
    this.#pending.add(sent);
    void sent.finally(() => this.#pending.delete(sent));
  }

  async forceFlush(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }

  shutdown(): Promise<void> {
    return this.forceFlush();
  }

  async #send(spans: ReadableSpan[]): Promise<ExportResult> {
    const { url, protocol, headers, timeoutMs, fetch: fetchImpl } = this.#options;
    const { contentType, serializer } = ENCODINGS[protocol];
    const body = serializer.serializeRequest(spans);
    if (!body) return { code: ExportResultCode.FAILED, error: new Error('the spans could not be encoded') };
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': contentType },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.ok
      ? { code: ExportResultCode.SUCCESS }
      : { code: ExportResultCode.FAILED, error: new Error(`the OTLP endpoint answered ${response.status}`) };
  }
}

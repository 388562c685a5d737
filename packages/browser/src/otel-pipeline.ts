// The ESM/CJS build's pipeline: the OpenTelemetry SDK's tracer and BatchSpanProcessor, and the OTLP/HTTP
// exporter (which retries 429/502/503/504 with backoff, honouring Retry-After, within its timeout), wrapped
// so that what it still could not send goes to the offline spool and the circuit breaker. An error inside
// a span of the app's own OpenTelemetry setup becomes part of that trace (the API's active context).
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import type { DeliveryPipeline } from './agent';
import { createOfflineSpool, type OfflineSpool } from './offline-spool';

const SUCCESS = 0;

export function createOtelPipeline(endpoint: string, resource: Record<string, string>): DeliveryPipeline {
  const spool = createOfflineSpool(endpoint);
  const provider = new TracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new SpoolingExporter(new OTLPTraceExporter({ url: endpoint }), spool),
        // The agent flushes on pagehide/visibilitychange itself (and counts what it withheld first).
        disableAutoFlushOnDocumentHide: true,
        scheduledDelayMillis: 1000,
        maxQueueSize: 512,
        maxExportBatchSize: 64,
      }),
    ],
  });
  return { tracer: provider.getTracer('@faultline/browser'), flush: () => provider.forceFlush(), spool };
}

/** A span exporter around the OTLP exporter: a batch it could not send is kept in the spool. */
export class SpoolingExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly spool: OfflineSpool,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.spool.held()) {
      this.store(spans);
      done({ code: SUCCESS });
      return;
    }
    this.inner.export(spans, (result) => {
      if (result.code !== SUCCESS) {
        this.store(spans);
        this.spool.failed();
      } else {
        this.spool.succeeded();
      }
      done({ code: SUCCESS }); // kept for later: nothing for the SDK to retry or drop
    });
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  private store(spans: ReadableSpan[]): void {
    const bytes = JsonTraceSerializer.serializeRequest(spans);
    if (bytes) this.spool.store(new TextDecoder().decode(bytes));
  }
}

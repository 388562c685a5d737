// Exceptions as OpenTelemetry log records (the exception semantic conventions' opt-in for instrumentations
// moving off span events): a logs pipeline through @opentelemetry/sdk-logs and the OTLP/HTTP logs exporter.
// Loaded only when asked for (`exceptionSignal: 'logs' | 'logs/dup'`): as a chunk of its own in bundled
// apps, as dist/faultline-logs.min.js beside the script tag.
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';

export interface LogsPipeline {
  logger: { emit(record: unknown): void };
  flush(): Promise<void>;
}

export function createLogsPipeline(endpoint: string, resource: Record<string, string>): LogsPipeline {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(resource),
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({ url: endpoint }),
        scheduledDelayMillis: 1000,
        maxQueueSize: 512,
        maxExportBatchSize: 64,
        disableAutoFlushOnDocumentHide: true,
      }),
    ],
  });
  return {
    logger: provider.getLogger('@faultline/browser') as LogsPipeline['logger'],
    flush: () => provider.forceFlush().catch(() => undefined),
  };
}

// The OpenTelemetry side, loaded on the first error only (start-up never pays for it): a tracer provider
// from sdk-trace-base whose one processor keeps finished spans in a bounded buffer, an optional logger
// provider (exceptions as log records), and OTLP/JSON serialization by @opentelemetry/otlp-transformer.
// Sending is left to the caller: asynchronously while the process lives, synchronously when it dies.
import {
  type Attributes,
  createExceptionReporter,
  createScrubber,
  type ExceptionReporter,
  NODE_RULES,
  type RateLimitOptions,
  type ReporterOptions,
  type ScrubOptions,
} from '@faultline/core';
import { type Context, type Tracer, trace } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordProcessor, type SdkLogRecord } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { NodeAgentConfig } from './config';

/** Finished spans / log records held for export; beyond this the oldest are dropped and counted. */
export const MAX_BUFFERED = 1000;

/** A bounded buffer that is both an OpenTelemetry span processor and a log record processor. */
class Buffer<T> {
  items: T[] = [];
  dropped = 0;
  push(item: T) {
    if (this.items.length >= MAX_BUFFERED) {
      this.items.shift();
      this.dropped++;
    }
    this.items.push(item);
  }
  take(): T[] {
    const out = this.items;
    this.items = [];
    return out;
  }
}

export interface Pipeline {
  reporter: ExceptionReporter;
  /** Reports use the app's registered tracer provider when it has one (not when the process is dying). */
  useAppProvider: boolean;
  /** Serialized OTLP/JSON bodies of everything buffered, emptying the buffers. */
  drain(): { traces?: Uint8Array; logs?: Uint8Array };
  pendingCount(): number;
  /** Spans and log records the buffers gave up since the last call (oldest first when full). */
  takeDropped(): number;
}

export interface PipelineOptions {
  scrub?: ScrubOptions;
  rateLimit?: RateLimitOptions;
  classify?: ReporterOptions['classify'];
  beforeSend?: ReporterOptions['beforeSend'];
}

export function createPipeline(
  config: NodeAgentConfig,
  resource: Attributes,
  version: string,
  options: PipelineOptions = {},
): Pipeline {
  const spans = new Buffer<ReadableSpan>();
  const logs = new Buffer<SdkLogRecord>();
  const spanProcessor: SpanProcessor = {
    onStart() {},
    onEnd: (span) => spans.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  // The resource is scrubbed like any report: process.command_args can carry --token=... and the like.
  const resourceObj = resourceFromAttributes(
    createScrubber(options.scrub).attributes(resource) as Record<string, string>,
  );
  const provider = new BasicTracerProvider({ resource: resourceObj, spanProcessors: [spanProcessor] });
  const ownTracer = provider.getTracer('@faultline/node', version);
  let logger: Logger | undefined;
  if (config.signals.logs) {
    const logProcessor: LogRecordProcessor = {
      onEmit: (record) => logs.push(record),
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    logger = new LoggerProvider({ resource: resourceObj, processors: [logProcessor] }).getLogger(
      '@faultline/node',
      version,
    );
  }

  const pipeline: Pipeline = {
    useAppProvider: false,
    reporter: undefined as unknown as ExceptionReporter,
    drain() {
      const traces = spans.take();
      const records = logs.take();
      return {
        traces: traces.length > 0 ? JsonTraceSerializer.serializeRequest(traces) : undefined,
        logs: records.length > 0 ? JsonLogsSerializer.serializeRequest(records) : undefined,
      };
    },
    pendingCount: () => spans.items.length + logs.items.length,
    takeDropped: () => {
      const n = spans.dropped + logs.dropped;
      spans.dropped = 0;
      logs.dropped = 0;
      return n;
    },
  };

  // Reports go through the app's own provider when it registered one (its resource, sampler and exporters),
  // except when the process is dying: then its batching processor would never flush, so ours is used.
  const tracer: Tracer = {
    startSpan(name, options, context?: Context) {
      const chosen = pipeline.useAppProvider ? (appTracer(version) ?? ownTracer) : ownTracer;
      return chosen.startSpan(name, options, context);
    },
    startActiveSpan: ((...args: Parameters<Tracer['startActiveSpan']>) =>
      (ownTracer.startActiveSpan as (...a: unknown[]) => unknown)(...args)) as Tracer['startActiveSpan'],
  };
  pipeline.reporter = createExceptionReporter({
    tracer,
    logger,
    signals: config.signals,
    scrub: options.scrub,
    rateLimit: options.rateLimit,
    classify: options.classify,
    runtimeRules: NODE_RULES,
    beforeSend: options.beforeSend,
  });
  return pipeline;
}

/** The app's tracer when it registered a provider of its own, else undefined. */
function appTracer(version: string): Tracer | undefined {
  const global = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const delegate = global.getDelegate?.();
  if (!delegate || (delegate as object).constructor?.name === 'NoopTracerProvider') return undefined;
  return trace.getTracer('@faultline/node', version);
}

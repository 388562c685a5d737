// An app that sets up its own OpenTelemetry tracing (provider, context manager, OTLP exporter), as it would
// with @opentelemetry/sdk-node, and runs with @faultline/node preloaded.
const { context, trace } = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { captureException } = require(process.env.FAULTLINE_NODE_PACKAGE);

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': process.env.APP_SERVICE }),
  spanProcessors: [
    new BatchSpanProcessor(new OTLPTraceExporter({ url: `${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces` })),
  ],
});
trace.setGlobalTracerProvider(provider);
const tracer = trace.getTracer('app');

tracer.startActiveSpan('GET /checkout', async (request) => {
  captureException(new Error('handled inside the request'));
  request.end();
  await provider.forceFlush();
  tracer.startActiveSpan('nightly job', (job) => {
    setTimeout(() => {
      job.end();
      throw new TypeError('crash inside the job');
    }, 10);
  });
});

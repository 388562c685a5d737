// The script tag's pipeline, without the OpenTelemetry SDK: a tracer that turns faultline's own spans (the
// `exception` span with its breadcrumb and exception events, `faultline.withheld`) into OTLP/JSON as they
// end, a batch queue with the settings the ESM build gives the SDK's BatchSpanProcessor, and delivery through
// the offline spool and circuit breaker. It implements what core calls on a tracer and a span, nothing more.
// An active span of the app's own OpenTelemetry setup (one registered on the page's global API) is the parent,
// as the SDK would make it (ParentBased(AlwaysOn): a parent that is not sampled means no span).
import type { Attributes, Context, Span, SpanOptions, SpanStatus, Tracer } from '@opentelemetry/api';
import type { DeliveryPipeline } from './agent';
import { OfflineSpool } from './offline-spool';
import { keyValues, MAX_EVENTS, type OtlpEvent, type OtlpSpan, traceRequest, unixNanos } from './otlp-json';
import { postWithRetries } from './otlp-post';
import { randomHex } from './page';

/** What the BatchSpanProcessor gets in the ESM build: the same batches, the same bound. */
const MAX_QUEUE = 512;
const MAX_BATCH = 64;
const DELAY_MS = 1000;
/** OTLP's span kinds are the API's plus one (0 is SPAN_KIND_UNSPECIFIED). */
const KIND_INTERNAL = 1;
/** Sampled, and "is the parent remote" known (not remote): what the SDK's serializer writes. */
const FLAGS = 0x101;
const SCOPE = '@faultline/browser';
/** The key the OpenTelemetry API keeps the active span under in a context. */
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

export function createDirectPipeline(endpoint: string, resource: Record<string, string>): DeliveryPipeline {
  const spool = new OfflineSpool(endpoint);
  const resourceAttributes = keyValues(resource).list;
  const queue: OtlpSpan[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const deliver = async (body: string): Promise<void> => {
    if (spool.held) return spool.store(body);
    const result = await postWithRetries(endpoint, body);
    if (result.status >= 200 && result.status < 300) return spool.succeeded();
    spool.store(body);
    spool.failed(result.retryAfter);
  };
  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const sent: Promise<void>[] = [];
    while (queue.length > 0) sent.push(deliver(traceRequest(resourceAttributes, SCOPE, queue.splice(0, MAX_BATCH))));
    return Promise.all(sent).then(() => undefined);
  };
  const ended = (span: OtlpSpan) => {
    if (queue.length >= MAX_QUEUE) {
      spool.dropped++;
      return;
    }
    queue.push(span);
    if (queue.length >= MAX_BATCH) void flush();
    else timer ??= setTimeout(flush, DELAY_MS);
  };

  const tracer = {
    startSpan(name: string, options: SpanOptions = {}, context?: Context): Span {
      return new DirectSpan(name, options, parentOf(context), ended) as unknown as Span;
    },
  };
  return { tracer: tracer as unknown as Tracer, flush, spool };
}

interface ParentContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

/** The active span's ids, when the context holds one (read defensively: it is the app's object). */
function parentOf(context: Context | undefined): ParentContext | undefined {
  try {
    const parent = (context?.getValue(SPAN_KEY) as Span | undefined)?.spanContext();
    return parent && /^[0-9a-f]{32}$/.test(parent.traceId) && parent.traceId !== '0'.repeat(32) ? parent : undefined;
  } catch {
    return undefined;
  }
}

class DirectSpan {
  private readonly data: OtlpSpan;
  private readonly attributes: Attributes;
  private readonly events: OtlpEvent[] = [];
  private droppedEvents = 0;
  private done = false;

  constructor(
    name: string,
    options: SpanOptions,
    parent: ParentContext | undefined,
    private readonly onEnd: ((span: OtlpSpan) => void) | undefined,
  ) {
    if (parent && (parent.traceFlags & 1) === 0) this.onEnd = undefined; // not sampled: not recorded
    this.attributes = { ...options.attributes };
    const start = unixNanos(typeof options.startTime === 'number' ? options.startTime : Date.now());
    this.data = {
      traceId: parent?.traceId ?? randomHex(16),
      spanId: randomHex(8),
      ...(parent ? { parentSpanId: parent.spanId } : {}),
      name,
      kind: (options.kind ?? 0) + KIND_INTERNAL,
      startTimeUnixNano: start,
      endTimeUnixNano: start,
      attributes: [],
      events: this.events,
      status: { code: 0 },
      flags: FLAGS,
    };
  }

  spanContext() {
    return { traceId: this.data.traceId, spanId: this.data.spanId, traceFlags: 1 };
  }

  isRecording(): boolean {
    return !this.done && this.onEnd !== undefined;
  }

  setAttribute(key: string, value: unknown): this {
    if (!this.done) this.attributes[key] = value as never;
    return this;
  }

  addEvent(name: string, attributes?: Attributes, time?: number): this {
    if (this.done) return this;
    if (this.events.length >= MAX_EVENTS) {
      // The SDK keeps the newest events past its limit.
      this.events.shift();
      this.droppedEvents++;
    }
    const { list, dropped } = keyValues(attributes);
    this.events.push({
      timeUnixNano: unixNanos(typeof time === 'number' ? time : Date.now()),
      name,
      attributes: list,
      ...(dropped > 0 ? { droppedAttributesCount: dropped } : {}),
    });
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (!this.done)
      this.data.status = status.message ? { code: status.code, message: status.message } : { code: status.code };
    return this;
  }

  end(time?: number): void {
    if (this.done) return;
    this.done = true;
    const { list, dropped } = keyValues(this.attributes);
    this.data.attributes = list;
    if (dropped > 0) this.data.droppedAttributesCount = dropped;
    if (this.droppedEvents > 0) this.data.droppedEventsCount = this.droppedEvents;
    this.data.endTimeUnixNano = unixNanos(typeof time === 'number' ? time : Date.now());
    this.onEnd?.(this.data);
  }
}

// The script tag's pipeline, without the OpenTelemetry SDK: a tracer that turns faultline's own spans (the
// `exception` span with its breadcrumb and exception events, `faultline.withheld`) into OTLP/JSON as they
// end, a batch queue with the settings the ESM build gives the SDK's BatchSpanProcessor, and delivery through
// the offline spool and circuit breaker. It implements what core calls on a tracer and a span, nothing more.
// An active span of the app's own OpenTelemetry setup (one registered on the page's global API) is the parent,
// as the SDK would make it (ParentBased(AlwaysOn): a parent that is not sampled means no span).
import type { Attributes, Context, Span, SpanOptions, SpanStatus, Tracer } from '@opentelemetry/api';
import type { DeliveryPipeline } from './agent';
import { createOfflineSpool } from './offline-spool';
import { attributesOf, MAX_EVENTS, type OtlpSpan, traceRequest, unixNanos } from './otlp-json';
import { postWithRetries } from './otlp-post';
import { randomHex } from './page';

/** What the BatchSpanProcessor gets in the ESM build: the same batches, the same bound. */
const MAX_QUEUE = 512;
const MAX_BATCH = 64;
const DELAY_MS = 1000;
/** OTLP's span kinds are the API's plus one (0 is SPAN_KIND_UNSPECIFIED). */
const KIND_OFFSET = 1;
/** Sampled, and "is the parent remote" known (not remote): what the SDK's serializer writes. */
const FLAGS = 0x101;
const SCOPE = '@faultline/browser';
/** The key the OpenTelemetry API keeps the active span under in a context. */
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

/** A span as it ended: its attributes are turned into OTLP only when its batch is written, off the path of
 * the error that made it (as the SDK serializes at export). */
interface Ended {
  span: OtlpSpan;
  attributes: Attributes;
  events: { timeUnixNano: string; name: string; attributes?: Attributes }[];
}

export function createDirectPipeline(endpoint: string, resource: Record<string, string>): DeliveryPipeline {
  const spool = createOfflineSpool(endpoint);
  const resourceAttributes = attributesOf(resource).attributes;
  const queue: Ended[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** A full batch on its way: the next one waits for it, as the SDK's BatchSpanProcessor does. */
  let sending = false;

  const deliver = async (batch: Ended[]): Promise<void> => {
    const body = traceRequest(
      resourceAttributes,
      SCOPE,
      batch.map(({ span, attributes, events }) =>
        Object.assign(span, attributesOf(attributes), {
          events: events.map((e) => ({ timeUnixNano: e.timeUnixNano, name: e.name, ...attributesOf(e.attributes) })),
        }),
      ),
    );
    if (spool.held()) return spool.store(body);
    const result = await postWithRetries(endpoint, body);
    if (result.status >= 200 && result.status < 300) return spool.succeeded();
    spool.store(body);
    spool.failed(result.retryAfter);
  };
  /** Everything queued, now, in parallel batches (the page may be leaving: every request must start). */
  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const sent: Promise<void>[] = [];
    while (queue.length > 0) sent.push(deliver(queue.splice(0, MAX_BATCH)));
    return Promise.all(sent).then(() => undefined);
  };
  const sendFullBatch = () => {
    sending = true;
    void deliver(queue.splice(0, MAX_BATCH)).then(() => {
      sending = false;
      if (queue.length >= MAX_BATCH) sendFullBatch();
    });
  };
  const ended = (done: Ended) => {
    // Past the bound a span is given up, and counted (the SDK's processor drops it silently).
    if (queue.length >= MAX_QUEUE) return void spool.dropped++;
    queue.push(done);
    if (queue.length >= MAX_BATCH && !sending) sendFullBatch();
    else timer ??= setTimeout(flush, DELAY_MS);
  };
  const tracer = {
    startSpan: (name: string, options: SpanOptions = {}, context?: Context) =>
      startSpan(name, options, parentOf(context), ended),
  };
  return { tracer: tracer as unknown as Tracer, flush, spool };
}

/** The active span's ids, when the context holds one (read defensively: it is the app's object). */
function parentOf(context: Context | undefined): { traceId: string; spanId: string; traceFlags: number } | undefined {
  try {
    const parent = (context?.getValue(SPAN_KEY) as Span | undefined)?.spanContext();
    return parent && /^(?!0+$)[0-9a-f]{32}$/.test(parent.traceId) ? parent : undefined;
  } catch {
    return undefined;
  }
}

/** A time given in epoch milliseconds, or now with the sub-millisecond clock the SDK reads (so a span
 * that starts and ends at once still has a length, as in the ESM build). */
const nanos = (time: unknown) =>
  unixNanos(typeof time === 'number' ? time : performance.timeOrigin + performance.now());

/** One span: what core calls on it (addEvent, setStatus, end), recorded for OTLP/JSON. */
function startSpan(
  name: string,
  options: SpanOptions,
  parent: ReturnType<typeof parentOf>,
  ended: (span: Ended) => void,
): Span {
  let recording = !parent || (parent.traceFlags & 1) === 1;
  const attributes: Attributes = { ...options.attributes };
  const events: Ended['events'] = [];
  let droppedEvents = 0;
  const data: OtlpSpan = {
    traceId: parent?.traceId ?? randomHex(32),
    spanId: randomHex(16),
    ...(parent ? { parentSpanId: parent.spanId } : {}),
    name,
    kind: (options.kind ?? 0) + KIND_OFFSET,
    startTimeUnixNano: nanos(options.startTime),
    endTimeUnixNano: '',
    attributes: [],
    events: [],
    status: { code: 0 },
    flags: FLAGS,
  };
  const span = {
    addEvent(eventName: string, eventAttributes?: Attributes, time?: number) {
      if (!recording) return span;
      if (events.length >= MAX_EVENTS) {
        // The SDK keeps the newest events past its limit.
        events.shift();
        droppedEvents++;
      }
      events.push({ timeUnixNano: nanos(time), name: eventName, attributes: eventAttributes });
      return span;
    },
    setStatus({ code, message }: SpanStatus) {
      if (recording) data.status = { code, message }; // an undefined message is left out of the JSON
      return span;
    },
    end(time?: number) {
      if (!recording) return;
      recording = false;
      data.endTimeUnixNano = nanos(time);
      if (droppedEvents > 0) data.droppedEventsCount = droppedEvents;
      ended({ span: data, attributes, events });
    },
  };
  return span as unknown as Span;
}

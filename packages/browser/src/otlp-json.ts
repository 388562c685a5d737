// OTLP/JSON for faultline's own spans, written directly (the script tag carries no OpenTelemetry SDK).
// Follows the OTLP/HTTP JSON encoding (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
// trace and span ids as hex (not base64), 64-bit integers (timestamps, intValue) as decimal strings, enums
// as numbers, attribute values as the AnyValue union. Fields at their default (0, empty) are left out.
// The layout is the one `@opentelemetry/otlp-transformer`'s JSON serializer writes for the same span, so
// the ESM build (through the SDK) and the script tag store the same thing.

export type AttributeInput = Record<string, unknown>;

export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number | string;
  arrayValue?: { values: AnyValue[] };
}
export interface KeyValue {
  key: string;
  value: AnyValue;
}
export interface OtlpEvent {
  timeUnixNano: string;
  name: string;
  attributes: KeyValue[];
  droppedAttributesCount?: number;
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  droppedAttributesCount?: number;
  events: OtlpEvent[];
  droppedEventsCount?: number;
  status: { code: number; message?: string };
  flags: number;
}

/** The SDK's default span limits (OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, OTEL_SPAN_EVENT_COUNT_LIMIT): the same
 * bounds in both builds. */
export const MAX_ATTRIBUTES = 128;
export const MAX_EVENTS = 128;
/** 2^63: integers from there on do not fit an int64 and go out as doubles. */
const INT64_LIMIT = 2 ** 63;

/** One attribute value as an AnyValue, or undefined for what OpenTelemetry attributes cannot hold. */
export function anyValue(value: unknown): AnyValue | undefined {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      if (Number.isInteger(value) && Math.abs(value) < INT64_LIMIT) {
        return { intValue: Number.isSafeInteger(value) ? String(value) : BigInt(value).toString() };
      }
      // JSON has no NaN or Infinity; protobuf's JSON mapping spells them as strings.
      return { doubleValue: Number.isFinite(value) ? value : String(value) };
    case 'object':
      if (value === null) return {};
      if (Array.isArray(value)) return { arrayValue: { values: value.map((v) => anyValue(v) ?? {}) } };
  }
  return undefined;
}

/** Attributes as KeyValues, at most `MAX_ATTRIBUTES` (the rest counted, as the SDK counts them). Keys
 * that are empty and values OpenTelemetry attributes cannot hold are left out. */
export function attributesOf(input: AttributeInput | undefined): {
  attributes: KeyValue[];
  droppedAttributesCount?: number;
} {
  const attributes: KeyValue[] = [];
  for (const key of Object.keys(input ?? {})) {
    const value = key ? anyValue((input as AttributeInput)[key]) : undefined;
    if (value !== undefined) attributes.push({ key, value });
  }
  const dropped = attributes.length - MAX_ATTRIBUTES;
  return dropped > 0
    ? { attributes: attributes.slice(0, MAX_ATTRIBUTES), droppedAttributesCount: dropped }
    : { attributes };
}

/** Milliseconds since the epoch (fractional ones too) as the decimal string of nanoseconds. */
export function unixNanos(ms: number): string {
  const whole = Math.floor(ms);
  return (BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6))).toString();
}

/** The body of one OTLP/HTTP JSON export request: spans of one resource and one instrumentation scope. */
export function traceRequest(resource: KeyValue[], scope: string, spans: OtlpSpan[]): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ scope: { name: scope }, spans }] }],
  });
}

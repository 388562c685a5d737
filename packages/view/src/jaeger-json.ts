// The shapes of Jaeger's v1 query API (`/api/traces`), as much of them as the view reads. Attribute values
// arrive typed (`string`, `bool`, `int64`, `float64`); OTLP arrays arrive as JSON text in a string tag.

export interface JaegerTag {
  key: string;
  type?: string;
  value: unknown;
}

export interface JaegerLog {
  /** Microseconds since the epoch. */
  timestamp: number;
  fields: JaegerTag[];
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  /** Microseconds since the epoch. */
  startTime: number;
  duration?: number;
  tags?: JaegerTag[];
  logs?: JaegerLog[];
  processID?: string;
}

export interface JaegerProcess {
  serviceName: string;
  tags?: JaegerTag[];
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes?: Record<string, JaegerProcess>;
}

/** Tags as a plain object; later lists win (span tags over process tags). */
export function tagMap(...lists: (JaegerTag[] | undefined)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const tag of list) if (tag && typeof tag.key === 'string') out[tag.key] = tag.value;
  }
  return out;
}

/** The fields of the span's first event named `name`, or undefined. */
export function eventFields(span: JaegerSpan, name: string): Record<string, unknown> | undefined {
  for (const log of span.logs ?? []) {
    if (!Array.isArray(log?.fields)) continue;
    for (const field of log.fields) {
      if (field?.key === 'event' && field.value === name) return tagMap(log.fields);
    }
  }
  return undefined;
}

export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A non-negative integer count, whatever Jaeger's type for it (int64 may come as a string). */
export function count(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

export function flag(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}

/** An OTLP array attribute: Jaeger prints it as JSON text. */
export function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string' || !value.startsWith('[')) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

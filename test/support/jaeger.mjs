// Reads what Jaeger stored, through its HTTP query API (the Jaeger v1 JSON API: /api/traces).

/** The trace with this id, or undefined if Jaeger does not have it (yet). */
export async function getTrace(queryUrl, traceId) {
  const res = await fetch(`${queryUrl}/api/traces/${traceId}`);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`jaeger: ${res.status} ${await res.text()}`);
  const body = await res.json();
  return body.data?.[0];
}

/**
 * Traces of a service from the last `lookbackMs`, optionally filtered by span tags. Jaeger 2.13 ignores the
 * API's `lookback` (its window is 48 h unless `start` is given, in microseconds), so the window is `start`.
 */
export async function findTraces(queryUrl, { service, tags, limit = 1000, lookbackMs = 3_600_000 }) {
  const start = String((Date.now() - lookbackMs) * 1000);
  const params = new URLSearchParams({ service, limit: String(limit), start });
  if (tags) params.set('tags', JSON.stringify(tags));
  const res = await fetch(`${queryUrl}/api/traces?${params}`);
  if (!res.ok) throw new Error(`jaeger: ${res.status} ${await res.text()}`);
  return (await res.json()).data ?? [];
}

/** Every span named `exception` that Jaeger holds for a service. */
export async function exceptionSpans(queryUrl, service) {
  const traces = await findTraces(queryUrl, { service });
  return traces.flatMap((t) => t.spans.filter((s) => s.operationName === 'exception'));
}

/** Polls until `probe` returns a value other than undefined, or throws after `timeoutMs`. */
export async function eventually(probe, { timeoutMs = 15_000, intervalMs = 200, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits for a trace to be queryable in Jaeger. */
export function waitForTrace(queryUrl, traceId, timeoutMs) {
  return eventually(() => getTrace(queryUrl, traceId), { timeoutMs, what: `trace ${traceId} in Jaeger` });
}

/** A span's tags (and its process tags) as a plain object. */
export function tagsOf(trace, span = trace.spans[0]) {
  const out = {};
  for (const t of trace.processes[span.processID]?.tags ?? []) out[`resource.${t.key}`] = t.value;
  for (const t of span.tags) out[t.key] = t.value;
  return out;
}

/** The fields of a span's log (span event) named `name`, as a plain object. */
export function eventOf(span, name = 'exception') {
  for (const log of span.logs ?? []) {
    const fields = Object.fromEntries(log.fields.map((f) => [f.key, f.value]));
    if (fields.event === name) return fields;
  }
  return undefined;
}

/** Exception spans of a service once at least `count` are there (or what there is after `timeoutMs`). */
export async function waitForExceptionSpans(queryUrl, service, count, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let spans = await exceptionSpans(queryUrl, service);
  while (spans.length < count && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    spans = await exceptionSpans(queryUrl, service);
  }
  return spans;
}

/**
 * The reports of a service once `expected` (its exception messages) are there, and a second more to see
 * what else arrives: `messages` (sorted, every report's message, expected or not) and each one's tags.
 */
export async function reportsOf(queryUrl, service, expected, timeoutMs = 20_000) {
  await waitForExceptionSpans(queryUrl, service, expected.length, timeoutMs);
  await new Promise((r) => setTimeout(r, 1000));
  const spans = await exceptionSpans(queryUrl, service);
  const messages = spans.map((s) => String(eventOf(s)?.['exception.message'])).sort();
  const tags = Object.fromEntries(
    spans.map((s) => [String(eventOf(s)?.['exception.message']), tagsOf({ processes: {}, spans: [s] })]),
  );
  return { messages, tags };
}

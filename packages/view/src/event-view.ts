// One event as the issue page shows it, read from its trace: the stack parsed by core (with the cause
// chain), breadcrumbs relative to the error, context grouped the way people look for it, and the raw span.
import type { Breadcrumb, EventDetail } from './api-types';
import { errorsOfTrace } from './error-events';
import { framesOf } from './issue-tracker';
import { eventFields, type JaegerTrace, list, tagMap, text } from './jaeger-json';

const GROUPS: [group: string, test: (key: string) => boolean][] = [
  ['user', (k) => k.startsWith('user.') || k.startsWith('enduser.')],
  ['session', (k) => k.startsWith('session.') || k === 'faultline.page_view.id' || k === 'faultline.session'],
  ['page', (k) => k.startsWith('url.') || k.startsWith('http.') || k === 'faultline.viewport'],
  ['browser', (k) => k.startsWith('browser.') || k === 'user_agent.original'],
  ['process', (k) => k.startsWith('process.') || k.startsWith('thread.')],
  ['host', (k) => k.startsWith('host.') || k.startsWith('os.')],
  ['app', (k) => k.startsWith('app.') || k.startsWith('context.') || k.startsWith('tag.')],
  ['faultline', (k) => k.startsWith('faultline.')],
];

export function eventDetail(trace: JaegerTrace, spanId: string): EventDetail | undefined {
  const span = trace.spans?.find((s) => s.spanID === spanId);
  if (!span) return undefined;
  const error = errorsOfTrace({ ...trace, spans: [span] }).errors[0];
  if (!error) return undefined;
  const event = eventFields(span, 'exception') ?? {};
  const process = span.processID ? trace.processes?.[span.processID] : undefined;
  const resource = tagMap(process?.tags);
  // Groups in the order people look for them; whatever fits none comes last.
  const context: Record<string, Record<string, unknown>> = {};
  for (const [group] of GROUPS) context[group] = {};
  context.other = {};
  for (const [key, value] of Object.entries(tagMap(span.tags))) {
    const group = GROUPS.find(([, test]) => test(key))?.[0] ?? 'other';
    context[group]![key] = value;
  }
  for (const [group, values] of Object.entries(context)) if (Object.keys(values).length === 0) delete context[group];
  const relations = list(event['faultline.cause.relations']);
  const types = list(event['faultline.cause.types']);
  const messages = list(event['faultline.cause.messages']);
  const causes = relations.map((relation, i) => ({
    relation: String(relation),
    type: String(types[i] ?? ''),
    message: String(messages[i] ?? ''),
  }));
  const errorTimeUs = span.startTime;
  const breadcrumbs: Breadcrumb[] = [];
  for (const log of span.logs ?? []) {
    const fields = tagMap(log.fields);
    const name = text(fields.event) ?? '';
    if (name === 'exception') continue;
    const { event: _, ...attributes } = fields;
    breadcrumbs.push({
      name,
      time: new Date(log.timestamp / 1000).toISOString(),
      offsetMs: Math.round((log.timestamp - errorTimeUs) / 1000),
      attributes,
    });
  }
  breadcrumbs.sort((a, b) => a.offsetMs - b.offsetMs);
  return {
    traceId: error.traceId,
    spanId: error.spanId,
    time: new Date(error.time).toISOString(),
    service: error.service,
    fingerprint: error.fingerprint,
    type: error.type,
    message: error.message,
    handled: error.handled,
    mechanism: error.mechanism,
    stacktrace: error.stacktrace,
    exceptions: framesOf(error.stacktrace),
    causes,
    breadcrumbs,
    context,
    resource,
    raw: span,
  };
}

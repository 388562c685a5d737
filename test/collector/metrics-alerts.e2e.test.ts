// Error counts and alerts (issue 13) on the real Prometheus and Alertmanager (Debian's packages): the
// collector counts exception spans by the labels operations teams filter on, Prometheus scrapes them and
// evaluates collector-config/prometheus/alerts.yml, Alertmanager sends the alerts to a webhook here. The
// shipped rules and routes run with every duration divided by 60 (stack.mjs scaleDurations): 5 minutes
// are 5 seconds, thresholds and expressions are as users get them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dashboard } from '../../collector-config/grafana/dashboard.mjs';
import { startAlerting } from '../../collector-config/stack.mjs';
import { render, TARGET } from '../../scripts/generate-dashboard.mjs';
import { eventually } from '../support/jaeger.mjs';
import { agentEnv, REGISTER } from '../support/node.mjs';
import { exceptionSpan, sendOtlp } from '../support/otlp.mjs';

const stack = inject('stack' as never) as {
  urls: { otlpHttp: string; otlpTraces: string; jaegerQuery: string };
  ports: Record<string, number>;
};
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;
const run = Date.now() % 100000;
const TIME_SCALE = 60;
const suiteStart = Date.now();
const crashService = `metrics-crash-${run}`;

interface Alert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
}
const received: { at: number; alert: Alert }[] = [];
let dir: string;
let alerting: { stop(): Promise<void> };
const promUrl = () => `http://127.0.0.1:${stack.ports.prometheus}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faultline-prometheus-'));
  alerting = await startAlerting({
    ports: stack.ports,
    dataDir: dir,
    timeScale: TIME_SCALE,
    onAlert: (alert: Alert) => received.push({ at: Date.now(), alert }),
  });
});
afterAll(async () => {
  await alerting?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** An instant query's result. */
async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${promUrl()}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: never[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}

const alertsFor = (name: string, service: string, status?: string) =>
  received.filter(
    (r) =>
      r.alert.labels.alertname === name &&
      r.alert.labels.service_name === service &&
      (!status || r.alert.status === status),
  );

/** `count` exception spans of `service` in one request, as many clients would send them. */
function errors(service: string, count: number, attributes: Record<string, string | boolean> = {}) {
  const spans = Array.from({ length: count }, () =>
    exceptionSpan({
      resource: { 'service.name': service, 'deployment.environment.name': 'production' },
      attributes: {
        'faultline.category': 'code',
        'faultline.severity': 'error',
        'faultline.handled': false,
        ...attributes,
      },
    }),
  );
  return sendOtlp(stack.urls.otlpTraces, { resourceSpans: spans.flatMap((s) => s.payload.resourceSpans) });
}

describe('error counts in Prometheus', () => {
  it("a real Node process's crash is counted with its labels, and the crash alert reaches the webhook", async () => {
    const service = crashService;
    const result = spawnSync(
      node,
      ['--require', `${REGISTER}.cjs`, resolve(__dirname, '../node/apps/crash-refused.cjs')],
      {
        encoding: 'utf8',
        timeout: 20_000,
        env: agentEnv(stack.urls.otlpHttp, service, {
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=production,service.version=2.4.1',
        }),
      },
    );
    expect(result.status).toBe(1);
    const [series] = await eventually(
      async () => {
        const r = await query(`faultline_exceptions_total{service_name="${service}"}`);
        return r.length > 0 ? r : undefined;
      },
      { timeoutMs: 20_000, what: 'the crash in Prometheus' },
    );
    expect(series?.metric).toMatchObject({
      deployment_environment_name: 'production',
      service_version: '2.4.1',
      error_type: 'Error',
      faultline_category: 'network',
      faultline_transient: 'true',
      faultline_handled: 'false',
      faultline_severity: 'fatal',
    });
    expect(series?.value[1]).toBe('1');
    await eventually(() => alertsFor('FaultlineCrash', service, 'firing')[0], {
      timeoutMs: 30_000,
      what: 'FaultlineCrash at the webhook',
    });
  });

  it('a storm in one service fires the rate alert for it alone, and it resolves after the storm', async () => {
    const storm = `metrics-storm-${run}`;
    const quiet = `metrics-quiet-${run}`;
    // 40 errors/s in the storm for 15 s (above the 1/s threshold), 0.5/s in the quiet service.
    const started = Date.now();
    for (let second = 0; second < 15; second++) {
      expect((await errors(storm, 40)).status).toBe(200);
      if (second % 2 === 0) expect((await errors(quiet, 1)).status).toBe(200);
      await new Promise((r) => setTimeout(r, Math.max(0, started + (second + 1) * 1000 - Date.now())));
    }
    const firing = await eventually(() => alertsFor('FaultlineErrorRateHigh', storm, 'firing')[0], {
      timeoutMs: 30_000,
      what: 'FaultlineErrorRateHigh firing',
    });
    expect(firing.alert.labels).toMatchObject({ severity: 'warning', deployment_environment_name: 'production' });
    await eventually(() => alertsFor('FaultlineErrorRateHigh', storm, 'resolved')[0], {
      timeoutMs: 45_000,
      what: 'FaultlineErrorRateHigh resolved',
    });
    expect(alertsFor('FaultlineErrorRateHigh', quiet)).toEqual([]);
    // Its rate, while it lasted, was the storm's: 40/s (the 5 s window, scaled).
    const [peak] = await query(`max_over_time(service:faultline_exceptions:rate5m{service_name="${storm}"}[1m])`);
    expect(Number(peak?.value[1])).toBeGreaterThan(20);
  }, 120_000);

  it("counts exception spans only: not an SDK's ordinary spans, nor the withheld span, nor an agent event on an app span", async () => {
    const service = `metrics-only-${run}`;
    const plain = exceptionSpan({ name: 'GET /items', resource: { 'service.name': service } });
    const span = plain.payload.resourceSpans[0].scopeSpans[0].spans[0];
    span.events = [];
    span.status = { code: 0 };
    span.attributes = [];
    const withheld = exceptionSpan({ name: 'faultline.withheld', resource: { 'service.name': service } });
    withheld.payload.resourceSpans[0].scopeSpans[0].spans[0].events = [];
    // What an agent adds to the span active where the error happened: the event, with its mechanism.
    const parent = exceptionSpan({
      name: 'POST /checkout',
      resource: { 'service.name': service },
      event: { 'faultline.mechanism': 'uncaughtException' },
    });
    parent.payload.resourceSpans[0].scopeSpans[0].spans[0].attributes = [];
    const report = exceptionSpan({
      resource: { 'service.name': service },
      attributes: { 'faultline.severity': 'error', 'faultline.fingerprint': 'aaaabbbbccccdddd' },
    });
    const body = { resourceSpans: [plain, withheld, parent, report].flatMap((s) => s.payload.resourceSpans) };
    expect((await sendOtlp(stack.urls.otlpTraces, body)).status).toBe(200);
    const series = await eventually(
      async () => {
        const r = await query(`faultline_exceptions_total{service_name="${service}"}`);
        return r.length > 0 ? r : undefined;
      },
      { timeoutMs: 20_000, what: 'the report counted' },
    );
    // Two flushes later, still only the report.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await query(`sum(faultline_exceptions_total{service_name="${service}"})`))[0]?.value[1]).toBe('1');
    expect(series).toHaveLength(1);
    const [prints] = await query(`count(faultline_exceptions_by_fingerprint_total{service_name="${service}"})`);
    expect(prints?.value[1]).toBe('1');
  });

  it('a flood of distinct errors keeps the per-fingerprint series bounded, and counts the rest as overflow', async () => {
    const service = `metrics-flood-${run}`;
    const spans = Array.from({ length: 1500 }, (_, i) =>
      exceptionSpan({
        resource: { 'service.name': service },
        attributes: { 'faultline.fingerprint': `${run}-${i}`.padStart(16, '0') },
      }),
    );
    expect(
      (await sendOtlp(stack.urls.otlpTraces, { resourceSpans: spans.flatMap((s) => s.payload.resourceSpans) })).status,
    ).toBe(200);
    // The limit is per service (spanmetrics keeps one set per resource): 1,000 series, the other 500 errors in
    // the service's overflow series (its service is the exporter's job label, exported_job once scraped).
    const overflow = await eventually(
      async () => {
        const [o] = await query(
          `faultline_exceptions_by_fingerprint_total{otel_metric_overflow="true", exported_job="${service}"}`,
        );
        return o && Number(o.value[1]) >= 500 ? o : undefined;
      },
      { timeoutMs: 20_000, what: 'the overflow series' },
    );
    expect(overflow.value[1]).toBe('500');
    const [count] = await query(`count(faultline_exceptions_by_fingerprint_total{service_name="${service}"})`);
    expect(count?.value[1]).toBe('1000');
  });
});

describe('the Grafana dashboard (collector-config/grafana)', () => {
  it('faultline.json is what scripts/generate-dashboard.mjs writes from the typed source', () => {
    expect(readFileSync(TARGET, 'utf8')).toBe(render());
  });

  // Grafana cannot run here: each panel's query runs as Grafana would send it, variables and macros filled
  // in (the service that crashed above, every environment), against the real Prometheus and Jaeger.
  it("every panel's query runs against the real Prometheus and Jaeger and finds the errors sent above", async () => {
    const fill = (text: string) =>
      text
        .replaceAll('$__rate_interval', '1m')
        .replaceAll('$__range', '1h')
        .replaceAll('$service', crashService)
        .replaceAll('$environment', '.*');
    const results: [string, number][] = [];
    for (const panel of dashboard.panels ?? []) {
      for (const target of (panel as { targets: Record<string, unknown>[] }).targets) {
        const source = (target.datasource as { type: string }).type;
        if (source === 'prometheus') {
          const params = new URLSearchParams({ query: fill(String(target.expr)) });
          let url = `${promUrl()}/api/v1/query?${params}`;
          if (!target.instant) {
            params.set('start', String(suiteStart / 1000));
            params.set('end', String(Date.now() / 1000));
            params.set('step', '1');
            url = `${promUrl()}/api/v1/query_range?${params}`;
          }
          const body = (await (await fetch(url)).json()) as {
            status: string;
            error?: string;
            data: { result: unknown[] };
          };
          expect(body.status, `${panel.title}: ${body.error}`).toBe('success');
          results.push([String(panel.title), body.data.result.length]);
        } else {
          expect(source).toBe('jaeger');
          const params = new URLSearchParams({
            service: fill(String(target.service)),
            operation: String(target.operation),
            limit: String(target.limit),
          });
          const body = (await (await fetch(`${stack.urls.jaegerQuery}/api/traces?${params}`)).json()) as {
            data: unknown[];
          };
          results.push([String(panel.title), body.data.length]);
        }
      }
    }
    for (const [title, found] of results) expect(found, title).toBeGreaterThan(0);
    expect(results.map(([title]) => title)).toHaveLength(7);
  });
});

// The scale-out layout run for real (issue 16): the agents' errors into an edge collector, through Kafka
// 4.1.1 (KRaft, from Maven Central's jars) and two gateway collectors in one consumer group, into Jaeger on
// OpenSearch. A gateway killed mid-stream loses nothing, a redelivered message is read once, and errors sent
// while Kafka is down wait in the edge's queue on disk and arrive once it is back.
import { execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GROUP, startLayout, TOPIC } from '../../collector-config/scale/layout.mjs';
import { agentReady, flushAgent, launchChromium, PAGE_ORIGIN, servePages } from '../support/browser.mjs';
import { eventOf, eventually, findTraces, tagsOf } from '../support/jaeger.mjs';
import { agentEnv, REGISTER } from '../support/node.mjs';
import { attributes, exceptionSpan, newSpanId, newTraceId, sendOtlp } from '../support/otlp.mjs';
import { TEST_PORT_SHIFT } from '../support/ports.mjs';
import { startView } from '../support/view.mjs';

const stack = inject('stack' as never) as { binaries: { collector: string; jaeger: string } };
// Ports of their own: the defaults shifted, plus 60 (the OpenSearch suite takes 50; gateways add 10 and 20).
const shift = TEST_PORT_SHIFT + 60;
const root = resolve(__dirname, '../..');
const run = Date.now() % 100000;
const collectorConfig = join(root, 'collector-config');

type Layout = Awaited<ReturnType<typeof startLayout>>;
type JaegerSpan = { spanID: string; operationName: string };

/** `count` exception spans of `service` in one OTLP/JSON request, each in a trace of its own, as another SDK sends them. */
function spans(service: string, count: number) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const ids: string[] = [];
  const list = Array.from({ length: count }, (_, i) => {
    const spanId = newSpanId();
    ids.push(spanId);
    return {
      traceId: newTraceId(),
      spanId,
      name: 'exception',
      kind: 1,
      startTimeUnixNano: String(now + BigInt(i)),
      endTimeUnixNano: String(now + BigInt(i) + 1000n),
      status: { code: 2, message: 'Error: stream' },
      attributes: attributes({ 'error.type': 'Error' }),
      events: [
        {
          timeUnixNano: String(now),
          name: 'exception',
          attributes: attributes({
            'exception.type': 'Error',
            'exception.message': `stream ${i}`,
            'exception.stacktrace': 'Error: stream\n    at pump (/srv/app/stream.js:7:9)',
          }),
        },
      ],
    };
  });
  return {
    ids,
    payload: {
      resourceSpans: [
        {
          resource: { attributes: attributes({ 'service.name': service }) },
          scopeSpans: [{ scope: { name: 'e2e-stream' }, spans: list }],
        },
      ],
    },
  };
}

/** The distinct span ids of exception spans Jaeger returns for `service`, and how many spans it returned. */
async function storedSpans(jaegerQuery: string, service: string) {
  const traces = (await findTraces(jaegerQuery, { service, limit: 10_000 })) as { spans: JaegerSpan[] }[];
  const returned = traces.flatMap((t) => t.spans.filter((s) => s.operationName === 'exception'));
  return { ids: new Set(returned.map((s) => s.spanID)), returned: returned.length };
}

/** Waits until Jaeger holds every one of `ids` for `service`; returns what it holds. */
function allStored(layout: Layout, service: string, ids: string[], timeoutMs = 60_000) {
  return eventually(
    async () => {
      const stored = await storedSpans(layout.urls.jaegerQuery, service);
      return ids.every((id) => stored.ids.has(id)) ? stored : undefined;
    },
    { timeoutMs, intervalMs: 1000, what: `${ids.length} spans of ${service} in Jaeger` },
  );
}

/** Sends `requests` requests of `perRequest` spans to the edge, `intervalMs` apart; `during(i)` runs before request i. */
async function stream(
  layout: Layout,
  service: string,
  {
    requests,
    perRequest,
    intervalMs,
    during,
  }: { requests: number; perRequest: number; intervalMs: number; during?: (i: number) => Promise<void> },
) {
  const sent: string[] = [];
  for (let i = 0; i < requests; i++) {
    await during?.(i);
    const batch = spans(service, perRequest);
    const res = await sendOtlp(layout.urls.edgeTraces, batch.payload);
    expect(res.status, await res.text()).toBe(200);
    sent.push(...batch.ids);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return sent;
}

/** The collector's own view of a configuration: every file merged, every default filled in. */
async function resolvedConfig(...files: string[]) {
  const { stdout } = await promisify(execFile)(
    stack.binaries.collector,
    [
      'print-config',
      '--mode',
      'unredacted',
      '--format',
      'json',
      ...files.flatMap((f) => ['--config', join(collectorConfig, f)]),
    ],
    { maxBuffer: 16 << 20 },
  );
  return JSON.parse(stdout);
}

/**
 * Jaeger's search while traces are arriving: nothing yet, rather than a failure, while OpenSearch still
 * allocates the shards of an index that was just created ("all shards failed", a 503 Jaeger passes on as 500).
 */
async function searchWhileArriving(jaegerQuery: string, service: string) {
  try {
    return await findTraces(jaegerQuery, { service });
  } catch (err) {
    if (/all shards failed/.test(String(err))) return [];
    throw err;
  }
}

describe('the configs', () => {
  it('gives the edge the public endpoint, auth and tenant rules of faultline.yaml, unchanged', async () => {
    const [edge, single] = await Promise.all([resolvedConfig('scale/edge.yaml'), resolvedConfig('faultline.yaml')]);
    for (const kind of ['receivers', 'processors', 'extensions'] as const)
      for (const name of Object.keys(edge[kind]).filter((n) => !/^(file_storage|health_check)/.test(n)))
        expect([kind, name, edge[kind][name]]).toEqual([kind, name, single[kind][name]]);
    expect(edge.exporters.kafka.partition_traces_by_id).toBe(true);
    expect(edge.exporters.kafka.sending_queue.storage).toBe('file_storage/queue');
  });

  it('runs faultline.yaml on the gateways with nothing that answers before Jaeger has the spans', async () => {
    const [gateway, single] = await Promise.all([
      resolvedConfig('faultline.yaml', 'scale/gateway.yaml'),
      resolvedConfig('faultline.yaml'),
    ]);
    const pipelines = gateway.service.pipelines;
    expect(pipelines['traces/in'].receivers).toEqual(['kafka']);
    // The same processors, less the tenant's (set at the edge, from its auth) and the batch processor.
    expect(pipelines['traces/in'].processors).toEqual(
      single.service.pipelines['traces/in'].processors.filter((p: string) => !p.endsWith('/tenant')),
    );
    for (const [name, pipeline] of Object.entries(single.service.pipelines) as [string, { processors: string[] }][])
      if (name !== 'traces/in' && name !== 'logs')
        expect([name, pipelines[name].processors]).toEqual([name, pipeline.processors.filter((p) => p !== 'batch')]);
    expect(gateway.connectors).toEqual(single.connectors);
    const queue = gateway.exporters['otlp/jaeger'].sending_queue;
    expect([queue.storage, queue.wait_for_result]).toEqual([null, true]);
    expect(gateway.receivers.kafka.message_marking).toEqual({ after: true, on_error: false, on_permanent_error: true });
  });
});

describe('edge → Kafka → two gateways → Jaeger on OpenSearch', () => {
  let layout: Layout;
  let browser: Browser | undefined;

  beforeAll(async () => {
    layout = await startLayout({ shift, gateways: 2, corsOrigins: [PAGE_ORIGIN], binaries: stack.binaries });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await layout?.stop();
    if (layout) rmSync(layout.dir, { recursive: true, force: true });
  }, 120_000);

  const runNode = (file: string, service: string) =>
    new Promise<number | null>((r) => {
      const child = spawn(process.execPath, ['--require', `${REGISTER}.cjs`, file], {
        env: agentEnv(layout.urls.edgeOtlpHttp, service),
        stdio: 'ignore',
      });
      child.once('exit', (code) => r(code));
    });

  it("delivers the Node and browser agents' errors and other SDKs' spans, processed by the gateways", async () => {
    const nodeService = `kafka-node-${run}`;
    const webService = `kafka-web-${run}`;
    for (let i = 0; i < 2; i++) expect(await runNode(join(root, 'examples/node-app/checkout.js'), nodeService)).toBe(1);

    const pages = await servePages({
      '/': `<!doctype html><html><head>
<script src="/faultline.min.js" data-endpoint="${layout.urls.edgeTraces}" data-service-name="${webService}" data-environment="production"></script>
</head><body><script>setTimeout(() => { throw new TypeError('cart is undefined'); }, 0);</script></body></html>`,
    });
    try {
      browser = await launchChromium();
      const tab = await browser.newPage();
      await tab.goto(`${PAGE_ORIGIN}/`);
      await agentReady(tab);
      await tab.waitForTimeout(200);
      await flushAgent(tab);
    } finally {
      await pages.close();
    }

    // Another SDK's exception, with a secret, through the tenants' endpoint: the edge sets the tenant from
    // the credentials, a gateway redacts, marks, fingerprints and routes it.
    const other = exceptionSpan({
      resource: { 'service.name': `kafka-other-${run}`, 'telemetry.sdk.name': 'opentelemetry' },
      event: { 'exception.message': 'no account for ann.lee@example.com' },
    });
    const res = await sendOtlp(
      layout.urls.edgeOtlpHttp.replace(/:\d+$/, `:${layout.ports.otlpTenantsHttp}/v1/traces`),
      other.payload,
      {
        authorization: `Basic ${Buffer.from('acme:acme-demo-secret').toString('base64')}`,
      },
    );
    expect(res.status).toBe(200);

    const jaeger = layout.urls.jaegerQuery;
    const nodeTraces = await eventually(
      async () => {
        const t = await searchWhileArriving(jaeger, nodeService);
        return t.length === 2 ? t : undefined;
      },
      { timeoutMs: 60_000, what: 'the Node errors' },
    );
    expect(eventOf(nodeTraces[0].spans[0])['exception.type']).toBe('TypeError');
    const [web] = await eventually(
      async () => {
        const t = await searchWhileArriving(jaeger, webService);
        return t.length ? t : undefined;
      },
      { timeoutMs: 30_000, what: 'the browser error' },
    );
    expect(eventOf(web.spans[0])['exception.message']).toContain('cart is undefined');
    expect(tagsOf(web)['resource.faultline.route']).toBe('production');
    const [otherTrace] = await eventually(
      async () => {
        const t = await searchWhileArriving(jaeger, `kafka-other-${run}`);
        return t.length ? t : undefined;
      },
      { timeoutMs: 30_000, what: "the other SDK's span" },
    );
    const tags = tagsOf(otherTrace);
    expect([tags['faultline.exception'], tags['faultline.tenant'], tags['resource.faultline.route']]).toEqual([
      true,
      'acme',
      'tenant-acme',
    ]);
    expect(tags['faultline.fingerprint']).toMatch(/^[0-9a-f]{16}$/);
    expect(eventOf(otherTrace.spans[0])['exception.message']).toBe('no account for [REDACTED:email]');

    // Both gateways read: the group's partitions are shared between two members.
    const lag = await layout.lag();
    expect(
      new Set(lag.partitions.map((p: { consumer?: string }) => p.consumer?.replace(/-[0-9a-f-]{36}$/, ''))).size,
    ).toBe(2);
  }, 120_000);

  it('loses nothing when a gateway is killed mid-stream: the other takes its partitions', async () => {
    const service = `kafka-kill-${run}`;
    const sent = await stream(layout, service, {
      requests: 40,
      perRequest: 50,
      intervalMs: 100,
      during: async (i) => {
        if (i === 12) await layout.killGateway(1);
      },
    });
    const stored = await allStored(layout, service, sent);
    expect(stored.ids.size).toBe(sent.length);
    expect([...stored.ids].filter((id) => !sent.includes(id))).toEqual([]);
    const lag = await eventually(
      async () => {
        const l = await layout.lag();
        return l.lag === 0 && l.partitions.every((p: { consumer?: string }) => p.consumer?.startsWith('gateway-1-'))
          ? l
          : undefined;
      },
      { timeoutMs: 30_000, what: 'gateway-1 owning every partition, no lag' },
    );
    expect(lag.partitions).toHaveLength(6);
    await layout.startGateway(1);
  }, 150_000);

  it('reads a redelivered message once: Jaeger stores it twice, its API and the view return each span once', async () => {
    const service = `kafka-dup-${run}`;
    const sent = await stream(layout, service, { requests: 4, perRequest: 25, intervalMs: 50 });
    await allStored(layout, service, sent);
    await eventually(async () => ((await layout.lag()).lag === 0 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'no lag',
    });
    // Every message read again, as a gateway that delivered but died before it committed would leave it.
    await layout.stopGateway(0);
    await layout.stopGateway(1);
    await layout.kafka.resetOffsets(GROUP, TOPIC);
    await layout.startGateway(0);
    await layout.startGateway(1);
    // Copies per span id. Reading again is at least once: a rebalance while the gateways start can hand a
    // partition over before its reader committed, and a span is then stored a third time.
    const copies = () =>
      fetch(`${layout.opensearch.url}/faultline-jaeger-span-*/_search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          size: 0,
          query: { term: { 'process.serviceName': service } },
          aggs: { ids: { terms: { field: 'spanID', size: 10 * sent.length } } },
        }),
      }).then(async (r) => {
        const body = (await r.json()) as { aggregations: { ids: { buckets: { key: string; doc_count: number }[] } } };
        return new Map(body.aggregations.ids.buckets.map((b) => [b.key, b.doc_count]));
      });
    // The second copy is really stored (this test would pass for nothing otherwise).
    // Every earlier test's messages are read again too, on a machine that may be busy: time for all of them.
    let counted = new Map<string, number>();
    const twice = async () => {
      counted = await copies();
      return sent.every((id) => (counted.get(id) ?? 0) >= 2) ? true : undefined;
    };
    await eventually(twice, {
      timeoutMs: 120_000,
      what: `every one of ${sent.length} spans stored at least twice in OpenSearch`,
    }).catch((err) => {
      const once = sent.filter((id) => (counted.get(id) ?? 0) < 2).length;
      throw new Error(`${err.message} (${once} stored fewer times)`);
    });
    expect([...counted.keys()].filter((id) => !sent.includes(id))).toEqual([]);
    const stored = await storedSpans(layout.urls.jaegerQuery, service);
    expect([stored.ids.size, stored.returned]).toEqual([sent.length, sent.length]);

    const view = await startView([
      '--port',
      String(8090 + shift),
      '--jaeger',
      layout.urls.jaegerQuery,
      '--data',
      join(layout.dir, 'view'),
      '--poll-interval',
      '500ms',
    ]);
    try {
      const issues = await eventually(
        async () => {
          const body = (await (await fetch(`${view.url}/api/issues?service=${service}`)).json()) as {
            issues: { events: number }[];
          };
          return body.issues.length ? body.issues : undefined;
        },
        { timeoutMs: 30_000, what: 'the issue in the view' },
      );
      expect(issues.map((i) => i.events)).toEqual([sent.length]);
    } finally {
      await view.stop();
    }
  }, 180_000);

  it('keeps accepting while Kafka is down, and delivers it all from the edge queue once Kafka is back', async () => {
    const service = `kafka-outage-${run}`;
    const nodeService = `kafka-outage-node-${run}`;
    // Kafka goes while the gateways may still be re-reading the redelivery: a message in flight then is cut
    // off, its partition paused, and resumed when reassigned (collector-config/patches/: v0.149.0 did not).
    await layout.kafka.stop();
    const sent = await stream(layout, service, { requests: 10, perRequest: 50, intervalMs: 100 });
    expect(await runNode(join(root, 'examples/node-app/checkout.js'), nodeService)).toBe(1);
    // Down for a while: nothing gets through meanwhile (the spans are in the edge's queue, not elsewhere).
    await new Promise((r) => setTimeout(r, 3000));
    expect((await storedSpans(layout.urls.jaegerQuery, service)).ids.size).toBe(0);
    await layout.kafka.start();
    const stored = await allStored(layout, service, sent, 90_000);
    expect(stored.ids.size).toBe(sent.length);
    await eventually(
      async () => ((await searchWhileArriving(layout.urls.jaegerQuery, nodeService)).length === 1 ? true : undefined),
      { timeoutMs: 30_000, what: 'the Node error sent while Kafka was down' },
    );
  }, 180_000);
});

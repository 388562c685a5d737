// A stand-in for Jaeger's v1 query API on loopback, for the poll loop's tests: it answers the queries the
// poller sends from a list of traces (a trace matches when one of its spans starts in the window and fits
// the query), records every request, and fails the windows a test says it should.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JaegerTrace } from '../src/jaeger-json';

export interface TraceQuery {
  service: string;
  operation?: string;
  tags?: string;
  /** Microseconds. */
  start: number;
  end: number;
}

export interface FakeJaeger {
  url: string;
  traces: JaegerTrace[];
  requests: string[];
  queries: TraceQuery[];
  /** Answer 500 to a trace query when this says so. */
  fails: (query: TraceQuery) => boolean;
  /** Answer 500 to everything. */
  down: boolean;
  /** Answer a trace query this late. */
  delayMs: (query: TraceQuery) => number;
  close(): Promise<void>;
}

export async function fakeJaeger(): Promise<FakeJaeger> {
  const fake: FakeJaeger = {
    url: '',
    traces: [],
    requests: [],
    queries: [],
    fails: () => false,
    down: false,
    delayMs: () => 0,
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://jaeger.test');
    fake.requests.push(url.pathname + url.search);
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (fake.down) return send(500, { errors: [{ msg: 'down' }] });
    if (url.pathname === '/api/services') {
      const services = new Set(fake.traces.flatMap((t) => Object.values(t.processes ?? {}).map((p) => p.serviceName)));
      return send(200, { data: [...services] });
    }
    if (url.pathname === '/api/traces') {
      const p = url.searchParams;
      const query: TraceQuery = {
        service: p.get('service') ?? '',
        start: Number(p.get('start')),
        end: Number(p.get('end')),
        ...(p.get('operation') ? { operation: p.get('operation')! } : {}),
        ...(p.get('tags') ? { tags: p.get('tags')! } : {}),
      };
      fake.queries.push(query);
      const delay = fake.delayMs(query);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (fake.fails(query)) return send(500, { errors: [{ msg: 'failing window' }] });
      const limit = Number(p.get('limit') ?? 20);
      const found = fake.traces.filter((t) =>
        t.spans.some((s) => {
          const service = s.processID ? t.processes?.[s.processID]?.serviceName : undefined;
          if (service !== query.service || s.startTime < query.start || s.startTime > query.end) return false;
          if (query.operation) return s.operationName === query.operation;
          return (s.tags ?? []).some((tag) => tag.key === 'faultline.exception' && tag.value === true);
        }),
      );
      return send(200, { data: found.slice(0, limit) });
    }
    const one = /^\/api\/traces\/([0-9a-f]+)$/.exec(url.pathname);
    if (one) {
      const trace = fake.traces.find((t) => t.traceID === one[1]);
      return trace ? send(200, { data: [trace] }) : send(404, { errors: [{ msg: 'trace not found' }] });
    }
    send(404, {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

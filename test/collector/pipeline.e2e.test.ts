// The real pipeline: OTLP into faultline's collector (collector-config/faultline.yaml), read back from
// Jaeger's query API. Nothing is mocked; the collector and Jaeger are the binaries a user runs.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { eventOf, getTrace, tagsOf, waitForTrace } from '../support/jaeger.mjs';
import { exceptionSpan, sendOtlp } from '../support/otlp.mjs';

interface StackInfo {
  urls: { otlpTraces: string; otlpTenantsTraces: string; jaegerQuery: string; control: string; otlpHttp: string };
  ports: Record<string, number>;
  origins: string[];
}
const stack = inject('stack' as never) as StackInfo;

interface SecretCase {
  kind: string;
  value: string;
  secrets: string[];
  url?: string;
  urlSecrets?: string[];
  keep?: string;
  toEnd?: boolean;
}
// The one corpus of core's unit tests, the faultline processor's Go tests and this suite.
const corpus = JSON.parse(
  readFileSync(
    new URL('../../collector-config/faultlineprocessor/testdata/redaction-corpus.json', import.meta.url),
    'utf8',
  ),
) as {
  secrets: SecretCase[];
  lookalikes: { kind: string; value: string }[];
  deniedKeys: Record<string, string>;
};

// Any SDK but faultline's: the collector must not depend on what the client says it is.
const OTHER_SDK = { 'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.language': 'python' };

/** One exception span with `text` in the message, stack trace, a span and a resource attribute, the status. */
const planted = (text: string, resource: Record<string, string>, url?: string) =>
  exceptionSpan({
    resource: { ...resource, 'app.resource_note': text },
    attributes: {
      'app.note': text,
      ...(url ? { 'url.full': url } : {}),
      'faultline.fingerprint': '4111111111111111',
    },
    event: {
      'exception.message': text,
      'exception.stacktrace': `Error: ${text}\n    at handler (/srv/app/index.js:10:5)`,
    },
    statusMessage: `Error: ${text}`,
  });

/** Where `planted` put the text, as Jaeger returns it. */
const placementsOf = (trace: any) => {
  const tags = tagsOf(trace);
  const event = eventOf(trace.spans[0]);
  return {
    message: event?.['exception.message'],
    stacktrace: event?.['exception.stacktrace'],
    'span attribute': tags['app.note'],
    'resource attribute': tags['resource.app.resource_note'],
    'status message': tags['otel.status_description'],
  };
};

/** Sends every payload in one request (each its own resourceSpans); returns the trace ids in order. */
const sendAll = async (spans: { traceId: string; payload: any }[]) => {
  const payload = { resourceSpans: spans.flatMap((s) => s.payload.resourceSpans) };
  await send(payload);
  return spans.map((s) => s.traceId);
};

const send = async (payload: unknown, url = stack.urls.otlpTraces, headers: Record<string, string> = {}) => {
  const res = await sendOtlp(url, payload, headers);
  expect(res.status, await res.clone().text()).toBe(200);
};

describe('the collector pipeline, end to end', () => {
  beforeAll(async () => {
    const res = await fetch(`http://127.0.0.1:${stack.ports.collectorHealth}/`);
    expect(res.status).toBe(200);
  });

  it('delivers an exception span to Jaeger with its event attributes intact', async () => {
    const { traceId, payload } = exceptionSpan({
      resource: { 'service.name': 'checkout', 'deployment.environment.name': 'production' },
      attributes: { 'faultline.fingerprint': '0123456789abcdef', 'session.id': 'b5e2c1d0-0000-4000-8000-00000000abcd' },
      event: {
        'exception.type': 'TypeError',
        'exception.message': "Cannot read properties of undefined (reading 'total')",
        'exception.stacktrace':
          "TypeError: Cannot read properties of undefined (reading 'total')\n    at sum (/srv/app/cart.js:12:9)",
        'faultline.fingerprint': '0123456789abcdef',
        'faultline.mechanism': 'uncaughtException',
        'faultline.handled': false,
      },
      statusMessage: "TypeError: Cannot read properties of undefined (reading 'total')",
    });
    await send(payload);
    const trace = await waitForTrace(stack.urls.jaegerQuery, traceId);
    const span = trace.spans[0];
    expect(span.operationName).toBe('exception');
    expect(eventOf(span)).toEqual({
      event: 'exception',
      'exception.type': 'TypeError',
      'exception.message': "Cannot read properties of undefined (reading 'total')",
      'exception.stacktrace':
        "TypeError: Cannot read properties of undefined (reading 'total')\n    at sum (/srv/app/cart.js:12:9)",
      'faultline.fingerprint': '0123456789abcdef',
      'faultline.mechanism': 'uncaughtException',
      'faultline.handled': false,
    });
    expect(tagsOf(trace)).toMatchObject({
      'faultline.fingerprint': '0123456789abcdef',
      'session.id': 'b5e2c1d0-0000-4000-8000-00000000abcd',
      'otel.status_description': "TypeError: Cannot read properties of undefined (reading 'total')",
    });
    expect(trace.processes[span.processID].serviceName).toBe('checkout');
  });

  describe('redaction of planted secrets, sent from a non-faultline SDK', () => {
    let secretTraces: string[] = [];
    let claimedTraces: string[] = [];
    let lookalikeTraces: string[] = [];
    beforeAll(async () => {
      secretTraces = await sendAll(corpus.secrets.map((c) => planted(`BEFORE ${c.value} AFTER`, OTHER_SDK, c.url)));
      // A resource that claims to be a faultline agent gets every rule too (issue 10, item 9): any sender can
      // say it, so it must not opt its data out of anything.
      claimedTraces = await sendAll(
        corpus.secrets.map((c) => planted(`BEFORE ${c.value} AFTER`, { 'telemetry.sdk.name': 'faultline' }, c.url)),
      );
      lookalikeTraces = await sendAll(corpus.lookalikes.map((c) => planted(`BEFORE ${c.value} AFTER`, OTHER_SDK)));
    });

    corpus.secrets.forEach((c, i) => {
      it(`removes ${c.kind} from message, stack trace, attributes, URL and status, and keeps the text around it`, async () => {
        const trace = await waitForTrace(stack.urls.jaegerQuery, secretTraces[i] as string);
        const stored = JSON.stringify(trace);
        for (const secret of [...c.secrets, ...(c.urlSecrets ?? [])])
          expect(stored).not.toContain(JSON.stringify(secret).slice(1, -1));
        for (const [where, value] of Object.entries(placementsOf(trace))) {
          expect(value, where).toMatch(/BEFORE /);
          if (!c.toEnd) expect(value, where).toMatch(/ AFTER/);
          expect(value, where).toMatch(/\[REDACTED/);
        }
        if (c.url && c.keep) expect(tagsOf(trace)['url.full']).toContain(c.keep);
        // A 16-digit fingerprint looks like a card number: it must come through untouched.
        expect(tagsOf(trace)['faultline.fingerprint']).toBe('4111111111111111');
      });
    });

    corpus.secrets.forEach((c, i) => {
      it(`removes ${c.kind} from a resource that says telemetry.sdk.name: faultline`, async () => {
        const trace = await waitForTrace(stack.urls.jaegerQuery, claimedTraces[i] as string);
        const stored = JSON.stringify(trace);
        for (const secret of [...c.secrets, ...(c.urlSecrets ?? [])])
          expect(stored).not.toContain(JSON.stringify(secret).slice(1, -1));
      });
    });

    corpus.lookalikes.forEach((c, i) => {
      it(`keeps ${c.kind} intact everywhere`, async () => {
        const trace = await waitForTrace(stack.urls.jaegerQuery, lookalikeTraces[i] as string);
        const text = `BEFORE ${c.value} AFTER`;
        expect(placementsOf(trace)).toEqual({
          message: text,
          stacktrace: `Error: ${text}\n    at handler (/srv/app/index.js:10:5)`,
          'span attribute': text,
          'resource attribute': text,
          'status message': `Error: ${text}`,
        });
      });
    });

    it('masks the whole value of denylisted keys, in span events too', async () => {
      const { traceId, payload } = exceptionSpan({
        resource: OTHER_SDK,
        attributes: corpus.deniedKeys,
        event: corpus.deniedKeys,
      });
      await send(payload);
      const trace = await waitForTrace(stack.urls.jaegerQuery, traceId);
      const tags = tagsOf(trace);
      const event = eventOf(trace.spans[0]) ?? {};
      for (const [key, value] of Object.entries(corpus.deniedKeys)) {
        expect(tags[key], key).toBe('[REDACTED]');
        expect(event[key], key).toBe('[REDACTED]');
        expect(JSON.stringify(trace)).not.toContain(value);
      }
    });
  });

  describe('routing', () => {
    const routeOf = async (traceId: string) =>
      tagsOf(await waitForTrace(stack.urls.jaegerQuery, traceId))['resource.faultline.route'];
    const tenantAuth = { authorization: `Basic ${Buffer.from('acme:acme-demo-secret').toString('base64')}` };

    it.each([
      ['production', { 'deployment.environment.name': 'production' }, 'production'],
      ['staging', { 'deployment.environment.name': 'staging' }, 'nonproduction'],
      ['development', { 'deployment.environment.name': 'development' }, 'nonproduction'],
      ['no environment (unmatched: the default pipeline)', {}, 'default'],
    ])('sends %s to its destination', async (_label, resource, route) => {
      const { traceId, payload } = exceptionSpan({ resource });
      await send(payload);
      expect(await routeOf(traceId)).toBe(route);
    });

    it('routes a tenant by its authenticated identity', async () => {
      const { traceId, payload } = exceptionSpan({ resource: { 'deployment.environment.name': 'production' } });
      await send(payload, stack.urls.otlpTenantsTraces, tenantAuth);
      const trace = await waitForTrace(stack.urls.jaegerQuery, traceId);
      expect(tagsOf(trace)['resource.faultline.route']).toBe('tenant-acme');
      expect(tagsOf(trace)['faultline.tenant']).toBe('acme');
    });

    it('ignores a tenant the client declares itself, in attributes or headers', async () => {
      const { traceId, payload } = exceptionSpan({
        resource: { 'deployment.environment.name': 'staging', 'faultline.tenant': 'acme' },
        attributes: { 'faultline.tenant': 'acme' },
      });
      await send(payload, stack.urls.otlpTraces, { 'x-tenant': 'acme', 'x-scope-orgid': 'acme' });
      const trace = await waitForTrace(stack.urls.jaegerQuery, traceId);
      expect(tagsOf(trace)['resource.faultline.route']).toBe('nonproduction');
      expect(tagsOf(trace)['faultline.tenant']).toBeUndefined();
      expect(tagsOf(trace)['resource.faultline.tenant']).toBeUndefined();
    });

    it('refuses the tenant endpoint without valid credentials', async () => {
      const { payload } = exceptionSpan();
      expect((await sendOtlp(stack.urls.otlpTenantsTraces, payload)).status).toBe(401);
      const wrong = { authorization: `Basic ${Buffer.from('acme:wrong').toString('base64')}` };
      expect((await sendOtlp(stack.urls.otlpTenantsTraces, payload, wrong)).status).toBe(401);
    });
  });

  describe('bad input', () => {
    const health = async () => (await fetch(`http://127.0.0.1:${stack.ports.collectorHealth}/`)).status;

    it('answers a malformed OTLP body with 400 and stays up', async () => {
      const json = await fetch(stack.urls.otlpTraces, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"resourceSpans": [',
      });
      expect(json.status).toBe(400);
      const proto = await fetch(stack.urls.otlpTraces, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
      });
      expect(proto.status).toBe(400);
      expect(await health()).toBe(200);
    });

    it('refuses an oversized body (limit 4 MiB) with a 4xx and stays up', async () => {
      const { payload } = exceptionSpan({ event: { 'exception.message': 'x'.repeat(5 * 1024 * 1024) } });
      const res = await sendOtlp(stack.urls.otlpTraces, payload).catch((err) => ({ status: `error ${err}` }));
      expect(String(res.status)).toMatch(/^4\d\d$/);
      expect(await health()).toBe(200);
    });

    it('answers CORS preflights for configured origins only', async () => {
      const preflight = (origin: string) =>
        fetch(stack.urls.otlpTraces, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });
      const allowed = await preflight(stack.origins[0] as string);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(stack.origins[0]);
      const refused = await preflight('https://evil.example');
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(await health()).toBe(200);
    });
  });

  describe('Jaeger down', () => {
    it('queues what is sent while Jaeger is stopped and delivers every error once it is back, none twice', async () => {
      expect((await fetch(`${stack.urls.control}/jaeger/stop`, { method: 'POST' })).status).toBe(204);
      const sent = [];
      for (let i = 0; i < 20; i++) {
        const { traceId, payload } = exceptionSpan({ event: { 'exception.message': `while down ${i}` } });
        await send(payload);
        sent.push(traceId);
      }
      await new Promise((r) => setTimeout(r, 1500)); // the exporter fails and retries meanwhile
      expect((await fetch(`${stack.urls.control}/jaeger/start`, { method: 'POST' })).status).toBe(204);
      for (const traceId of sent) {
        const trace = await waitForTrace(stack.urls.jaegerQuery, traceId, 30_000);
        expect(trace.spans).toHaveLength(1);
      }
      // Retries must not duplicate: look again after the queue has settled.
      await new Promise((r) => setTimeout(r, 2000));
      for (const traceId of sent) expect((await getTrace(stack.urls.jaegerQuery, traceId))?.spans).toHaveLength(1);
      const up = await fetch(`http://127.0.0.1:${stack.ports.collectorHealth}/`);
      expect(up.status).toBe(200);
    });
  });
});

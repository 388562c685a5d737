import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningView, startView } from '../src/view';
import { type FakeJaeger, fakeJaeger } from './fake-jaeger';
import { exceptionTrace } from './traces';

const hex = (v: number, w: number) => v.toString(16).padStart(w, '0');
let jaeger: FakeJaeger;
let view: RunningView;

beforeAll(async () => {
  jaeger = await fakeJaeger();
  const now = Date.now();
  for (let i = 0; i < 3; i++)
    jaeger.traces.push(
      exceptionTrace({ traceId: hex(i + 1, 32), spanId: `a${hex(i + 1, 15)}`, fingerprint: `fp${i}`, timeMs: now - i }),
    );
  // Fingerprints come from the data: other SDKs' (through the collector) need not be 16 hex digits.
  for (const [i, fingerprint] of ['svc.checkout:v2', 'x'.repeat(100), 'ümlaut fp'].entries())
    jaeger.traces.push(
      exceptionTrace({ traceId: hex(i + 10, 32), spanId: `b${hex(i + 10, 15)}`, fingerprint, timeMs: now - 10 }),
    );
  view = await startView(
    {
      host: '127.0.0.1',
      port: 0,
      jaeger: jaeger.url,
      jaegerUi: '',
      dataDir: mkdtempSync(join(tmpdir(), 'faultline-server-')),
      pollIntervalMs: 3_600_000,
      backfillMs: 86_400_000,
      webhooks: [],
      spike: { events: 100, minutes: 5 },
    },
    { html: Buffer.from('<!doctype html>'), files: new Map() },
  );
  await view.pollNow();
});
afterAll(async () => {
  await view.close();
  await jaeger.close();
});

const list = async (query: string) => {
  const res = await fetch(`${view.url}/api/issues?${query}`);
  return { status: res.status, body: (await res.json()) as { issues: { id: string }[]; error?: string } };
};

describe('the issues API', () => {
  it('takes status=all, as the page puts it in the address, for every status', async () => {
    expect('state' in view.tracker.setStatus('fp1', { status: 'resolved' })).toBe(true);
    const all = await list('status=all');
    expect(all.status).toBe(200);
    const ids = (body: { issues: { id: string }[] }) =>
      body.issues
        .map((i) => i.id)
        .filter((id) => id.startsWith('fp'))
        .sort();
    expect(ids(all.body)).toEqual(['fp0', 'fp1', 'fp2']);
    expect(ids((await list('status=unresolved')).body)).toEqual(['fp0', 'fp2']);
  });

  it('refuses a status it does not know, rather than answering an empty list', async () => {
    const bogus = await list('status=bogus');
    expect(bogus.status).toBe(400);
    expect(bogus.body.error).toMatch(/status/);
  });
});

describe('issues whatever their fingerprint', () => {
  it('can be opened, resolved and merged like any other', async () => {
    for (const id of ['svc.checkout:v2', 'x'.repeat(100), 'ümlaut fp']) {
      const path = `${view.url}/api/issues/${encodeURIComponent(id)}`;
      const detail = await fetch(path);
      expect(detail.status, id).toBe(200);
      expect(((await detail.json()) as { issue: { id: string } }).issue.id).toBe(id);
      const post = (what: string, body: unknown) =>
        fetch(`${path}/${what}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await post('status', { status: 'ignored' })).status, id).toBe(200);
      expect((await post('merge', { into: 'fp0' })).status, id).toBe(200);
      expect((await post('merge', { into: null })).status, id).toBe(200);
    }
  });
});

describe('hostile requests', () => {
  const KEYS = ['service', 'environment', 'release', 'status', 'handled', 'query', 'sort', 'limit', 'offset', 'event'];

  it('never answer 500, whatever the query string or the id', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/api/issues',
          '/api/issues/fp0',
          '/api/issues/__proto__',
          '/api/events/1/a1',
          '/',
          '/traces/ab',
        ),
        fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.string({ unit: 'binary', maxLength: 40 })), { maxLength: 4 }),
        async (path, params) => {
          const q = new URLSearchParams(params).toString();
          const res = await fetch(`${view.url}${path}?${q}`, { redirect: 'manual' });
          await res.arrayBuffer();
          expect(res.status, `${path}?${q}`).toBeLessThan(500);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never answer 500 to a state change, whatever the body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/issues/fp2/status', '/api/issues/fp2/merge', '/api/issues/nope/merge'),
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.string({ unit: 'binary', maxLength: 60 }),
        ),
        async (path, body) => {
          const res = await fetch(`${view.url}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          await res.arrayBuffer();
          expect(res.status, `${path} ${body}`).toBeLessThan(500);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await fetch(`${view.url}/api/issues/fp2/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'resolved', pad: 'x'.repeat(100_000) }),
    });
    expect(res.status).toBe(413);
  });
});

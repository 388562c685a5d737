import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    expect(all.body.issues.map((i) => i.id).sort()).toEqual(['fp0', 'fp1', 'fp2']);
    expect((await list('status=unresolved')).body.issues.map((i) => i.id).sort()).toEqual(['fp0', 'fp2']);
  });

  it('refuses a status it does not know, rather than answering an empty list', async () => {
    const bogus = await list('status=bogus');
    expect(bogus.status).toBe(400);
    expect(bogus.body.error).toMatch(/status/);
  });
});

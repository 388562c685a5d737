import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertSender, slackBody } from '../src/alerts';
import { IssueIndex } from '../src/issue-index';
import { IssueTracker } from '../src/issue-tracker';
import type { JaegerTrace } from '../src/jaeger-json';
import { StateFile } from '../src/state-file';
import { exceptionTrace } from './traces';

/** A real webhook receiver on loopback: answers with the next scripted status (200 when none is left). */
let server: Server;
let url = '';
const received: { path: string; body: Record<string, unknown> }[] = [];
const script: number[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const status = script.shift() ?? 200;
      if (status === 200) received.push({ path: req.url ?? '', body: JSON.parse(body) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

const MINUTE = 60_000;
let n = 0;
const hex = (v: number, w: number) => v.toString(16).padStart(w, '0');
function error(fingerprint: string, timeMs: number, release = '1.0.0'): JaegerTrace {
  n++;
  return exceptionTrace({ traceId: hex(n, 32), spanId: `e${hex(n, 15)}`, fingerprint, timeMs, release });
}

function tracker(dir: string, clock: { now: number }, path = '/hook') {
  const alerts = new AlertSender([{ url: `${url}${path}`, format: 'json' }], { baseDelayMs: 20 });
  const t = new IssueTracker({
    index: new IssueIndex(),
    state: StateFile.open(dir, clock.now),
    alerts,
    spike: { events: 10, minutes: 5 },
    pageUrl: 'http://view.test',
    now: () => clock.now,
  });
  return { t, alerts };
}

const alertsAt = (path: string) =>
  received.filter((r) => r.path === path).map((r) => `${r.body.event} ${(r.body.issue as { id: string }).id}`);

describe('issue alerts', () => {
  it('alerts once for a new issue, once for its regression, once for a spike, and not again after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-alerts-'));
    const clock = { now: Date.UTC(2026, 11, 1, 12) };
    const old = error('old', clock.now - 60 * MINUTE); // before the view watched: no "new" alert
    const { t, alerts } = tracker(dir, clock, '/a');
    const traces = [old];
    t.ingest([old]);
    t.settle();
    clock.now += MINUTE;
    for (let i = 0; i < 3; i++) traces.push(error('fresh', clock.now - i));
    t.ingest(traces.slice(1));
    t.settle();
    await alerts.idle();
    expect(alertsAt('/a')).toEqual(['issue.new fresh']);

    expect('state' in t.setStatus('fresh', { status: 'resolved' })).toBe(true);
    clock.now += MINUTE;
    const again = [error('fresh', clock.now), error('fresh', clock.now + 1)];
    traces.push(...again);
    t.ingest(again);
    t.settle();
    expect(t.summary('fresh')?.status).toBe('regressed');
    clock.now += MINUTE;
    const spike = Array.from({ length: 12 }, (_, i) => error('fresh', clock.now - i));
    traces.push(...spike);
    t.ingest(spike);
    t.settle();
    const more = [error('fresh', clock.now + 5)];
    traces.push(...more);
    t.ingest(more);
    t.settle();
    await alerts.idle();
    expect(alertsAt('/a')).toEqual(['issue.new fresh', 'issue.regressed fresh', 'issue.spike fresh']);
    expect(received.find((r) => r.path === '/a')?.body).toMatchObject({
      url: 'http://view.test/issues/fresh',
      issue: { frames: ['checkout (src/cart.js:12)'], events: 3 },
    });

    // A restart: the index is rebuilt from the same traces; nothing is new, nothing regresses again.
    const restarted = tracker(dir, clock, '/a');
    restarted.t.ingest(traces);
    restarted.t.settle();
    await restarted.alerts.idle();
    expect(alertsAt('/a')).toHaveLength(3);
    expect(restarted.t.summary('fresh')).toMatchObject({ status: 'regressed', events: traces.length - 1 });
  });

  it('resolved in the next release: a restart reading older events of a newer release does not regress it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-alerts-'));
    const clock = { now: Date.UTC(2026, 11, 1, 12) };
    // A canary of 1.5.0 failed first; the last event before the resolution came from 1.4.2.
    const traces = [error('canary', clock.now - 2 * MINUTE, '1.5.0'), error('canary', clock.now - MINUTE, '1.4.2')];
    const { t } = tracker(dir, clock, '/next');
    t.ingest(traces);
    t.settle();
    expect('state' in t.setStatus('canary', { status: 'resolved', inNextRelease: true })).toBe(true);
    clock.now += MINUTE;
    const restarted = tracker(dir, clock, '/next');
    restarted.t.ingest(traces);
    restarted.t.settle();
    await restarted.alerts.idle();
    expect(restarted.t.summary('canary')?.status).toBe('resolved');
    expect(alertsAt('/next').filter((a) => a.startsWith('issue.regressed'))).toEqual([]);
    // An event of a newer release after the resolution still does.
    const later = [error('canary', clock.now, '1.5.1')];
    restarted.t.ingest(later);
    restarted.t.settle();
    await restarted.alerts.idle();
    expect(restarted.t.summary('canary')?.status).toBe('regressed');
    expect(alertsAt('/next').filter((a) => a.startsWith('issue.regressed'))).toEqual(['issue.regressed canary']);
  });

  it('delivers an alert still undelivered when the view stopped once it runs again, and only once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-alerts-'));
    const clock = { now: Date.UTC(2026, 11, 1, 12) };
    const slow = new AlertSender([{ url: `${url}/outbox`, format: 'json' }], { baseDelayMs: 60_000 });
    const first = new IssueTracker({
      index: new IssueIndex(),
      state: StateFile.open(dir, clock.now),
      alerts: slow,
      spike: { events: 10, minutes: 5 },
      now: () => clock.now,
    });
    script.push(503); // the receiver is down: the retry waits a minute, and the view stops meanwhile
    const traces = [error('outboxed', clock.now + 1)];
    first.ingest(traces);
    first.settle();
    await new Promise((r) => setTimeout(r, 200));
    expect(alertsAt('/outbox')).toEqual([]);

    const { t, alerts } = tracker(dir, clock, '/outbox');
    t.ingest(traces);
    t.settle();
    await alerts.idle();
    expect(alertsAt('/outbox')).toEqual(['issue.new outboxed']);
    const again = tracker(dir, clock, '/outbox');
    again.t.ingest(traces);
    again.t.settle();
    await again.alerts.idle();
    expect(alertsAt('/outbox')).toEqual(['issue.new outboxed']);
  });

  it('sends one digest when a round brings many new issues', async () => {
    const clock = { now: Date.UTC(2026, 11, 1, 12) };
    const { t, alerts } = tracker(mkdtempSync(join(tmpdir(), 'faultline-alerts-')), clock, '/digest');
    t.ingest(Array.from({ length: 8 }, (_, i) => error(`deploy${i}`, clock.now + i)));
    t.settle();
    await alerts.idle();
    const digests = received.filter((r) => r.path === '/digest');
    expect(digests).toHaveLength(1);
    expect(String((digests[0]!.body.issue as { title: string }).title)).toMatch(/^8 issues, the busiest: /);
  });

  it('retries a failing webhook with backoff, and counts what it gives up on', async () => {
    const sender = new AlertSender([{ url: `${url}/retry`, format: 'json' }], { baseDelayMs: 10 });
    script.push(500, 503, 200);
    const issue = {
      id: 'x',
      title: 'E: x',
      service: 's',
      events: 1,
      users: 0,
      firstSeen: '',
      lastSeen: '',
      status: 'unresolved',
      frames: [],
    };
    sender.send({ kind: 'new', issue, url: 'http://view.test/issues/x' });
    await sender.idle();
    expect(sender.stats).toMatchObject({ sent: 1, failed: 0 });
    expect(received.filter((r) => r.path === '/retry')).toHaveLength(1);
    script.push(400);
    sender.send({ kind: 'new', issue, url: 'http://view.test/issues/x' });
    await sender.idle();
    expect(sender.stats).toMatchObject({ sent: 1, failed: 1 });
    expect(sender.stats.lastFailure).toBe(`${url}: HTTP 400`);
  });

  it("escapes Slack's markup, so an error message cannot forge a link", () => {
    const body = slackBody({
      kind: 'new',
      issue: {
        id: 'x',
        title: 'Error: <https://evil.example|click> & co',
        service: 's',
        events: 1,
        users: 0,
        firstSeen: '',
        lastSeen: '',
        status: 'unresolved',
        frames: [],
      },
      url: 'http://view.test/issues/x',
    });
    // The top-level text too: Slack shows it in notifications, and Mattermost and Rocket.Chat show only it.
    for (const text of [JSON.stringify(body.blocks), String(body.text)]) {
      expect(text).not.toContain('<https://evil.example');
      expect(text).toContain('&lt;https://evil.example|click&gt; &amp; co');
    }
  });
});

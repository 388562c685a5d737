import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlertSender } from '../src/alerts';
import { IssueIndex } from '../src/issue-index';
import { IssueTracker } from '../src/issue-tracker';
import { StateFile } from '../src/state-file';
import { exceptionTrace } from './traces';

const NOW = Date.UTC(2026, 11, 1, 12);
const hex = (v: number, w: number) => v.toString(16).padStart(w, '0');

/** Issue fpK has K+1 events, the last K hours ago; odd ones are handled. */
function tracker(issues: number) {
  const t = new IssueTracker({
    index: new IssueIndex(),
    state: StateFile.open(mkdtempSync(join(tmpdir(), 'faultline-list-')), NOW),
    alerts: new AlertSender([]),
    spike: { events: 100, minutes: 5 },
    now: () => NOW,
  });
  let n = 0;
  for (let k = 0; k < issues; k++)
    for (let e = 0; e <= k; e++) {
      n++;
      t.ingest([
        exceptionTrace({
          traceId: hex(n, 32),
          spanId: `f${hex(n, 15)}`,
          fingerprint: `fp${k}`,
          timeMs: NOW - k * 3_600_000 - e,
          handled: k % 2 === 1,
        }),
      ]);
    }
  t.settle();
  return t;
}

describe('the issues list', () => {
  it('sorts on the index and pages through every match', () => {
    const t = tracker(30);
    const first = t.list({ sort: 'events', limit: 20 });
    expect(first.matched).toBe(30);
    expect(first.issues.map((i) => i.events)).toEqual(Array.from({ length: 20 }, (_, i) => 30 - i));
    const rest = t.list({ sort: 'events', limit: 20, offset: 20 });
    expect(rest.issues.map((i) => i.id)).toEqual(Array.from({ length: 10 }, (_, i) => `fp${9 - i}`));
    expect(t.list({}).issues[0]?.id).toBe('fp0'); // last seen first
    expect(t.list({ sort: 'firstSeen' }).issues[0]?.id).toBe('fp0');
  });

  it('filters on status (unresolved includes regressed), handled and text', () => {
    const t = tracker(6);
    t.setStatus('fp2', { status: 'resolved' });
    t.setStatus('fp3', { status: 'ignored' });
    const ids = (q: Parameters<IssueTracker['list']>[0]) =>
      t
        .list(q)
        .issues.map((i) => i.id)
        .sort();
    expect(ids({ status: 'unresolved' })).toEqual(['fp0', 'fp1', 'fp4', 'fp5']);
    expect(ids({ status: 'resolved' })).toEqual(['fp2']);
    expect(ids({ handled: 'false' })).toEqual(['fp0', 'fp2', 'fp4']);
    expect(ids({ handled: 'true' })).toEqual(['fp1', 'fp3', 'fp5']);
    expect(ids({ query: 'BOOM FP5' })).toEqual(['fp5']);
    expect(ids({ service: 'nope' })).toEqual([]);
  });

  it('lists under handled=true/false exactly the issues whose own handled says so', () => {
    const t = tracker(0);
    const add = (n: number, fingerprint: string, handled: boolean) =>
      t.ingest([
        exceptionTrace({ traceId: hex(n, 32), spanId: `b${hex(n, 15)}`, fingerprint, timeMs: NOW - n, handled }),
      ]);
    add(1, 'mixed', true);
    add(2, 'mixed', false);
    add(3, 'caught', true);
    add(4, 'crash', false);
    t.settle();
    for (const handled of ['true', 'false']) {
      const issues = t.list({ handled }).issues;
      expect(issues.map((i) => i.handled)).toEqual(issues.map(() => handled === 'true'));
      expect(issues.length).toBe(t.list({}).issues.filter((i) => String(i.handled) === handled).length);
    }
  });

  it('counts a merged fingerprint in the issue it was merged into', () => {
    const t = tracker(3);
    expect('state' in t.merge('fp1', 'fp2')).toBe(true);
    const list = t.list({ sort: 'events' });
    expect(list.matched).toBe(2);
    expect(list.issues[0]).toMatchObject({ id: 'fp2', events: 5, fingerprints: ['fp2', 'fp1'] });
    expect(t.merge('fp2', 'fp2')).toMatchObject({ code: 400 });
    t.merge('fp1', null);
    expect(t.list({}).matched).toBe(3);
  });
});

describe('fingerprints that are names of Object.prototype', () => {
  it('are issues like any other: listed as unresolved, resolved, and kept across a reopen', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-proto-'));
    const make = () =>
      new IssueTracker({
        index: new IssueIndex(),
        state: StateFile.open(dir, NOW),
        alerts: new AlertSender([]),
        spike: { events: 100, minutes: 5 },
        now: () => NOW,
      });
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'plain'];
    const traces = names.map((fingerprint, i) =>
      exceptionTrace({ traceId: hex(i + 1, 32), spanId: `e${hex(i + 1, 15)}`, fingerprint, timeMs: NOW - i }),
    );
    const t = make();
    t.ingest(traces);
    t.settle();
    expect(
      t
        .list({ status: 'unresolved' })
        .issues.map((i) => [i.id, i.status, i.revision])
        .sort(),
    ).toEqual(names.map((n) => [n, 'unresolved', 0]).sort());
    expect('state' in t.setStatus('__proto__', { status: 'resolved' })).toBe(true);
    expect('state' in t.setStatus('constructor', { status: 'ignored', revision: 0 })).toBe(true);
    const again = make();
    again.ingest(traces);
    again.settle();
    expect(
      again
        .list({})
        .issues.map((i) => [i.id, i.status])
        .sort(),
    ).toEqual([
      ['__proto__', 'resolved'],
      ['constructor', 'ignored'],
      ['hasOwnProperty', 'unresolved'],
      ['plain', 'unresolved'],
      ['toString', 'unresolved'],
    ]);
  });
});

describe('the list over whatever Jaeger returns', () => {
  it('answers, whatever the spans hold (a span without a usable start time is not an event)', () => {
    const base = exceptionTrace({ traceId: hex(1, 32), spanId: `a${hex(1, 15)}`, fingerprint: 'fp', timeMs: NOW });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.constantFrom(undefined, null, '1', Number.NaN, 1e300)), (startTime) => {
        const t = tracker(0);
        t.ingest([{ ...base, spans: base.spans.map((s) => ({ ...s, startTime: startTime as number })) }]);
        t.settle();
        for (const issue of t.list({}).issues) expect(t.detail(issue.id)).toBeDefined();
      }),
    );
  });
});

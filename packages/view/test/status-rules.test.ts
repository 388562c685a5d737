import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  afterArrival,
  afterTime,
  applyRequest,
  compareReleases,
  INITIAL_STATE,
  parseStatusRequest,
  type StatusRequest,
} from '../src/status-rules';

const T = Date.UTC(2026, 11, 1);

describe('issue status', () => {
  it('regresses a resolved issue on an event after the resolution, not on a late one from before', () => {
    const resolved = applyRequest(INITIAL_STATE, { status: 'resolved' }, { events: 10, lastRelease: '1.0.0' }, T);
    expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: T, revision: 1 });
    expect(afterArrival(resolved, { time: T - 60_000, release: '1.0.0' }, 11, T + 1000)).toBeUndefined();
    expect(afterArrival(resolved, { time: T + 1, release: '1.0.0' }, 11, T + 1000)).toMatchObject({
      status: 'regressed',
      revision: 2,
    });
  });

  it('resolved in the next release: only an event from a newer release regresses it', () => {
    const resolved = applyRequest(
      INITIAL_STATE,
      { status: 'resolved', inNextRelease: true },
      { events: 3, lastRelease: '1.4.2' },
      T,
    );
    expect(resolved.inNextRelease).toBe('1.4.2');
    expect(afterArrival(resolved, { time: T + 5000, release: '1.4.2' }, 4, T + 5000)).toBeUndefined();
    expect(afterArrival(resolved, { time: T + 5000 }, 4, T + 5000)).toBeUndefined();
    expect(afterArrival(resolved, { time: T + 5000, release: '1.4.10' }, 5, T + 5000)?.status).toBe('regressed');
  });

  it('ignored until N more events, or until a date, comes back as unresolved', () => {
    const byCount = applyRequest(INITIAL_STATE, { status: 'ignored', untilEvents: 5 }, { events: 20 }, T);
    expect(afterArrival(byCount, { time: T + 1 }, 24, T + 1)).toBeUndefined();
    expect(afterArrival(byCount, { time: T + 2 }, 25, T + 2)?.status).toBe('unresolved');
    const byDate = applyRequest(INITIAL_STATE, { status: 'ignored', until: T + 3_600_000 }, { events: 20 }, T);
    expect(afterTime(byDate, T + 3_599_999)).toBeUndefined();
    expect(afterTime(byDate, T + 3_600_000)?.status).toBe('unresolved');
    const forever = applyRequest(INITIAL_STATE, { status: 'ignored' }, { events: 20 }, T);
    expect(afterArrival(forever, { time: T + 1 }, 10_000, T + 1)).toBeUndefined();
    expect(afterTime(forever, T + 1e12)).toBeUndefined();
  });

  it('keeps a merge through every change, and bumps the revision each time', () => {
    const merged = { ...INITIAL_STATE, mergedInto: 'abc' };
    const resolved = applyRequest(merged, { status: 'resolved' }, { events: 1 }, T);
    const regressed = afterArrival(resolved, { time: T + 1 }, 2, T + 1)!;
    expect([resolved.mergedInto, regressed.mergedInto]).toEqual(['abc', 'abc']);
    expect([resolved.revision, regressed.revision]).toEqual([1, 2]);
  });

  it('refuses malformed requests with a reason, and takes well-formed ones', () => {
    for (const bad of [
      null,
      [],
      'resolved',
      { status: 'done' },
      { status: 'ignored', untilEvents: 0 },
      { status: 'ignored', until: 'soon' },
      { status: 'resolved', revision: -1 },
      { status: 'resolved', inNextRelease: 'yes' },
    ])
      expect(typeof parseStatusRequest(bad)).toBe('string');
    expect(
      parseStatusRequest({ status: 'ignored', untilEvents: 10, until: '2026-12-24T00:00:00Z', revision: 3 }),
    ).toEqual({
      status: 'ignored',
      untilEvents: 10,
      until: Date.parse('2026-12-24T00:00:00Z'),
      revision: 3,
    } satisfies StatusRequest);
  });

  it('never throws on any request body', () => {
    fc.assert(fc.property(fc.anything(), (body) => void parseStatusRequest(body)));
  });
});

describe('release order', () => {
  it('orders numeric parts as numbers and a pre-release below its release', () => {
    const sorted = ['2.0.0', '1.10.0', '1.9.2', '2.0.0-rc.1', 'v1.2.0', '1.2.0-beta.10', '1.2.0-beta.2'].sort(
      compareReleases,
    );
    expect(sorted).toEqual(['1.2.0-beta.2', '1.2.0-beta.10', 'v1.2.0', '1.9.2', '1.10.0', '2.0.0-rc.1', '2.0.0']);
  });

  it('is antisymmetric and reflexive for any strings', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(Math.sign(compareReleases(a, b))).toBe(-Math.sign(compareReleases(b, a)) || 0);
        expect(compareReleases(a, a)).toBe(0);
      }),
    );
  });
});

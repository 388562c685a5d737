import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateFile } from '../src/state-file';
import { applyRequest, INITIAL_STATE } from '../src/status-rules';

const dir = () => mkdtempSync(join(tmpdir(), 'faultline-view-state-'));

describe('the state file', () => {
  it('keeps states and alert marks across a reopen, and the time it started watching', () => {
    const d = dir();
    const a = StateFile.open(d, 1000);
    a.set('fp1', applyRequest(INITIAL_STATE, { status: 'resolved' }, { events: 1 }, 2000));
    a.markAlert('fp1', { new: 1500 });
    a.save();
    const b = StateFile.open(d, 9999);
    expect(b.get('fp1')).toMatchObject({ status: 'resolved', resolvedAt: 2000, revision: 1 });
    expect(b.alerts('fp1')).toEqual({ new: 1500 });
    expect(b.watchingSince).toBe(1000);
    expect(b.get('unknown')).toEqual(INITIAL_STATE);
    expect(readdirSync(d)).toEqual(['state.json']); // no temporary file left behind
  });

  it('keeps an unreadable file aside, says so, and starts afresh', () => {
    const d = dir();
    writeFileSync(join(d, 'state.json'), '{"version": 1, "issues": ');
    const warnings: string[] = [];
    const s = StateFile.open(d, 5, (line) => warnings.push(line));
    expect(warnings[0]).toMatch(/kept as .*state\.json\.unreadable-5/);
    expect(readFileSync(join(d, 'state.json.unreadable-5'), 'utf8')).toBe('{"version": 1, "issues": ');
    expect(s.entries()).toEqual([]);
  });

  it('drops entries it cannot read and keeps the rest', () => {
    const d = dir();
    writeFileSync(
      join(d, 'state.json'),
      JSON.stringify({
        version: 1,
        watchingSince: 1,
        issues: { good: { status: 'ignored', revision: 2, changedAt: 1 }, bad: { status: 'gone' } },
        alerts: {},
      }),
    );
    const s = StateFile.open(d);
    expect(s.entries().map(([id]) => id)).toEqual(['good']);
  });
});

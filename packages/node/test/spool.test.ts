import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ClaimedEntry, claimNext, MAX_SPOOL_FILES, writeClaimed, writeSpool } from '../src/spool';

const body = (s: string) => new TextEncoder().encode(s);

/** Every report a process can claim now, as claimNext hands them out. */
function claimSpool(dir: string): ClaimedEntry[] {
  const out: ClaimedEntry[] = [];
  for (let e = claimNext(dir); e; e = claimNext(dir)) out.push(e);
  return out;
}

describe('the disk spool', () => {
  it('writes reports and hands each to exactly one claimer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-spool-unit-'));
    expect(writeSpool(dir, { signal: 'traces', body: body('{"a":1}') })).toBe(true);
    expect(writeSpool(dir, { signal: 'logs', body: body('{"b":2}') })).toBe(true);
    const first = claimSpool(dir);
    const second = claimSpool(dir);
    expect(first.map((e) => [e.signal, new TextDecoder().decode(e.body)]).sort()).toEqual([
      ['logs', '{"b":2}'],
      ['traces', '{"a":1}'],
    ]);
    expect(second).toEqual([]);
    for (const e of first) e.done();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('hands out the oldest report first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-spool-unit-'));
    writeFileSync(join(dir, '2000-1-b.traces.otlp.json'), 'second');
    writeFileSync(join(dir, '1000-1-a.traces.otlp.json'), 'first');
    expect(new TextDecoder().decode(claimNext(dir)?.body)).toBe('first');
  });

  it('keeps a write-ahead copy claimed by this process: no other sender takes it until it is released', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-spool-unit-'));
    const entry = writeClaimed(dir, { signal: 'traces', body: body('{"wal":1}') });
    expect(entry).toBeDefined();
    expect(claimNext(dir)).toBeUndefined();
    entry?.release();
    expect(new TextDecoder().decode(claimNext(dir)?.body)).toBe('{"wal":1}');
  });

  it('takes back at once a file claimed by a process that is gone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-spool-unit-'));
    // pid 2^22 + 1 is above Linux's pid_max: no such process
    writeFileSync(join(dir, '1000-1-a.traces.otlp.json.claimed-4194305-zzzz'), '{"orphan":1}');
    // and one claimed by an earlier process with this very pid (a container's pid 1 at its next start)
    writeFileSync(join(dir, `1001-1-b.traces.otlp.json.claimed-${process.pid}-old`), '{"same pid":1}');
    expect(claimSpool(dir).map((e) => new TextDecoder().decode(e.body))).toEqual(['{"orphan":1}', '{"same pid":1}']);
  });

  it('leaves alone a file a live process is sending', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-spool-unit-'));
    writeFileSync(join(dir, `1000-1-a.traces.otlp.json.claimed-${process.ppid}-abc`), '{}');
    expect(claimNext(dir)).toBeUndefined();
  });

  it('puts a released report back for the next process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-spool-unit-'));
    writeSpool(dir, { signal: 'traces', body: body('{}') });
    for (const e of claimSpool(dir)) e.release();
    expect(claimSpool(dir)).toHaveLength(1);
  });

  it('is bounded in count: a full spool refuses (the caller counts the drop)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-spool-unit-'));
    for (let i = 0; i < MAX_SPOOL_FILES; i++)
      expect(writeSpool(dir, { signal: 'traces', body: body('{}') })).toBe(true);
    expect(writeSpool(dir, { signal: 'traces', body: body('{}') })).toBe(false);
  });

  it('is bounded in bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-spool-unit-'));
    expect(writeSpool(dir, { signal: 'traces', body: new Uint8Array(9 * 1024 * 1024) })).toBe(false);
  });

  it('ignores half-written files (a process killed mid-write)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-spool-unit-'));
    writeFileSync(join(dir, '1-2-abc.traces.tmp'), '{"resourceSp');
    expect(claimSpool(dir)).toEqual([]);
  });

  it('never throws on a directory it cannot use', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fl-spool-unit-')), 'a-file');
    writeFileSync(file, '');
    expect(writeSpool(join(file, 'spool'), { signal: 'traces', body: body('{}') })).toBe(false);
    expect(claimNext('/nonexistent/spool')).toBeUndefined();
    expect(writeClaimed(join(file, 'spool'), { signal: 'traces', body: body('{}') })).toBeUndefined();
  });
});

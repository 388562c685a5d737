import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimSpool, MAX_SPOOL_FILES, writeSpool } from '../src/spool';

const body = (s: string) => new TextEncoder().encode(s);

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
    expect(claimSpool('/nonexistent/spool')).toEqual([]);
  });
});

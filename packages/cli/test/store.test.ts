// The store layout shared with the collector (testdata/store-keys.json; internal/sourcemaps's
// TestStoreKeysAreTheCLIs runs the same cases).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { debugIdPath, mapPath, segment } from '../src/store';

const keys = JSON.parse(
  readFileSync(
    new URL('../../../collector-config/faultlineprocessor/testdata/store-keys.json', import.meta.url),
    'utf8',
  ),
) as {
  maps: { service: string; release: string; url: string; path: string }[];
  debugIds: { debugId: string; path: string }[];
};

describe('the store layout', () => {
  it.each(keys.maps.map((k) => [`${k.service} ${k.release} ${k.url}`, k] as const))(
    'puts %s where the collector looks',
    (_n, k) => {
      expect(mapPath(k.service, k.release, k.url)).toBe(k.path);
    },
  );

  it('files maps by debug ID, lower-cased', () => {
    for (const k of keys.debugIds) expect(debugIdPath(k.debugId)).toBe(k.path);
  });

  it('never makes a segment that leaves its directory or hides', () => {
    for (const name of ['..', '.', '../x', 'a/b', 'a\\b', '.env', 'x\u0000y'])
      expect(segment(name)).toMatch(/^[A-Za-z0-9_%-][A-Za-z0-9_.%-]*$/);
    expect(segment('')).toBeUndefined();
    expect(segment('é'.repeat(100))).toBeUndefined();
    expect(() => mapPath('', '1', 'x')).toThrow(/service name/);
  });
});

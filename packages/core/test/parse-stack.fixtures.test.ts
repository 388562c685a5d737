// The shared corpus: 85 real stacks from many engines (fixtures/stacks.json, copied from the project's
// shared fixtures; each case names the public test suite it came from). Every case must parse exactly, by
// the conventions in fixtures/README.md: optional frames may be dropped, `alt` lists other accepted answers.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseStack } from '../src/index';
import { framesMatch } from './fixtures/match-frames.mjs';

interface Location {
  file: string | null;
  line: number | null;
  column: number | null;
}
interface ExpectedFrame extends Location {
  function: string | null;
  native?: boolean;
  async?: boolean;
  optional?: boolean;
  eval?: Record<string, unknown>;
  wasm?: Record<string, unknown>;
  promise_index?: number;
  alt?: { function?: string[]; location?: Location[] };
}
interface FixtureCase {
  id: string;
  runtime: string;
  stack: string | null;
  frames: ExpectedFrame[];
}

const fixturesPath = fileURLToPath(new URL('./fixtures/stacks.json', import.meta.url));
const cases: FixtureCase[] = JSON.parse(readFileSync(fixturesPath, 'utf8'));

describe('parseStack on the shared corpus of real stacks', () => {
  it('has all 85 cases', () => {
    expect(cases).toHaveLength(85);
  });
  for (const c of cases) {
    it(`parses ${c.id} (${c.runtime}) exactly`, () => {
      const frames = parseStack(c.stack);
      if (!framesMatch(frames, c.frames, { flags: true })) {
        // Show both sides in the failure message.
        expect(frames.map(({ inApp, ...f }) => f)).toEqual(c.frames);
      }
    });
  }
});

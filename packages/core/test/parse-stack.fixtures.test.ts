// The shared corpus: 85 real stacks from many engines (fixtures/stacks.json, copied from the project's
// shared fixtures; each case names the public test suite it came from). Every case must parse exactly, by
// the conventions in fixtures/README.md: optional frames may be dropped, `alt` lists other accepted answers.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseStack, type StackFrame } from '../src/index';

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

function frameMatches(actual: StackFrame, expected: ExpectedFrame): boolean {
  const fn = actual.function ?? null;
  const fnOk = fn === expected.function || (expected.alt?.function ?? []).includes(fn as string);
  const loc = { file: actual.file ?? null, line: actual.line ?? null, column: actual.column ?? null };
  const locOk = [expected, ...(expected.alt?.location ?? [])].some(
    (e) => e.file === loc.file && e.line === loc.line && e.column === loc.column,
  );
  const flagsOk =
    (actual.native ?? false) === (expected.native ?? false) &&
    (actual.async ?? false) === (expected.async ?? false) &&
    JSON.stringify(actual.eval ? stripUndefined(actual.eval) : null) === JSON.stringify(expected.eval ?? null) &&
    JSON.stringify(actual.wasm ?? null) === JSON.stringify(expected.wasm ?? null) &&
    (actual.promise_index ?? null) === (expected.promise_index ?? null);
  return fnOk && locOk && flagsOk;
}

function stripUndefined(o: object): object {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Aligns actual frames with expected ones, letting optional expected frames be absent. */
function matchesAll(actual: StackFrame[], expected: ExpectedFrame[]): boolean {
  const go = (i: number, j: number): boolean => {
    if (j === expected.length) return i === actual.length;
    const e = expected[j] as ExpectedFrame;
    const a = actual[i];
    if (a && frameMatches(a, e) && go(i + 1, j + 1)) return true;
    return e.optional === true && go(i, j + 1);
  };
  return go(0, 0);
}

describe('parseStack on the shared corpus of real stacks', () => {
  it('has all 85 cases', () => {
    expect(cases).toHaveLength(85);
  });
  for (const c of cases) {
    it(`parses ${c.id} (${c.runtime}) exactly`, () => {
      const frames = parseStack(c.stack);
      if (!matchesAll(frames, c.frames)) {
        // Show both sides in the failure message.
        expect(frames.map(({ inApp, ...f }) => f)).toEqual(c.frames);
      }
    });
  }
});

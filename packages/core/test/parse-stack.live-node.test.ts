// Stacks captured live from the Node running the tests (20, 22 and 24 in `npm test`): the parser must read
// what this very engine prints for async frames, constructors, eval, Promise.all and node: internals.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseStack } from '../src/index';

const here = 'parse-stack.live-node.test.ts';

describe('parseStack on stacks captured from this Node process', () => {
  it('reads "at new X", method names and this file', () => {
    class Widget {
      constructor() {
        throw new Error('in constructor');
      }
    }
    let stack = '';
    try {
      new Widget();
    } catch (e) {
      stack = (e as Error).stack ?? '';
    }
    const [top] = parseStack(stack);
    expect(top?.function).toBe('new Widget');
    expect(top?.file?.endsWith(here)).toBe(true);
    expect(top?.line).toBeGreaterThan(0);
    expect(top?.column).toBeGreaterThan(0);
    expect(top?.inApp).toBe(true);
  });

  it('reads "at async" frames (printed by a plain node child: the test transform rewrites async functions)', () => {
    const script = `
      async function inner() { await Promise.resolve(); throw new Error('async'); }
      async function outer() { await inner(); }
      outer().catch((e) => process.stdout.write(e.stack));`;
    const stack = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const frames = parseStack(stack);
    expect(frames[0]?.function).toBe('inner');
    expect(frames.find((f) => f.function === 'outer')).toMatchObject({ async: true, line: 3 });
  });

  it('reads "at async Promise.all (index N)"', async () => {
    async function fails() {
      await Promise.resolve();
      throw new Error('one of many');
    }
    async function all() {
      await Promise.all([Promise.resolve(), fails()]);
    }
    const stack = await all().catch((e: Error) => e.stack ?? '');
    const promiseAll = parseStack(stack).find((f) => f.function === 'Promise.all');
    expect(promiseAll).toMatchObject({ async: true, promise_index: 1 });
    expect(promiseAll?.file).toBeUndefined();
  });

  it('reads eval frames: the file that called eval, and the position inside', () => {
    let stack = '';
    try {
      // biome-ignore lint/security/noGlobalEval: the eval frame is what this test is about
      eval('(function evaluated() { throw new Error("in eval"); })()');
    } catch (e) {
      stack = (e as Error).stack ?? '';
    }
    const top = parseStack(stack)[0];
    expect(top?.function).toBe('evaluated');
    expect(top?.eval).toMatchObject({ file: '<anonymous>', line: 1 });
    expect(top?.file?.endsWith(here)).toBe(true);
  });

  it('marks native and node: internal frames as not in-app', () => {
    let stack = '';
    try {
      [1].map(() => {
        throw new Error('in map');
      });
    } catch (e) {
      stack = (e as Error).stack ?? '';
    }
    const frames = parseStack(stack);
    expect(frames.find((f) => f.function === 'Array.map')).toMatchObject({ native: true, inApp: false });
    const internal = parseStack(new Error('x').stack ?? '').filter((f) => f.file?.startsWith('node:'));
    for (const f of internal) expect(f.inApp).toBe(false);
  });
});

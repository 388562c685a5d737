import { describe, expect, it } from 'vitest';
import { functionRanges } from '../src/functions';

const names = (file: string, code: string) => functionRanges(file, code).map((r) => r[4]);

describe('the enclosing-function index', () => {
  it('names functions the way a reader knows them', () => {
    const code = [
      'export class Cart {',
      '  constructor(items) { this.items = items; }',
      '  total() { return this.items.reduce((s, i) => s + i.price, 0); }',
      '  get size() { return this.items.length; }',
      '}',
      'export function checkout(cart) { return cart.total(); }',
      'const pay = async () => { await fetch("/pay"); };',
      'const api = { load: function () {}, save() {} };',
      'window.onerror = function () {};',
      'button.onclick = function onClick() {};',
      'export default function () {}',
      '[1].forEach(function () {});',
    ].join('\n');
    expect(names('src/cart.js', code)).toEqual([
      'new Cart',
      'Cart.total',
      'Cart.total/<',
      'Cart.size',
      'checkout',
      'pay',
      'load',
      'save',
      'window.onerror',
      'onClick',
      '<anonymous>',
      '<anonymous>',
    ]);
  });

  it('gives ranges that nest, lines from 1 and columns from 0', () => {
    const ranges = functionRanges('a.js', 'function outer() {\n  return () => 1;\n}\n');
    expect(ranges).toEqual([
      [1, 0, 3, 1, 'outer'],
      [2, 9, 2, 16, 'outer/<'],
    ]);
  });

  it('reads TypeScript and JSX sources', () => {
    expect(names('src/a.ts', 'class A { private f(x: number): string { return String(x); } }')).toEqual(['A.f']);
    expect(names('src/b.tsx', 'export const App = () => <button onClick={() => go()}>x</button>;')).toEqual([
      'App',
      'App/<',
    ]);
  });

  it('leaves out what it cannot or need not parse', () => {
    expect(functionRanges('big.js', `// ${'x'.repeat(3 * 1024 * 1024)}`)).toEqual([]);
    expect(() => functionRanges('broken.js', 'function ( { [ ')).not.toThrow();
  });
});

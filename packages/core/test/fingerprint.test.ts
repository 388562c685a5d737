import { describe, expect, it } from 'vitest';
import { fingerprint, normalizeError, normalizeMessage, parseStack } from '../src/index';

const stackAt = (line: number, column: number, fn = 'checkout', file = 'https://shop.example/assets/app.3f9a2c1d.js') =>
  `TypeError: x\n    at ${fn} (${file}:${line}:${column})\n    at submit (https://shop.example/assets/app.3f9a2c1d.js:90:1)`;

const record = (type: string, message: string, stack: string) => ({ type, message, frames: parseStack(stack) });

describe('fingerprint', () => {
  it('is 16 hex digits and deterministic', () => {
    const r = record('TypeError', 'x', stackAt(10, 5));
    expect(fingerprint(r)).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint(r)).toBe(fingerprint(record('TypeError', 'x', stackAt(10, 5))));
  });

  it('ignores line and column, build hashes, hosts and query strings', () => {
    const a = record('TypeError', 'x', stackAt(10, 5));
    const b = record('TypeError', 'x', stackAt(412, 77, 'checkout', 'https://cdn2.example/assets/app.99aa77bb.js?v=3'));
    expect(fingerprint(a)).toBe(fingerprint(b));
  });

  it('ignores dynamic values in the message', () => {
    const base = stackAt(1, 1);
    const pairs: [string, string][] = [
      ['Order 1234 not found', 'Order 98 not found'],
      ['user 5f0c6c2e-8a3b-4c1d-9e2f-1a2b3c4d5e6f missing', 'user 0b7e1c9a-1111-4222-8333-944455556666 missing'],
      ['GET https://api.example/v1/items/7 failed', 'GET https://api.example/v2/things?id=9 failed'],
      ['bad pointer 0xdeadbeef', 'bad pointer 0x00ff'],
      ['object a1b2c3d4e5f6 is locked', 'object 99ffee0011aa is locked'],
      ['Cannot find "alice"', 'Cannot find "bob"'],
      ['mail to ann@example.com bounced', 'mail to joe@corp.example.org bounced'],
    ];
    for (const [m1, m2] of pairs) {
      expect(fingerprint(record('Error', m1, base)), `${m1} vs ${m2}`).toBe(fingerprint(record('Error', m2, base)));
    }
  });

  it('differs for different types, call sites and messages', () => {
    const base = fingerprint(record('TypeError', 'x', stackAt(10, 5)));
    expect(fingerprint(record('RangeError', 'x', stackAt(10, 5)))).not.toBe(base);
    expect(fingerprint(record('TypeError', 'x', stackAt(10, 5, 'applyCoupon')))).not.toBe(base);
    expect(
      fingerprint(record('TypeError', 'x', stackAt(10, 5, 'checkout', 'https://shop.example/assets/cart.js'))),
    ).not.toBe(base);
    expect(fingerprint(record('TypeError', 'y is not a function', stackAt(10, 5)))).not.toBe(base);
  });

  it('groups the same error thrown twice from the same function at different lines (captured here)', () => {
    const make = (n: number) => {
      if (n === 1) return new Error(`failed after ${n} tries`);
      return new Error(`failed after ${n} tries`);
    };
    expect(fingerprint(normalizeError(make(1)))).toBe(fingerprint(normalizeError(make(2))));
  });

  it('normalizeMessage replaces the dynamic parts with placeholders', () => {
    expect(normalizeMessage('Order 1234 for bob@example.com at https://x.example/a?b=1 took 3.5s')).toBe(
      'Order <n> for <email> at <url> took <n>s',
    );
  });
});

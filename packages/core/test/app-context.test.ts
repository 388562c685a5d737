// What the app passes to setUser / setContext / setTag / captureException may be anything: it becomes
// primitive attributes, and nothing the app passes makes these throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { primitiveEntries, readCaptureContext, setContextAttributes, tagValue, userAttributes } from '../src/index';

const trap = () => {
  throw new Error('trap');
};
/** Hostile values: throwing getters and traps, revoked proxies, toString bombs. Generated as thunks and
 * built inside the property: fast-check inspects generated values, and a revoked proxy throws on that. */
const fresh = (make: () => unknown) => fc.nat().map(() => ({ make }));
const hostile = fc.oneof(
  fresh(() => new Proxy({}, { get: trap, ownKeys: trap, getOwnPropertyDescriptor: trap })),
  fresh(() => {
    const p = Proxy.revocable({}, {});
    p.revoke();
    return p.proxy;
  }),
  fresh(() => ({
    get id() {
      return trap();
    },
    email: { toString: trap },
    username: Symbol('u'),
  })),
);
const plain = fc.anything({ withBigInt: true, withNullPrototype: true, withMap: true }).map((v) => ({ make: () => v }));
const anyValue = fc.oneof(plain, hostile);
const isPrimitive = (v: unknown) =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

describe('app context', () => {
  it('setUser: user.* from id, email and username, strings and numbers only', () => {
    expect(userAttributes({ id: 42, email: 'ada@example.com', username: 'ada', role: 'admin' })).toEqual({
      'user.id': '42',
      'user.email': 'ada@example.com',
      'user.name': 'ada',
    });
    expect(userAttributes(null)).toEqual({});
    expect(userAttributes({ id: { toString: trap }, username: 'ada' })).toEqual({ 'user.name': 'ada' });
  });

  it('setContext: replaces its own keys, keeps primitives, refuses a missing name', () => {
    const into: Record<string, string | number | boolean> = { 'context.cart.old': 1, 'context.other.x': 'y' };
    expect(setContextAttributes(into, 'cart', { items: 3, coupon: 'WINTER', nested: { a: 1 }, nan: Number.NaN })).toBe(
      true,
    );
    expect(into).toEqual({ 'context.cart.items': 3, 'context.cart.coupon': 'WINTER', 'context.other.x': 'y' });
    expect(setContextAttributes(into, 'cart', null)).toBe(true);
    expect(into).toEqual({ 'context.other.x': 'y' });
    expect(setContextAttributes(into, undefined, { a: 1 })).toBe(false);
    expect(into).toEqual({ 'context.other.x': 'y' });
  });

  it('never throws, and keeps only bounded primitives, whatever the app passes', () => {
    fc.assert(
      fc.property(anyValue, anyValue, anyValue, (u, n, v) => {
        const [user, name, values] = [u.make(), n.make(), v.make()];
        for (const v of Object.values(userAttributes(user))) expect(typeof v).toBe('string');
        const into: Record<string, string | number | boolean> = {};
        setContextAttributes(into, name, values);
        const entries = primitiveEntries(values);
        expect(entries.length).toBeLessThanOrEqual(50);
        for (const [, v] of [...entries, ...Object.entries(into)]) {
          expect(isPrimitive(v)).toBe(true);
          if (typeof v === 'string') expect(v.length).toBeLessThanOrEqual(1024);
        }
        const tag = tagValue(values);
        expect(tag === undefined || isPrimitive(tag)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('readCaptureContext', () => {
  it('reads mechanism, handled and attributes, each with its default', () => {
    expect(readCaptureContext(undefined)).toEqual({ mechanism: 'manual', handled: true, attributes: {} });
    expect(
      readCaptureContext({ mechanism: 'react.uncaught', handled: false, attributes: { a: 1, b: {}, c: 'x' } }),
    ).toEqual({ mechanism: 'react.uncaught', handled: false, attributes: { a: 1, c: 'x' } });
    // Anything but false is handled; a mechanism that is not a name is the default.
    expect(readCaptureContext({ mechanism: '', handled: 0 })).toMatchObject({ mechanism: 'manual', handled: true });
    expect(readCaptureContext({ mechanism: 42 })).toMatchObject({ mechanism: 'manual' });
  });

  it('a hostile context gives the defaults, never a throw', () => {
    const hostile = new Proxy({}, { get: trap, ownKeys: trap, getOwnPropertyDescriptor: trap });
    expect(readCaptureContext(hostile)).toEqual({ mechanism: 'manual', handled: true, attributes: {} });
    expect(readCaptureContext({ attributes: hostile })).toEqual({ mechanism: 'manual', handled: true, attributes: {} });
  });
});

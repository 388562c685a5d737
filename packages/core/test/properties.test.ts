// Property tests: arbitrary input never breaks the error model, and its guarantees hold for all of it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScrubber, fingerprint, limits, normalizeError, parseStack } from '../src/index';

const MARKER_SLACK = 40; // "...[truncated N chars]"

/** Stack-like text: real frame shapes of every engine mixed with noise. */
const frameLine = fc.oneof(
  fc.tuple(fc.string(), fc.webUrl(), fc.nat(), fc.nat()).map(([f, u, l, c]) => `    at ${f} (${u}:${l}:${c})`),
  fc.tuple(fc.string(), fc.webUrl(), fc.nat()).map(([f, u, l]) => `${f}@${u}:${l}`),
  fc.tuple(fc.string(), fc.string()).map(([f, s]) => `at ${f} (eval at ${s} (${s}), <anonymous>:1:2)`),
  fc.constantFrom(
    '[native code]',
    'at Array.map (<anonymous>)',
    'at async Promise.all (index 3)',
    ')',
    '(',
    '@',
    'at (',
    'at ('.repeat(500),
  ),
  fc.string({ maxLength: 300 }),
);
const stackText = fc.array(frameLine, { maxLength: 200 }).map((lines) => lines.join('\n'));

/** Hostile values: getters that throw, proxies, cycles, odd prototypes. */
// Generated as thunks and built inside the property: fast-check inspects generated values, and a
// revoked proxy throws on inspection.
const fresh = <T>(make: () => T) => fc.nat().map(() => ({ make }));
const hostile = fc.oneof(
  fresh(() =>
    Object.defineProperty({}, 'message', {
      get() {
        throw new Error('getter');
      },
      enumerable: true,
    }),
  ),
  fresh(() => {
    const p = Proxy.revocable({}, {});
    p.revoke();
    return p.proxy;
  }),
  fresh(
    () =>
      new Proxy(
        {},
        {
          get() {
            throw new Error('trap');
          },
          ownKeys() {
            throw new Error('trap');
          },
        },
      ),
  ),
  fresh(() => Object.create(null)),
  fc.string().map((s) => ({
    make: () => {
      const e = new Error(s) as Error & { cause?: unknown };
      e.cause = e;
      return e;
    },
  })),
  fc.tuple(fc.string(), stackText).map(([m, stack]) => ({ make: () => Object.assign(new Error(m), { stack }) })),
  fc.array(fc.anything(), { maxLength: 30 }).map((errors) => ({ make: () => new AggregateError(errors, 'agg') })),
);

function hostileThunk(v: unknown): v is { make: () => unknown } {
  return (
    typeof v === 'object' &&
    v !== null &&
    Object.keys(v).length === 1 &&
    typeof (v as { make?: unknown }).make === 'function'
  );
}

describe('properties', () => {
  it('normalizeError never throws and stays within its bounds', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true }), hostile),
        (input) => {
          const value = hostileThunk(input) ? input.make() : input;
          const r = normalizeError(value);
          expect(typeof r.type).toBe('string');
          expect(r.message.length).toBeLessThanOrEqual(limits.MAX_MESSAGE_LENGTH + MARKER_SLACK);
          expect(r.stacktrace.length).toBeLessThanOrEqual(limits.MAX_STACKTRACE_LENGTH + MARKER_SLACK);
          expect(r.frames.length).toBeLessThanOrEqual(limits.MAX_FRAMES);
          expect(r.causes.length).toBeLessThanOrEqual(limits.MAX_CAUSES);
          expect(r.message).not.toBe('[object Object]');
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('normalizeError bounds huge strings', () => {
    fc.assert(
      fc.property(fc.string({ minLength: limits.MAX_MESSAGE_LENGTH + 1, maxLength: 50_000 }), (s) => {
        const r = normalizeError(s);
        expect(r.message.length).toBeLessThanOrEqual(limits.MAX_MESSAGE_LENGTH + MARKER_SLACK);
        expect(r.message).toContain('[truncated');
      }),
      { numRuns: 50 },
    );
  });

  it('parseStack never throws, and bounds frames and what it reads', () => {
    fc.assert(
      fc.property(fc.oneof(stackText, fc.string({ maxLength: 5000 }), fc.anything()), (input) => {
        const frames = parseStack(input);
        expect(frames.length).toBeLessThanOrEqual(limits.MAX_FRAMES);
        for (const f of frames) {
          if (f.file !== undefined) expect(f.file.length).toBeLessThanOrEqual(limits.MAX_STACK_LINE_LENGTH);
          if (f.line !== undefined) expect(Number.isInteger(f.line)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('parseStack stays linear on hostile lines (no catastrophic backtracking)', () => {
    const hostileLine = `at ${'('.repeat(2000)}${'a:1'.repeat(600)}${')'.repeat(100)}`;
    const frames = parseStack(Array.from({ length: 64 }, () => hostileLine).join('\n'));
    expect(frames.length).toBeLessThanOrEqual(limits.MAX_FRAMES);
  });

  const scrubber = createScrubber();
  const filler = fc.string({ unit: fc.constantFrom(...'abcdefgh xyz-_/.,:;!?0123456789'.split('')), maxLength: 40 });
  const secrets = fc.oneof(
    // Local parts without the characters that delimit text and URLs (/ = ? & '), which the rule leaves out.
    fc
      .emailAddress()
      .filter((v) => !/[/=?&']/.test(v.slice(0, v.lastIndexOf('@'))))
      .map((v) => ({ v, text: v })),
    fc
      .constantFrom('4111111111111111', '5500 0000 0000 0004', '378282246310005', '6011-1111-1111-1117')
      .map((v) => ({ v, text: v })),
    fc
      .tuple(fc.base64String({ minLength: 8, maxLength: 40 }), fc.base64String({ minLength: 8, maxLength: 40 }))
      .map(([a, b]) => {
        const v = `eyJ${a.replace(/[+/=]/g, 'x')}.eyJ${b.replace(/[+/=]/g, 'x')}.sig_${a.length}`;
        return { v, text: v };
      }),
    // Random tokens: a digit or an inner capital (check token-like; a lower-case word after Bearer stays).
    fc
      .stringMatching(/^[A-Za-z0-9]{12,30}$/)
      .filter((v) => /[0-9]|.[A-Z]/.test(v))
      .map((v) => ({ v, text: `Bearer ${v}` })),
    fc
      .tuple(
        fc.constantFrom('password', 'token', 'api_key', 'secret', 'apikey'),
        fc.stringMatching(/^[A-Za-z0-9]{6,20}$/),
      )
      .map(([k, v]) => ({ v, text: `${k}=${v}` })),
    fc
      .tuple(fc.stringMatching(/^[a-z]{3,10}$/), fc.stringMatching(/^[A-Za-z0-9]{6,20}$/))
      .map(([u, p]) => ({ v: `${u}:${p}@`, text: `https://${u}:${p}@db.example/x` })),
    fc
      .ipV4()
      .filter((ip) => !ip.startsWith('127.') && ip !== '0.0.0.0') // loopback says nothing about a person
      .map((v) => ({ v, text: v })),
    fc
      .ipV6()
      .filter(
        (ip) =>
          /\d/.test(ip) &&
          ip.replace(/:/g, '').length >= 6 &&
          (ip.split(':').length === 8 || ip.includes('::')) &&
          !ip.startsWith('::') &&
          !ip.endsWith('::') &&
          !ip.includes('.'),
      )
      .map((v) => ({ v, text: v })),
  );

  it('scrubbing removes every planted secret and keeps the text around it', () => {
    fc.assert(
      fc.property(filler, secrets, filler, (before, secret, after) => {
        const input = `${before} ${secret.text} ${after}`;
        const out = scrubber.text(input);
        expect(out).not.toContain(secret.v);
        expect(out.startsWith(`${before} `) || before.trim() === '' || /[\d.:@]/.test(before)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('scrubbing is idempotent', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            filler,
            secrets.map((s) => s.text),
            fc.string(),
          ),
          { maxLength: 8 },
        ),
        (parts) => {
          const once = scrubber.text(parts.join(' '));
          expect(scrubber.text(once)).toBe(once);
          const url = scrubber.url(
            `https://x.example/p?${parts.map((p, i) => `k${i}=${encodeURIComponent(p)}`).join('&')}`,
          );
          expect(scrubber.url(url)).toBe(url);
        },
      ),
      { numRuns: 3000 },
    );
  });

  const ident = fc.stringMatching(/^[A-Za-z_$][\w$]{0,20}$/);
  it('fingerprints are stable under line/column and dynamic-value changes', () => {
    fc.assert(
      fc.property(
        ident,
        ident,
        fc.array(fc.tuple(fc.nat(100000), fc.nat(100000)), { minLength: 2, maxLength: 2 }),
        // Two values of the same kind: numbers, UUIDs, URLs or hex ids.
        fc.oneof(
          ...[fc.nat(), fc.uuid(), fc.webUrl(), fc.nat().map((n) => `0x${n.toString(16)}`)].map((kind) =>
            fc.tuple(kind as fc.Arbitrary<unknown>, kind as fc.Arbitrary<unknown>),
          ),
        ),
        (fn, file, [[l1, c1], [l2, c2]], [v1, v2]) => {
          const make = (line: number, col: number, value: unknown) => ({
            type: 'TypeError',
            message: `could not load ${value} for checkout`,
            frames: parseStack(`TypeError: x\n    at ${fn} (https://app.example/${file}.js:${line}:${col})`),
          });
          expect(fingerprint(make(l1 as number, c1 as number, v1))).toBe(
            fingerprint(make(l2 as number, c2 as number, v2)),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('fingerprints differ for different types or call sites', () => {
    fc.assert(
      fc.property(ident, ident, (fnA, fnB) => {
        fc.pre(fnA !== fnB);
        const make = (type: string, fn: string) => ({
          type,
          message: 'failed',
          frames: parseStack(`Error\n    at ${fn} (https://app.example/main.js:1:1)`),
        });
        expect(fingerprint(make('TypeError', fnA))).not.toBe(fingerprint(make('TypeError', fnB)));
        expect(fingerprint(make('TypeError', fnA))).not.toBe(fingerprint(make('RangeError', fnA)));
      }),
      { numRuns: 1000 },
    );
  });
});

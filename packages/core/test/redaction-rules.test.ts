// The rules come from one file (issue 10, item 8): src/redaction-rules.ts is generated from the JSON the
// collector's faultline processor embeds, and must be what the generator writes today.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { render, SOURCE, TARGET } from '../../../scripts/generate-redaction-rules.mjs';
import { RULES } from '../src/redaction-rules';
import { prefiltersHolding } from '../src/scrub';
import { CHECKS, RANGE_CHECKS } from '../src/scrub-checks';

const source = JSON.parse(readFileSync(SOURCE, 'utf8'));

describe('redaction rules', () => {
  it('src/redaction-rules.ts is what scripts/generate-redaction-rules.mjs writes from the JSON', () => {
    expect(readFileSync(TARGET, 'utf8')).toBe(render(source));
  });

  it('the generator refuses a prefilter run of a class the scrubber does not know', () => {
    const bad = structuredClone(source);
    const withRun = bad.rules.find((r: { prefilter: { run?: unknown }[] }) => r.prefilter.some((a) => a.run));
    for (const a of withRun.prefilter) if (a.run) a.run.of = 'octal';
    expect(() => render(bad)).toThrow(/not one of digit, hex, upper-alnum/);
  });

  // (`.` outside a class and unbounded repetition of groups: checked on the parsed patterns by the Go tests.)
  it('every pattern compiles here, names a known check, and uses no lookaround or backreference', () => {
    for (const [pattern, flags, , , check] of RULES) {
      expect(() => new RegExp(pattern, `g${flags}`), pattern).not.toThrow();
      expect(pattern.replaceAll('[\\s\\S]', '')).not.toMatch(/\(\?[<=!]|\\[1-9kswdSWD]/);
      expect(CHECKS[check] ?? RANGE_CHECKS[check], check).toBeDefined();
      expect(new RegExp(pattern, flags).test(''), pattern).toBe(false);
    }
  });

  // A prefilter must hold for every value its rule would change (else it would let a secret through):
  // random text from the characters the rules look for, plus pieces of the rules' own literals.
  const wouldChange = (pattern: string, flags: string, check: string, t: string) => {
    const re = new RegExp(pattern, `g${flags}`);
    for (let m = re.exec(t); m; m = re.exec(t)) {
      const [s, e] = [m.index, m.index + m[0].length];
      if (
        RANGE_CHECKS[check] ? (RANGE_CHECKS[check]?.(t, s, e).length ?? 0) > 0 : (CHECKS[check]?.(t, s, e) ?? -1) >= 0
      )
        return true;
    }
    return false;
  };
  it('no prefilter refuses a value its rule would change, and the scrubber evaluates them as defined', () => {
    const pieces = RULES.flatMap(([, , , prefilter]) => prefilter.flatMap(([all, any]) => [...all, ...any]));
    const unit = fc.oneof(
      fc.constantFrom(...'aAfFzZ09 -.:/@_=\'"[]\\é\u212aİ'.split('')),
      fc.constantFrom(...pieces),
      fc.constantFrom(...pieces.map((p) => p.toUpperCase())),
      fc.constantFrom(...'0123456789'.split('')),
    );
    const text = fc.array(unit, { maxLength: 60 }).map((p) => p.join(''));
    fc.assert(
      fc.property(text, (t) => {
        const lower = t.replace(/[A-Z]+/g, (m) => m.toLowerCase());
        // The definition of a prefilter (redaction-rules.json's `about`), evaluated naively.
        const defined = (flags: string, prefilter: (typeof RULES)[number][3]) =>
          prefilter.some(
            ([all, any, run]) =>
              all.every((l) => (flags ? lower : t).includes(l)) &&
              (any.length === 0 || any.some((l) => (flags ? lower : t).includes(l))) &&
              (!run || hasRun(t, ...run)),
          );
        const holding = prefiltersHolding(t);
        RULES.forEach(([pattern, flags, , prefilter, check], i) => {
          const holds = defined(flags, prefilter);
          if (wouldChange(pattern, flags, check, t))
            expect(holds, `${pattern} matches ${JSON.stringify(t)}`).toBe(true);
          expect(holding[i], `the scrubber's prefilter ${i} on ${JSON.stringify(t)}`).toBe(holds);
        });
      }),
      { numRuns: 5000 },
    );
  });
});

const isDigit = (c: string) => c >= '0' && c <= '9';
const isHex = (c: string) => isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

/** A run of `of` characters and separators with at least `min` of them and `minSeps` separators. */
function hasRun(text: string, of: string, separators: string, min: number, minSeps: number): boolean {
  const inClass = of === 'digit' ? isDigit : of === 'hex' ? isHex : (c: string) => isDigit(c) || (c >= 'A' && c <= 'Z');
  let n = 0;
  let seps = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (inClass(c)) n++;
    else if (separators.includes(c)) seps++;
    else {
      n = 0;
      seps = 0;
      continue;
    }
    if (n >= min && seps >= minSeps) return true;
  }
  return false;
}

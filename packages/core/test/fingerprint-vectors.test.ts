// The shared fingerprint vectors (collector-config/faultlineprocessor/testdata/fingerprint-vectors.json),
// run here by core exactly as the collector's Go tests run them (internal/fingerprint/vectors_test.go): the
// collector recomputes fingerprints from symbolicated frames, and for other SDKs' exceptions, with this
// algorithm. After a change to it: node scripts/generate-fingerprint-vectors.mjs (core built first).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fingerprint, normalizeError, type StackFrame } from '../src/index';

interface Thrown {
  name: string;
  message: string;
  stack: string;
  cause?: Thrown;
}
const vectors = JSON.parse(
  readFileSync(
    new URL('../../../collector-config/faultlineprocessor/testdata/fingerprint-vectors.json', import.meta.url),
    'utf8',
  ),
) as {
  frames: { name: string; type: string; message: string; frames: StackFrame[]; fingerprint: string }[];
  stacks: { name: string; thrown: Thrown; type: string; message: string; stacktrace: string; fingerprint: string }[];
};

/** The error as the engine made it (the same construction as the generator's). */
function errorFrom({ name, message, stack, cause }: Thrown): Error {
  const err = new Error(message, cause ? { cause: errorFrom(cause) } : undefined);
  Object.defineProperty(err, 'name', { value: name, configurable: true, writable: true });
  Object.defineProperty(err, 'stack', { value: stack, configurable: true, writable: true });
  return err;
}

describe('the shared fingerprint vectors', () => {
  it.each(vectors.frames.map((v) => [v.name, v] as const))('frames: %s', (_n, v) => {
    expect(fingerprint(v)).toBe(v.fingerprint);
  });

  it.each(vectors.stacks.map((v) => [v.name, v] as const))('stack: %s', (_n, v) => {
    const record = normalizeError(errorFrom(v.thrown));
    expect([record.type, record.message, record.stacktrace]).toEqual([v.type, v.message, v.stacktrace]);
    expect(fingerprint(record)).toBe(v.fingerprint);
  });

  it('covers the whole stack corpus and distinguishes its errors', () => {
    expect(vectors.stacks.length).toBeGreaterThanOrEqual(85);
    expect(new Set(vectors.stacks.map((v) => v.fingerprint)).size).toBeGreaterThan(60);
  });
});

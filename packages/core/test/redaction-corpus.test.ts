// The shared redaction corpus (collector-config/faultlineprocessor/testdata/redaction-corpus.json), run
// here by core's scrubber exactly as the collector's Go tests and the end-to-end test run it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createScrubber, REDACTED } from '../src/index';

interface SecretCase {
  kind: string;
  value: string;
  redacted: string;
  secrets: string[];
  url?: string;
  urlSecrets?: string[];
  keep?: string;
  toEnd?: boolean;
}
const corpus = JSON.parse(
  readFileSync(
    new URL('../../../collector-config/faultlineprocessor/testdata/redaction-corpus.json', import.meta.url),
    'utf8',
  ),
) as { secrets: SecretCase[]; lookalikes: { kind: string; value: string }[]; deniedKeys: Record<string, string> };

const scrubber = createScrubber();

describe('the shared redaction corpus', () => {
  it.each(corpus.secrets.map((c) => [c.kind, c] as const))('redacts %s exactly as the collector does', (_k, c) => {
    expect(scrubber.text(c.value)).toBe(c.redacted);
    const placed = scrubber.text(`BEFORE ${c.value} AFTER`);
    expect(placed.startsWith('BEFORE ')).toBe(true);
    if (!c.toEnd) expect(placed.endsWith(' AFTER')).toBe(true);
    for (const secret of c.secrets) expect(placed).not.toContain(secret);
    if (c.url) {
      const url = scrubber.url(c.url);
      for (const secret of [...c.secrets, ...(c.urlSecrets ?? [])]) expect(url).not.toContain(secret);
      if (c.keep) expect(url).toContain(c.keep);
    }
  });

  it.each(corpus.lookalikes.map((c) => [c.kind, c.value] as const))('keeps %s', (_k, value) => {
    expect(scrubber.text(value)).toBe(value);
    expect(scrubber.text(`BEFORE ${value} AFTER`)).toBe(`BEFORE ${value} AFTER`);
  });

  it('replaces the whole value of every denied key', () => {
    const out = scrubber.attributes(corpus.deniedKeys);
    for (const key of Object.keys(corpus.deniedKeys)) expect(out[key], key).toBe(REDACTED);
  });

  it('never touches the fingerprint, the session id or trace ids', () => {
    const attrs = {
      'faultline.fingerprint': '4111111111111111',
      'session.id': '5105105105105100',
      trace_id: '4111 1111 1111 1111',
    };
    expect(scrubber.attributes(attrs)).toEqual(attrs);
  });
});

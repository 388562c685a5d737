import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NodeAgent } from '../src/agent';
import { checkInitOptions, readConfig } from '../src/config';
import { decideReport, type ReportCandidate, reportsByDefault } from '../src/should-report';

const candidate = (status: number, byDefault = reportsByDefault(status)): ReportCandidate => ({
  error: new Error('x'),
  req: { url: '/x' },
  res: { statusCode: status },
  status,
  byDefault,
});

describe('the decision on an error a framework answered', () => {
  it('is the default without a predicate: what is answered with a 5xx', () => {
    expect([399, 400, 404, 499, 500, 503, 599].map(reportsByDefault)).toEqual([
      false,
      false,
      false,
      false,
      true,
      true,
      true,
    ]);
    expect(decideReport(undefined, 'koa', candidate(404), () => {})).toBe(false);
    expect(decideReport(undefined, 'hapi', candidate(503, false), () => {})).toBe(false); // hapi: 500 only
  });

  it('gives the predicate the error, the request, the response and { framework, status }', () => {
    const given = candidate(404);
    const calls: unknown[][] = [];
    expect(
      decideReport(
        (...args) => {
          calls.push(args);
          return true;
        },
        'fastify',
        given,
        () => {},
      ),
    ).toBe(true);
    expect(calls).toEqual([[given.error, given.req, given.res, { framework: 'fastify', status: 404 }]]);
  });

  it("is the predicate's boolean; whatever else it does is a failure and leaves the default", () => {
    const answer = fc.oneof(
      fc.boolean().map((b) => ({ kind: 'boolean' as const, value: b })),
      fc.anything().map((v) => ({ kind: 'other' as const, value: v })),
      fc.anything().map((v) => ({ kind: 'throws' as const, value: v })),
    );
    fc.assert(
      fc.property(answer, fc.integer({ min: 100, max: 599 }), fc.boolean(), (a, status, byDefault) => {
        const failures: string[] = [];
        const decided = decideReport(
          () => {
            if (a.kind === 'throws') throw a.value;
            return a.value as boolean;
          },
          'express',
          candidate(status, byDefault),
          (why) => failures.push(why),
        );
        const isBoolean = a.kind !== 'throws' && typeof a.value === 'boolean';
        expect(decided).toBe(isBoolean ? a.value : byDefault);
        expect(failures).toHaveLength(isBoolean ? 0 : 1);
      }),
    );
  });

  it('says why the predicate failed in one line', () => {
    const failures: string[] = [];
    const fail = (why: string) => failures.push(why);
    decideReport(
      () => {
        throw new TypeError('req.user is undefined');
      },
      'koa',
      candidate(500),
      fail,
    );
    decideReport(async () => true, 'koa', candidate(500), fail);
    decideReport(() => undefined as never, 'koa', candidate(500), fail);
    expect(failures).toEqual([
      'threw TypeError: req.user is undefined',
      'returned object, not a boolean',
      'returned undefined, not a boolean',
    ]);
  });
});

describe("init()'s shouldReport", () => {
  it('is kept when it is a function; anything else is named in a warning and the default holds', () => {
    const predicate = () => true;
    expect(checkInitOptions({ shouldReport: predicate })).toEqual({
      options: { shouldReport: predicate },
      warnings: [],
    });
    fc.assert(
      fc.property(
        fc.anything().filter((v) => typeof v !== 'function' && v !== undefined),
        (value) => {
          const { options, warnings } = checkInitOptions({ shouldReport: value });
          expect(options).not.toHaveProperty('shouldReport');
          expect(warnings).toEqual([
            'faultline: init() option shouldReport: expected a function (error, req, res, { framework, status }) => boolean; reporting 5xx as by default',
          ]);
        },
      ),
    );
  });
});

describe("the agent's decision", () => {
  afterEach(() => vi.restoreAllMocks());
  const agent = () => new NodeAgent(readConfig({}, { spoolDir: '/tmp/unused' }));

  it('asks no predicate when the agent is disabled (OTEL_SDK_DISABLED=true): nothing is reported', () => {
    const a = new NodeAgent(readConfig({ OTEL_SDK_DISABLED: 'true' }, { spoolDir: '/tmp/unused' }));
    let asked = 0;
    a.configure({ shouldReport: () => ++asked > 0 });
    expect(a.decideReport('koa', candidate(500))).toBe(false);
    expect(asked).toBe(0);
  });
  const failedCount = (a: NodeAgent) =>
    (a as unknown as { losses: Record<string, number> }).losses['faultline.should_report.failed'];

  it("takes expressErrorHandler's own predicate over init()'s", () => {
    const a = agent();
    a.configure({ shouldReport: () => true });
    expect(a.decideReport('express', candidate(404))).toBe(true);
    expect(a.decideReport('express', candidate(404), () => false)).toBe(false);
  });

  it('counts every failing predicate in faultline.should_report.failed and warns once, prefixed', () => {
    const writes: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    const a = agent();
    a.configure({
      shouldReport: () => {
        throw new Error('predicate bug');
      },
    });
    expect(a.decideReport('koa', candidate(500))).toBe(true);
    expect(a.decideReport('koa', candidate(404))).toBe(false);
    expect(a.decideReport('express', candidate(404), () => 'yes' as never)).toBe(false);
    expect(failedCount(a)).toBe(3);
    expect(writes).toEqual([
      'faultline: shouldReport threw Error: predicate bug; the default decision was taken (report what the framework answered with a 5xx; hapi: a 500). Said once: later failures are counted in faultline.should_report.failed\n',
    ]);
  });
});

// Which of the errors a framework answers are incidents. Each framework hook says what it would report on
// its own (what it answers with a 5xx; hapi: a 500, the one status it logs as an error) and hands the
// app's `shouldReport(error, req, res, { framework, status })` the final word. A predicate is app code run
// inside the framework's error handling: whatever it does (throws, answers a promise or `undefined`), the
// request is answered as before and the default decision holds; the agent counts each failure
// (`faultline.should_report.failed`) and says the first one on stderr.

/** What a framework hook knows about the error it is deciding on. */
export interface ShouldReportFacts {
  /** The framework that answered: `express` (Express and Connect), `fastify`, `koa`, `hapi`, `nestjs`. */
  framework: string;
  /** The status the error is (or was) answered with. */
  status: number;
}

/**
 * Whether to report an error a framework answers. `req` and `res` are the framework's own objects: Express'
 * and Connect's `req`/`res`, Fastify's `request`/`reply`, Koa's `ctx.request`/`ctx.response`, hapi's
 * `request`/`request.response`, NestJS's adapter's request and response. Return `true` or `false`.
 */
export type ShouldReport = (error: unknown, req: unknown, res: unknown, facts: ShouldReportFacts) => boolean;

/** What a framework hook found: the error, its request, its status, and its own decision. */
export interface ReportCandidate {
  error: unknown;
  req: unknown;
  res: unknown;
  status: number;
  /** What faultline reports without a predicate. */
  byDefault: boolean;
}

/** faultline's decision without a predicate: what is answered with a 5xx. */
export function reportsByDefault(status: number): boolean {
  return status >= 500;
}

/**
 * The predicate's answer when it gives one (`true` or `false`), else the default; `failed` hears why it gave
 * none (it threw, or answered something that is not a boolean: an async predicate's promise is not a yes).
 */
export function decideReport(
  predicate: ShouldReport | undefined,
  framework: string,
  candidate: ReportCandidate,
  failed: (why: string) => void,
): boolean {
  if (!predicate) return candidate.byDefault;
  let answer: unknown;
  try {
    answer = predicate(candidate.error, candidate.req, candidate.res, { framework, status: candidate.status });
  } catch (err) {
    failed(`threw ${oneLine(err)}`);
    return candidate.byDefault;
  }
  if (answer === true || answer === false) return answer;
  failed(`returned ${answer === null ? 'null' : typeof answer}, not a boolean`);
  return candidate.byDefault;
}

/** A thrown value in one short line, without reading anything that could throw again. */
function oneLine(value: unknown): string {
  try {
    if (value instanceof Error) return `${value.name}: ${value.message}`.slice(0, 200);
    return typeof value;
  } catch {
    return 'an unreadable value';
  }
}

// Core cost per error: normalizeError + parseStack + scrub + fingerprint for a typical error, and the
// stack parser side by side with error-stack-parser (a popular parser) on speed and on accuracy over the
// shared corpus of 85 real stacks. Run: npm run bench (from the repository root). Results: BENCHMARKS.md.
import { readFileSync } from 'node:fs';
import { classify, createScrubber, fingerprint, NODE_RULES, normalizeError, parseStack } from '@faultline/core';
import ErrorStackParser from 'error-stack-parser';
import { Bench } from 'tinybench';
import { framesMatch } from '../packages/core/test/fixtures/match-frames.mjs';

const scrubber = createScrubber();

// A typical error: a TypeError a few calls deep, with an id and an email in its message.
function loadCart(userId) {
  return applyCoupon({ userId, email: 'ann@example.com' });
}
function applyCoupon(cart) {
  return cart.coupon.code; // TypeError
}
function typicalError() {
  try {
    loadCart(4211);
  } catch (e) {
    e.message += ` (user ann@example.com, cart 4211)`;
    return e;
  }
}
const err = typicalError();
const withCause = new Error('checkout failed', { cause: err });

const pipeline = (value) => {
  const record = scrubber.record(normalizeError(value));
  return fingerprint(record);
};

const typeErrorRecord = normalizeError(err);
const unknownRecord = normalizeError(new Error('the basket is empty for this customer'));

const bench = new Bench({ time: 1500, warmupTime: 300 });
bench
  .add('faultline: normalize + parse + scrub + fingerprint (typical TypeError)', () => pipeline(err))
  .add('faultline: same, Error with a cause', () => pipeline(withCause))
  .add('faultline: parseStack only', () => parseStack(err.stack))
  .add('error-stack-parser: parse only', () => ErrorStackParser.parse(err))
  // Classification (issue 13) of a record, with the Node agent's table: a TypeError (a type rule decides,
  // after the rules' memory of types), and an error no rule knows (every message pattern tried).
  .add('faultline: classify, TypeError', () => classify(typeErrorRecord, [], NODE_RULES))
  .add('faultline: classify, an Error no rule knows', () => classify(unknownRecord, [], NODE_RULES));
await bench.run();

console.log(`Node ${process.version}, ${process.platform}/${process.arch}`);
console.table(
  bench.tasks.map((t) => ({
    task: t.name,
    'median µs': (t.result.latency.p50 * 1000).toFixed(2),
    'mean µs': (t.result.latency.mean * 1000).toFixed(2),
    'p99 µs': (t.result.latency.p99 * 1000).toFixed(2),
    'ops/s': Math.round(t.result.throughput.mean),
  })),
);
const ours = bench.tasks[2].result.latency.mean;
const peer = bench.tasks[3].result.latency.mean;
console.log(`parse speed ratio error-stack-parser / faultline: ${(peer / ours).toFixed(2)}x`);

// Accuracy on the shared corpus: the same frame comparison the core tests use.
const cases = JSON.parse(readFileSync(new URL('../packages/core/test/fixtures/stacks.json', import.meta.url), 'utf8'));
const asFrames = (list) =>
  list.map((f) => ({
    function: f.function ?? null,
    file: f.file ?? null,
    line: f.line ?? null,
    column: f.column ?? null,
  }));
let oursOk = 0;
let peerOk = 0;
for (const c of cases) {
  if (framesMatch(asFrames(parseStack(c.stack)), c.frames)) oursOk++;
  try {
    const parsed = ErrorStackParser.parse({ stack: c.stack ?? undefined, message: c.message ?? '' });
    const frames = parsed.map((f) => ({
      function: f.functionName ?? null,
      file: f.fileName ?? null,
      line: f.lineNumber ?? null,
      column: f.columnNumber ?? null,
    }));
    if (framesMatch(frames, c.frames)) peerOk++;
  } catch {
    // error-stack-parser throws on stacks it cannot read
  }
}
console.log(
  `corpus accuracy (function, file, line, column of every frame): faultline ${oursOk}/${cases.length}, error-stack-parser ${peerOk}/${cases.length}`,
);

// The scale-out layout end to end (collector-config/scale/: edge → Kafka → gateways → Jaeger on OpenSearch),
// everything on this machine's 2 cores: exception spans/s from the first request to the edge until every
// span is queryable in Jaeger, with one gateway and with two; the consumer lag a burst of 100,000 spans leaves
// and how long the gateways take to drain it; and what a gateway killed mid-stream costs (how long until the
// other owns its partitions, until the lag is back to zero). Loss is checked by counting every trace in Jaeger.
// The load is collector.bench.mjs's (exception-load.mjs), pre-encoded before any clock starts.
// Run: node bench/scale.bench.mjs [spansPerRun=20000] [burst=100000] [phases=throughput,burst,kill]. Results: BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { startLayout } from '../collector-config/scale/layout.mjs';
import { assertPortShift } from '../collector-config/stack.mjs';
import { encodeBatch, post } from './exception-load.mjs';

const PER_RUN = Number(process.argv[2] ?? 20_000);
const BURST = Number(process.argv[3] ?? 100_000);
const BATCH = 500; // spans per request: what the SDK's BatchSpanProcessor sends at most by default
const CONCURRENCY = 4;
/** Jaeger on OpenSearch returns at most 10,000 traces a query: spans spread over services below that. */
const PER_SERVICE = 5_000;
/** Clear of the test suites' ports (shifts 14000 and 14100) and below the ephemeral range. */
const SHIFT = assertPortShift(
  Number(process.env.FAULTLINE_BENCH_PORT_SHIFT ?? 15_500),
  20, // the second gateway's
  'FAULTLINE_BENCH_PORT_SHIFT',
);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PHASES = (process.argv[4] ?? 'throughput,burst,kill').split(',');
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** CPU seconds (user + system) a process and all its descendants have used, from /proc. */
function cpuSeconds(root) {
  const stats = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Fields after the command name (which may hold spaces): state ppid ... utime(14) stime(15).
      const rest = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1].split(' ');
      stats.set(Number(name), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) });
    } catch {}
  }
  let ticks = 0;
  const walk = (pid) => {
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) walk(child);
  };
  walk(root);
  return ticks / CLOCK_TICKS;
}

/** CPU seconds of each part of the layout so far. */
function cpuOf(layout) {
  const out = {
    gateways: layout.gateways.reduce((sum, g) => sum + (g ? cpuSeconds(g.child.pid) : 0), 0),
    edge: cpuSeconds(layout.edge.child.pid),
    kafka: cpuSeconds(layout.kafka.child.pid),
    jaeger: cpuSeconds(layout.jaeger.child.pid),
    opensearch: cpuSeconds(layout.opensearch.pid),
  };
  return out;
}

/** `total` spans in requests of BATCH, over services of PER_SERVICE, named after `label`. */
function load(label, total) {
  const batches = [];
  for (let seq = 0; seq * BATCH < total; seq++) {
    const service = `${label}-${Math.floor((seq * BATCH) / PER_SERVICE)}`;
    batches.push({ service, ...encodeBatch(service, Math.min(BATCH, total - seq * BATCH), seq) });
  }
  return { batches, services: [...new Set(batches.map((b) => b.service))], total };
}

async function send(layout, batches) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches.length) await post(layout.urls.edgeTraces, batches[next++].body);
    }),
  );
}

async function stored(layout, services) {
  const start = (Date.now() - 3_600_000) * 1000;
  let count = 0;
  for (const service of services) {
    const res = await fetch(`${layout.urls.jaegerQuery}/api/traces?service=${service}&limit=10000&start=${start}`);
    count += ((await res.json()).data ?? []).length;
  }
  return count;
}

/**
 * Waits until the last span of every request is queryable (a look-up by trace id: cheap, unlike counting,
 * which reads every trace back), then counts them all once.
 */
async function untilStored(layout, { batches, services }, timeoutMs = 900_000) {
  const deadline = Date.now() + timeoutMs;
  for (const { lastTraceId } of batches) {
    while ((await fetch(`${layout.urls.jaegerQuery}/api/traces/${lastTraceId}`)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`trace ${lastTraceId} not in Jaeger after ${timeoutMs / 1000}s`);
      await sleep(250);
    }
  }
  const at = performance.now();
  // Before the count, which reads every trace back through Jaeger and OpenSearch.
  const cpu = cpuOf(layout);
  const count = await stored(layout, services);
  return { count, at, cpu };
}

/** Spans/s the edge accepted, and from the first request until all are queryable in Jaeger. */
async function throughput(layout, label, total = PER_RUN) {
  const work = load(label, total);
  const cpu0 = cpuOf(layout);
  const t0 = performance.now();
  await send(layout, work.batches);
  const accepted = performance.now() - t0;
  // Only Jaeger is polled while the clock runs: each consumer-lag look-up is a JVM start (kafka.mjs), a
  // core's worth of work on this machine.
  const { count, at, cpu: cpu1 } = await untilStored(layout, work);
  const queryable = at - t0;
  // Spans per CPU second of each part: what one core of it carries, whatever else shares the machine.
  const perCpuSecond = Object.fromEntries(
    Object.keys(cpu1).map((k) => [k, Math.round(work.total / Math.max(cpu1[k] - cpu0[k], 0.01))]),
  );
  return {
    label,
    spans: work.total,
    edgeAcceptedPerS: Math.round(work.total / (accepted / 1000)),
    endToEndPerS: Math.round(work.total / (queryable / 1000)),
    lost: work.total - count,
    spansPerCpuSecond: perCpuSecond,
  };
}

async function burst(layout) {
  const work = load('burst', BURST);
  const t0 = performance.now();
  await send(layout, work.batches);
  const sentS = (performance.now() - t0) / 1000;
  const lagAfterBurst = (await layout.lag()).lag;
  while ((await layout.lag()).lag > 0) await sleep(2000);
  const drainedS = (performance.now() - t0) / 1000;
  const { count, at } = await untilStored(layout, work);
  const queryableS = (at - t0) / 1000;
  return {
    spans: BURST,
    burstSeconds: +sentS.toFixed(1),
    lagAfterBurst,
    drainedAfterSeconds: +drainedS.toFixed(1),
    queryableAfterSeconds: +queryableS.toFixed(1),
    lost: BURST - count,
  };
}

/** A steady stream; gateway 2 is SIGKILLed a third of the way in. */
async function kill(layout) {
  const work = load('kill', PER_RUN / 2);
  let next = 0;
  const sender = (async () => {
    while (next < work.batches.length) {
      await post(layout.urls.edgeTraces, work.batches[next++].body);
      await sleep(50);
    }
  })();
  while (next < work.batches.length / 3) await sleep(50);
  const killedAt = performance.now();
  await layout.killGateway(1);
  let reassignedS;
  for (;;) {
    const lag = await layout.lag();
    if (lag.partitions.every((p) => p.consumer?.startsWith('gateway-1-'))) {
      reassignedS = (performance.now() - killedAt) / 1000;
      break;
    }
    await sleep(200);
  }
  await sender;
  while ((await layout.lag()).lag > 0) await sleep(200);
  const caughtUpS = (performance.now() - killedAt) / 1000;
  const { count } = await untilStored(layout, work);
  await layout.startGateway(1);
  return {
    spans: work.total,
    partitionsReassignedAfterSeconds: +reassignedS.toFixed(1),
    lagZeroAfterSeconds: +caughtUpS.toFixed(1),
    lost: work.total - count,
  };
}

const layout = await startLayout({ shift: SHIFT, gateways: 2 });
try {
  const results = {};
  // Warm-up: the JVMs' JIT, OpenSearch's first index, the gateways' first joins.
  await throughput(layout, 'warm', 5_000);
  const done = (name, value) => {
    results[name] = value;
    // Each phase as it ends: a long run that is stopped still says what it measured.
    process.stderr.write(`${name}: ${JSON.stringify(value)}\n`);
  };
  if (PHASES.includes('throughput')) {
    await layout.stopGateway(1);
    done('oneGateway', await throughput(layout, 'one'));
    await layout.startGateway(1);
    done('twoGateways', await throughput(layout, 'two'));
    // The same with the edge sending each batch as one message (not keyed by trace id).
    await layout.startEdge({ FAULTLINE_KAFKA_BY_TRACE: 'false' });
    done('twoGatewaysUnkeyed', await throughput(layout, 'unkeyed'));
    await layout.startEdge();
  }
  if (PHASES.includes('burst')) done('burst', await burst(layout));
  if (PHASES.includes('kill')) done('gatewayKill', await kill(layout));
  console.log(JSON.stringify(results, null, 2));
} finally {
  await layout.stop();
  rmSync(layout.dir, { recursive: true, force: true });
}

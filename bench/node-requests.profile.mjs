// Where a loaded server's CPU goes, bare and with faultline's preload: V8's sampling profiler (--cpu-prof) over
// a window of keep-alive load, each sample charged to the function it landed in. Requests/s here swing by more
// than the 2 % issue 14 asks about, in bare runs too; the samples that land in faultline's code, in the
// channels it subscribes to and in the request context it enters are its cost, whatever the machine does
// around them. An empty subscriber to `http.server.request.start` runs beside as a probe: what Node's channel
// costs with nothing done in it, and how far requests/s move for a cost that small.
// Run: node bench/node.bench.mjs --parts 4 --rounds 1 once (it installs express, fastify and autocannon into
// bench/.peers/), then node bench/node-requests.profile.mjs [express,fastify] [--rounds 3] [--seconds 6]
// [--dist <packages/node/dist or a copy>]; with another node binary for another Node version. The server runs
// on the first CPU and autocannon on the second. Results: BENCHMARKS.md.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './median.mjs';
import { exitingApps, listeningPort, rotated } from './request-servers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const peers = join(here, '.peers');
const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const positional = process.argv
  .slice(2)
  .filter((arg, i, args) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--'));
const frameworks = (positional[0] ?? 'express,fastify').split(',');
const ROUNDS = Number(option('--rounds', 3));
const SECONDS = Number(option('--seconds', 6));
const dist = option('--dist') ? resolve(option('--dist')) : join(here, '../packages/node/dist');
const { default: autocannon } = await import(join(peers, 'node_modules/autocannon/autocannon.js'));

const probe = join(peers, 'profile-probe-empty-subscriber.cjs');
writeFileSync(probe, "require('node:diagnostics_channel').subscribe('http.server.request.start', () => {});\n");
for (const [name, code] of Object.entries(exitingApps)) writeFileSync(join(peers, `profile-${name}-app.cjs`), code);
const variants = {
  bare: [],
  'an empty http.server.request.start subscriber (probe)': ['--require', probe],
  '@faultline/node (preload alone)': ['--require', join(dist, 'register.cjs')],
};

/** A sample's frame is the agent's cost when it is faultline's code, a channel's or the request context's.
 * Self time only: what Node or the framework does because a channel has a subscriber (the message
 * http.server.request.start builds) lands in their code; callgrind's counts include it. */
const agentCode = (url) =>
  url.startsWith(`file://${dist}`) ||
  url.startsWith(dist) ||
  url.endsWith(probe) ||
  /^node:(diagnostics_channel|internal\/async_context_frame|internal\/async_local_storage)/.test(url);

execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
const results = {};
for (let round = 0; round < ROUNDS; round++)
  for (const framework of frameworks)
    for (const [name, args] of rotated(Object.entries(variants), round)) {
      const profiles = mkdtempSync(join(tmpdir(), 'faultline-profile-'));
      const child = spawn(
        'taskset',
        [
          '-c',
          '0',
          process.execPath,
          '--cpu-prof',
          `--cpu-prof-dir=${profiles}`,
          ...args,
          `profile-${framework}-app.cjs`,
        ],
        { cwd: peers, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const port = await listeningPort(child, `${framework} ${name}`);
      const url = `http://127.0.0.1:${port}/orders/42`;
      await autocannon({ url, connections: 10, duration: 3 }); // warm: the JIT's work stays out of the window
      // The profile's timestamps are the monotonic clock's microseconds, as process.hrtime's are.
      const from = Number(process.hrtime.bigint() / 1000n);
      const result = await autocannon({ url, connections: 10, duration: SECONDS });
      const to = Number(process.hrtime.bigint() / 1000n);
      if (result.non2xx || result.errors)
        throw new Error(`${framework} ${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await fetch(`http://127.0.0.1:${port}/exit`).catch(() => {});
      await exited;
      const file = readdirSync(profiles).find((f) => f.endsWith('.cpuprofile'));
      const { busy, agent, window } = charge(JSON.parse(readFileSync(join(profiles, file), 'utf8')), from, to);
      rmSync(profiles, { recursive: true, force: true });
      if (window < 0.9 * (to - from))
        throw new Error(`${framework} ${name}: the profile covers ${window} of ${to - from} µs`);
      const requests = result.requests.total;
      results[framework] ??= {};
      results[framework][name] ??= { rps: [], busy: [], agent: [] };
      const row = results[framework][name];
      row.rps.push(result.requests.average);
      row.busy.push(busy / requests);
      row.agent.push(agent / requests);
    }

/** Microseconds of samples between from and to: not idle (busy), and of those in the agent's code. */
function charge(profile, from, to) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  let t = profile.startTime;
  let busy = 0;
  let agent = 0;
  let first;
  let last;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (t < from || t > to) return;
    first ??= t;
    last = t;
    const frame = nodes.get(id);
    if (frame.functionName === '(idle)') return;
    busy += dt;
    if (agentCode(frame.url)) agent += dt;
  });
  return { busy, agent, window: (last ?? 0) - (first ?? 0) };
}

console.log(
  `\nNode ${process.version}: where the server's CPU goes under load (--cpu-prof; autocannon, 10 connections, ${SECONDS} s window after 3 s warm; medians of ${ROUNDS} rounds; server and autocannon on a CPU each)`,
);
const table = {};
for (const [framework, byVariant] of Object.entries(results)) {
  const bare = byVariant.bare;
  for (const [name, r] of Object.entries(byVariant)) {
    const rps = r.rps.map((x, i) => (100 * (x - bare.rps[i])) / bare.rps[i]).sort((a, b) => a - b);
    const share = r.agent.map((a, i) => (100 * a) / r.busy[i]);
    table[`${framework}: ${name}`] = {
      'req/s': Math.round(median(r.rps)),
      'req/s vs bare, per round': `${median(rps).toFixed(1)} % (${rps[0].toFixed(1)} to ${rps.at(-1).toFixed(1)})`,
      'busy µs/request': `${median(r.busy).toFixed(2)} (${r.busy.map((x) => x.toFixed(2)).join(' / ')})`,
      "agent's code µs/request": median(r.agent).toFixed(3),
      "agent's share of busy": `${median(share).toFixed(2)} %`,
    };
  }
}
console.table(table);

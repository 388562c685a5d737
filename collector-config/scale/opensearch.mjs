// Runs OpenSearch (scripts/ensure-opensearch.sh installs it) on loopback for Jaeger's `opensearch` storage:
// a single node, 512 MB of heap, its data in a directory of the caller's. OpenSearch refuses to run as
// root, so as root it runs as the unprivileged user the install script created.
import { execFile, spawn } from 'node:child_process';
import { chownSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const START_TIMEOUT_MS = 120_000;
const USER = process.env.FAULTLINE_OPENSEARCH_USER || 'faultline-os';

/** Installs OpenSearch if needed; resolves with its home directory. */
export function ensureOpenSearch() {
  return new Promise((resolve, reject) =>
    execFile('bash', [join(here, 'scripts/ensure-opensearch.sh')], (err, stdout, stderr) =>
      err
        ? reject(new Error(`faultline: installing OpenSearch failed:\n${stderr}`))
        : resolve(stdout.trim().split('\n').pop()),
    ),
  );
}

/**
 * Starts OpenSearch with its data in `dir` (kept across restarts of the same dir); resolves once its HTTP API
 * answers. `stop()` ends it.
 */
export async function startOpenSearch({ dir, httpPort, transportPort = httpPort + 100 }) {
  const home = await ensureOpenSearch();
  const config = join(dir, 'config');
  for (const sub of ['data', 'logs']) mkdirSync(join(dir, sub), { recursive: true });
  cpSync(join(home, 'config'), config, { recursive: true });
  // The JVM options name log and dump files relative to the working directory: here, absolute.
  const jvm = join(config, 'jvm.options');
  writeFileSync(
    jvm,
    readFileSync(jvm, 'utf8')
      .replaceAll('HeapDumpPath=data', `HeapDumpPath=${join(dir, 'data')}`)
      .replaceAll('logs/', `${join(dir, 'logs')}/`),
  );
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownTree(dir, USER);
  const javaHome = process.env.JAVA_HOME || dirname(dirname(await realJava()));
  const args = [
    join(home, 'bin/opensearch'),
    '-Ediscovery.type=single-node',
    `-Ehttp.port=${httpPort}`,
    `-Etransport.port=${transportPort}`,
    '-Enetwork.host=127.0.0.1',
    `-Epath.data=${join(dir, 'data')}`,
    `-Epath.logs=${join(dir, 'logs')}`,
  ];
  const env = {
    PATH: process.env.PATH,
    JAVA_HOME: javaHome,
    OPENSEARCH_PATH_CONF: config,
    OPENSEARCH_JAVA_OPTS: process.env.FAULTLINE_OPENSEARCH_JAVA_OPTS || '-Xms512m -Xmx512m',
  };
  const child = asRoot
    ? spawn('runuser', ['-u', USER, '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...args], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(args[0], args.slice(1), { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d) => {
    output = (output + d).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  let early;
  exited.then((e) => {
    early = e;
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (early)
      throw new Error(`faultline: OpenSearch exited (${early.code ?? early.signal}) while starting:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`faultline: OpenSearch not up after ${START_TIMEOUT_MS / 1000}s:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/_cluster/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    /** The process started (as root: runuser, whose child runs the node). */
    pid: child.pid,
    logs: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function realJava() {
  return new Promise((resolve, reject) =>
    execFile('bash', ['-c', 'readlink -f "$(command -v java)"'], (err, stdout) =>
      err ? reject(new Error('faultline: OpenSearch needs Java 17 (java on PATH)')) : resolve(stdout.trim()),
    ),
  );
}

/** Gives the tree to `user` (OpenSearch writes its data, logs and keystore there). */
function chownTree(path, user) {
  const uid = uidOf(user);
  const walk = (p) => {
    const stat = statSync(p);
    chownSync(p, uid, stat.gid);
    if (stat.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
  };
  walk(path);
}

function uidOf(user) {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`faultline: no user ${user} (scripts/ensure-opensearch.sh creates it when run as root)`);
  return Number(line.split(':')[2]);
}

// Runs Apache Kafka 4.1.1 (scripts/ensure-kafka.sh fetches its jars) on loopback for the edge → Kafka →
// gateway layout: one broker in KRaft mode (broker and controller in one process, no ZooKeeper), its log in
// a directory of the caller's, kept across restarts of the same directory. The storage is formatted once
// (`kafka.tools.StorageTool format`), then `kafka.Kafka server.properties` runs the broker.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;
/** A single broker on a 2-core machine: a small heap is plenty for a few hundred MB of test traffic. */
const JAVA_OPTS = process.env.FAULTLINE_KAFKA_JAVA_OPTS || '-Xms256m -Xmx512m';
/** The command-line tools only start, ask and exit: the quick JIT tier is enough. */
const TOOL_JAVA_OPTS = ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/** Fetches Kafka's jars if needed; resolves with the folder that holds them. */
export function ensureKafka() {
  return new Promise((resolve, reject) =>
    execFile('bash', [join(here, 'scripts/ensure-kafka.sh')], (err, stdout, stderr) =>
      err
        ? reject(new Error(`faultline: installing Kafka failed:\n${stderr}`))
        : resolve(stdout.trim().split('\n').pop()),
    ),
  );
}

/** Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding (`Uuid.toString`). */
function clusterId() {
  return randomBytes(16).toString('base64url');
}

function serverProperties({ dir, port, controllerPort, partitions }) {
  return `# Written by collector-config/scale/kafka.mjs: one broker that is also its own KRaft controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=${join(dir, 'data')}
num.partitions=${partitions}
# One broker: every internal topic has one replica.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# A consumer group starts at once instead of waiting 3 s for more members (the gateways join one by one anyway).
group.initial.rebalance.delay.ms=0
# Topics are created by createTopic with their partitions, not by the first producer's metadata request.
auto.create.topics.enable=false
log.retention.hours=24
`;
}

const LOG4J = `# Written by collector-config/scale/kafka.mjs: warnings and errors to stdout, the rest nowhere.
rootLogger.level=WARN
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
`;

function runJava(libs, mainClass, args, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) =>
    execFile(
      'java',
      [...TOOL_JAVA_OPTS, '-cp', join(libs, '*'), mainClass, ...args],
      { timeout: timeoutMs, maxBuffer: 16 << 20 },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`faultline: ${mainClass} ${args.join(' ')} failed:\n${stderr || stdout || err.message}`))
          : resolve(stdout),
    ),
  );
}

function portAnswers(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts the broker with its log in `dir` (formatted on the first start, kept after). Resolves once it
 * lists topics. `stop()` ends it cleanly, `kill()` with SIGKILL; `start()` again on the same directory and
 * ports. `createTopic`, `consumerLag` run Kafka's own command-line tools against it.
 */
export async function startKafka({ dir, port, controllerPort = port + 1, partitions = 6 }) {
  if (!dir) throw new Error('faultline: startKafka needs a dir for its log');
  for (const [name, p] of [
    ['port', port],
    ['controllerPort', controllerPort],
  ])
    if (!Number.isInteger(p) || p <= 0 || p > 65535) throw new Error(`faultline: invalid Kafka ${name} ${p}`);
  const libs = await ensureKafka();
  mkdirSync(join(dir, 'data'), { recursive: true });
  const properties = join(dir, 'server.properties');
  writeFileSync(properties, serverProperties({ dir, port, controllerPort, partitions }));
  writeFileSync(join(dir, 'log4j2.properties'), LOG4J);
  if (!existsSync(join(dir, 'data', 'meta.properties')))
    await runJava(libs, 'kafka.tools.StorageTool', [
      'format',
      '-t',
      clusterId(),
      '-c',
      properties,
      '--ignore-formatted',
    ]);
  const bootstrap = `127.0.0.1:${port}`;
  const tool = (mainClass, args) => runJava(libs, mainClass, ['--bootstrap-server', bootstrap, ...args]);

  const broker = {
    bootstrap,
    child: undefined,
    logs: () => output,
    async start() {
      for (const [name, p] of [
        ['port', port],
        ['controllerPort', controllerPort],
      ])
        if (await portAnswers(p)) throw new Error(`faultline: Kafka ${name} ${p} is taken`);
      output = '';
      const child = spawn(
        'java',
        [
          ...JAVA_OPTS.split(/\s+/).filter(Boolean),
          `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`,
          `-Dkafka.logs.dir=${join(dir, 'logs')}`,
          '-cp',
          join(libs, '*'),
          'kafka.Kafka',
          properties,
        ],
        { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      broker.child = child;
      const keep = (d) => {
        output = (output + d).slice(-8000);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
      let early;
      exited.then((e) => {
        early = e;
      });
      const deadline = Date.now() + START_TIMEOUT_MS;
      for (;;) {
        if (early)
          throw new Error(`faultline: Kafka exited (${early.code ?? early.signal}) while starting:\n${output}`);
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`faultline: Kafka not up after ${START_TIMEOUT_MS / 1000}s:\n${output}`);
        }
        if (await portAnswers(port)) {
          // The port opens before the broker has caught up with its controller: ask it something.
          try {
            await tool('org.apache.kafka.tools.TopicCommand', ['--list']);
            break;
          } catch {}
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async stop() {
      const child = broker.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      const child = broker.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    /** Creates `topic` with `count` partitions (the broker's default when not given); an existing one is kept. */
    async createTopic(topic, count = partitions) {
      await tool('org.apache.kafka.tools.TopicCommand', [
        '--create',
        '--if-not-exists',
        '--topic',
        topic,
        '--partitions',
        String(count),
        '--replication-factor',
        '1',
      ]);
    },
    /**
     * Moves the group back to the start of `topic`: every message is read again (a redelivery, as after a
     * consumer that delivered but died before it committed). Only for a group with no member running.
     */
    /**
     * Every committed offset of `group` on `topic` back to the start. Kafka refuses (printing an error, and
     * exiting 0) while the group still has members, as it may for a moment after they left: tried again until
     * the group's lag shows the offsets moved, for up to 30 s.
     */
    async resetOffsets(group, topic) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const out = await tool('org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', [
          '--reset-offsets',
          '--to-earliest',
          '--group',
          group,
          '--topic',
          topic,
          '--execute',
        ]).catch((err) => err.message);
        if ((await broker.consumerLag(group)).lag > 0) return;
        if (Date.now() > deadline) throw new Error(`faultline: could not reset ${group}'s offsets:\n${out}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
    /**
     * The group's committed offsets against the partitions' ends: `{ lag, partitions: [{ partition, offset,
     * end, lag, consumer }] }`. A partition the group never committed counts its whole length.
     */
    async consumerLag(group) {
      const out = await tool('org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', [
        '--describe',
        '--group',
        group,
      ]);
      return parseGroupDescription(out);
    },
  };
  let output = '';
  let exited;
  await broker.start();
  return broker;
}

/** The table `kafka-consumer-groups --describe` prints: GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ... */
export function parseGroupDescription(text) {
  const lines = text.split('\n').filter((l) => l.trim());
  const header = lines.findIndex((l) => /^GROUP\s+TOPIC\s+PARTITION/.test(l));
  if (header < 0) throw new Error(`faultline: unexpected consumer group description:\n${text}`);
  const columns = lines[header].trim().split(/\s+/);
  const col = (name) => columns.indexOf(name);
  const partitions = lines.slice(header + 1).map((line) => {
    const cells = line.trim().split(/\s+/);
    const num = (name) => (cells[col(name)] === '-' ? undefined : Number(cells[col(name)]));
    const end = num('LOG-END-OFFSET') ?? 0;
    const offset = num('CURRENT-OFFSET');
    return {
      topic: cells[col('TOPIC')],
      partition: num('PARTITION'),
      offset,
      end,
      lag: end - (offset ?? 0),
      consumer: cells[col('CONSUMER-ID')] === '-' ? undefined : cells[col('CONSUMER-ID')],
    };
  });
  return { lag: partitions.reduce((sum, p) => sum + p.lag, 0), partitions };
}

// CLI: a broker in a temporary directory until Ctrl-C (node collector-config/scale/kafka.mjs [port]).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const port = Number(process.argv[2] ?? 9092);
  const kafka = await startKafka({ dir: mkdtempSync(join(tmpdir(), 'faultline-kafka-')), port }).catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
  console.log(`kafka: ${kafka.bootstrap} (KRaft, one broker). Ctrl-C stops it.`);
  const stop = async () => {
    await kafka.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

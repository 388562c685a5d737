#!/usr/bin/env node
// The scale-out layout on loopback (README.md here): an edge collector (edge.yaml) → Kafka (one KRaft broker,
// a topic of PARTITIONS partitions) → gateway collectors in one consumer group (../faultline.yaml +
// gateway.yaml) → Jaeger on OpenSearch. Installs and builds what is missing. Used by
// test/scale/kafka.e2e.test.ts and bench/scale.bench.mjs, and runnable alone:
//   node collector-config/scale/layout.mjs [gateways]     start it all, print where to look, Ctrl-C stops it
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertPortsFree, buildBinaries, DEFAULT_PORTS, startCollector, startJaeger } from '../stack.mjs';
import { startKafka } from './kafka.mjs';
import { startOpenSearch } from './opensearch.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const TOPIC = 'faultline-spans';
export const GROUP = 'faultline-gateways';
/**
 * Partitions of the topic: the most gateways that can share the work (a partition is read by one gateway of
 * the group at a time). Six on this 2-core machine; BENCHMARKS.md says how to size it for more.
 */
export const PARTITIONS = 6;
/** Each gateway's own ports (OTLP for logs, health, metrics) are the layout's shifted by 10 per gateway. */
const GATEWAY_PORT_STEP = 10;

/** DEFAULT_PORTS shifted by `offset`. */
function portsAt(offset) {
  return Object.fromEntries(Object.entries(DEFAULT_PORTS).map(([k, v]) => [k, v + offset]));
}

/**
 * Starts the layout with every port the default shifted by `shift` (gateway i: by shift + 10 i; OpenSearch
 * 9200, Kafka 9092 and its controller 9192, shifted), its data in `dir`. `stop()` stops it all, edge first.
 */
export async function startLayout({
  shift = 0,
  gateways = 2,
  dir = mkdtempSync(join(tmpdir(), 'faultline-layout-')),
  corsOrigins,
  binaries,
  partitions = PARTITIONS,
  log = (line) => process.stderr.write(`${line}\n`),
}) {
  if (!Number.isInteger(gateways) || gateways < 1 || gateways > partitions)
    throw new Error(`faultline: gateways must be 1 to ${partitions} (the topic's partitions), not ${gateways}`);
  const ports = portsAt(shift);
  const kafkaPort = 9092 + shift;
  const opensearchPort = 9200 + shift;
  const gatewayPorts = (i) => ({
    ...portsAt(shift + GATEWAY_PORT_STEP * (i + 1)),
    jaegerOtlpGrpc: ports.jaegerOtlpGrpc,
  });
  const jaegerNames = ['jaegerOtlpGrpc', 'jaegerOtlpHttp', 'jaegerHealth', 'jaegerQuery', 'jaegerQueryGrpc'];
  const collectorNames = ['otlpGrpc', 'otlpHttp', 'otlpTenantsHttp', 'collectorHealth', 'collectorMetrics'];
  await assertPortsFree(ports, [...jaegerNames, ...collectorNames]);
  for (let i = 0; i < gateways; i++) await assertPortsFree(gatewayPorts(i), collectorNames);
  const bins = binaries ?? (await buildBinaries({ log }));
  const kafkaEnv = { FAULTLINE_KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`, FAULTLINE_KAFKA_TOPIC: TOPIC };

  const layout = {
    dir,
    ports,
    kafka: undefined,
    opensearch: undefined,
    jaeger: undefined,
    edge: undefined,
    /** One slot per gateway: its running collector, or undefined once stopped or killed. */
    gateways: new Array(gateways).fill(undefined),
    urls: {
      edgeTraces: `http://127.0.0.1:${ports.otlpHttp}/v1/traces`,
      edgeOtlpHttp: `http://127.0.0.1:${ports.otlpHttp}`,
      jaegerQuery: `http://127.0.0.1:${ports.jaegerQuery}`,
    },
    async startGateway(i) {
      if (layout.gateways[i]) return;
      layout.gateways[i] = await startCollector({
        name: `gateway-${i + 1}`,
        binary: bins.collector,
        ports: gatewayPorts(i),
        storageDir: join(dir, `gateway-${i + 1}`),
        config: [join(here, '..', 'faultline.yaml'), join(here, 'gateway.yaml')],
        env: { ...kafkaEnv, FAULTLINE_KAFKA_GROUP: GROUP, FAULTLINE_COLLECTOR_NAME: `gateway-${i + 1}` },
      });
    },
    /** SIGKILL: no shutdown, no last commit, as a crash or an OOM kill. */
    async killGateway(i) {
      const gateway = layout.gateways[i];
      layout.gateways[i] = undefined;
      if (!gateway || gateway.child.exitCode !== null) return;
      const exited = new Promise((r) => gateway.child.once('exit', r));
      gateway.child.kill('SIGKILL');
      await exited;
    },
    async stopGateway(i) {
      await layout.gateways[i]?.stop();
      layout.gateways[i] = undefined;
    },
    /** Starts the edge (stopped first if running); `env` adds to its environment (edge.yaml's variables). */
    async startEdge(env = {}) {
      await layout.edge?.stop();
      mkdirSync(join(dir, 'edge'), { recursive: true });
      layout.edge = await startCollector({
        name: 'edge',
        binary: bins.collector,
        ports,
        storageDir: join(dir, 'edge'),
        corsOrigins,
        config: join(here, 'edge.yaml'),
        env: { ...kafkaEnv, FAULTLINE_COLLECTOR_NAME: 'edge', ...env },
      });
    },
    /** The gateways' consumer lag (kafka.mjs consumerLag). */
    lag: () => layout.kafka.consumerLag(GROUP),
    async stop() {
      await layout.edge?.stop();
      for (let i = 0; i < layout.gateways.length; i++) await layout.stopGateway(i);
      await layout.jaeger?.stop();
      await layout.kafka?.stop();
      await layout.opensearch?.stop();
    },
  };
  try {
    // OpenSearch runs as its own user (opensearch.mjs), who must reach its folder inside this one.
    chmodSync(dir, 0o755);
    // Both JVMs start at once; whichever came up is stopped if the other fails.
    const started = await Promise.allSettled([
      startOpenSearch({ dir: join(dir, 'opensearch'), httpPort: opensearchPort }).then((o) => {
        layout.opensearch = o;
      }),
      startKafka({ dir: join(dir, 'kafka'), port: kafkaPort, controllerPort: 9192 + shift, partitions }).then((k) => {
        layout.kafka = k;
      }),
    ]);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    await layout.kafka.createTopic(TOPIC, partitions);
    layout.jaeger = await startJaeger({
      binary: bins.jaeger,
      ports,
      storage: 'opensearch',
      opensearchUrl: layout.opensearch.url,
    });
    for (let i = 0; i < gateways; i++) await layout.startGateway(i);
    await layout.startEdge();
  } catch (err) {
    await layout.stop().catch(() => {});
    throw err;
  }
  return layout;
}

// CLI: start, print, wait for Ctrl-C.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const gateways = Number(process.argv[2] ?? 2);
  const layout = await startLayout({ gateways }).catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
  console.log(`edge:    OTLP/HTTP ${layout.urls.edgeOtlpHttp}  (OTEL_EXPORTER_OTLP_ENDPOINT)`);
  console.log(`kafka:   ${layout.kafka.bootstrap}, topic ${TOPIC} (${PARTITIONS} partitions), group ${GROUP}`);
  console.log(`gateways: ${gateways}; jaeger: ${layout.urls.jaegerQuery} on OpenSearch ${layout.opensearch.url}`);
  console.log(`data:    ${layout.dir}. Ctrl-C stops it all.`);
  const stop = async () => {
    await layout.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// Starts the view: the state file, the index, the poll loop and the HTTP server.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { AlertSender } from './alerts';
import { IssueIndex } from './issue-index';
import { IssueTracker } from './issue-tracker';
import { JaegerPoller, type PollReport } from './jaeger-poller';
import type { ViewOptions } from './options';
import { createHandler, type PageAssets } from './server';
import { StateFile } from './state-file';

export interface RunningView {
  url: string;
  tracker: IssueTracker;
  poller: JaegerPoller;
  alerts: AlertSender;
  /** Runs one poll round now (and settles it); resolves with its report. */
  pollNow(): Promise<PollReport>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The built page, beside this module in dist/page/. */
export function loadAssets(dir = fileURLToPath(new URL('./page/', import.meta.url))): PageAssets {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of ['app.js', 'style.css', 'icon.svg']) {
    files.set(name, { type: TYPES[name.slice(name.lastIndexOf('.'))]!, body: readFileSync(`${dir}${name}`) });
  }
  return { html: readFileSync(`${dir}index.html`), files };
}

function memory(): { rssMb: number; heapMb: number } {
  const m = process.memoryUsage();
  return { rssMb: Math.round(m.rss / 1e5) / 10, heapMb: Math.round(m.heapUsed / 1e5) / 10 };
}

export async function startView(options: ViewOptions, assets: PageAssets = loadAssets()): Promise<RunningView> {
  const state = StateFile.open(options.dataDir);
  const index = new IssueIndex();
  const alerts = new AlertSender(options.webhooks);
  const tracker = new IssueTracker({ index, state, alerts, spike: options.spike });
  const poller = new JaegerPoller({
    jaegerUrl: options.jaeger,
    backfillMs: options.backfillMs,
    onTraces: (traces) => tracker.ingest(traces),
  });
  const startedAt = Date.now();
  let backfilled = false;
  const status = () => ({
    jaeger: {
      url: options.jaeger,
      backfilled: backfilled && poller.backfillPending === 0,
      pendingWindows: poller.pending,
      skippedWindows: poller.skippedSlices,
      lastSuccess: poller.lastSuccess ? new Date(poller.lastSuccess).toISOString() : null,
      error: poller.lastError ?? null,
      lastPollMs: poller.last ? Math.round(poller.last.ms) : null,
      lastIncrementalMs: poller.last ? Math.round(poller.last.incremental) : null,
    },
    alerts: { webhooks: options.webhooks.length, ...alerts.stats },
    index: { issues: index.issues.size, spans: index.spansSeen, ...memory() },
    startedAt: new Date(startedAt).toISOString(),
  });
  const server: Server = createServer(
    createHandler({
      tracker,
      poller,
      assets,
      host: options.host,
      jaegerUi: options.jaegerUi,
      status,
      ...(options.token ? { token: options.token } : {}),
    }),
  );
  server.keepAliveTimeout = 5_000;
  // `[::1]` names an address in a URL; listen() takes it bare.
  const bind = options.host.replace(/^\[(.*)\]$/, '$1');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, bind, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${bind.includes(':') ? `[${bind}]` : bind}:${port}`;
  tracker.pageUrl = url;

  const round = async () => {
    const report = await poller.poll();
    tracker.settle(poller.backfillPending === 0);
    if (report.services > 0 || Object.keys(report.failures).length === 0) backfilled = true;
    index.prune(Date.now() - options.backfillMs - 3_600_000);
    return report;
  };
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const loop = async () => {
    let failed = true;
    try {
      failed = Object.keys((await round()).failures).length > 0;
    } catch (err) {
      process.stderr.write(`faultline-view: poll failed: ${(err as Error)?.message ?? err}\n`);
    }
    // While a backfill or rescan is queued, the next round starts at once: each still reads what is new first.
    // Not after a failure: a Jaeger that is down or failing would be asked again in a busy loop.
    if (!closed) timer = setTimeout(loop, poller.pending > 0 && !failed ? 0 : options.pollIntervalMs);
  };
  void loop();

  return {
    url,
    tracker,
    poller,
    alerts,
    pollNow: round,
    async close() {
      closed = true;
      clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

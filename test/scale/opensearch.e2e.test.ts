// Jaeger on OpenSearch (issue 16's storage, run for real: OpenSearch 2.19 from Maven Central as an
// unprivileged user), and the view reading it unchanged: the Node examples' errors, grouped, with their
// events, and still there after Jaeger restarts.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startOpenSearch } from '../../collector-config/scale/opensearch.mjs';
import { DEFAULT_PORTS, startJaeger } from '../../collector-config/stack.mjs';
import { eventually } from '../support/jaeger.mjs';
import { agentEnv, REGISTER } from '../support/node.mjs';
import { TEST_PORT_SHIFT } from '../support/ports.mjs';
import { startView } from '../support/view.mjs';

const stack = inject('stack' as never) as { binaries: { jaeger: string } };
// Ports of their own: the defaults shifted, plus 50 (never another checkout's: those are 100 apart).
const shift = TEST_PORT_SHIFT + 50;
const ports = Object.fromEntries(Object.entries(DEFAULT_PORTS).map(([k, v]) => [k, v + shift])) as Record<
  string,
  number
>;
const OPENSEARCH_PORT = 9200 + shift;
const root = resolve(__dirname, '../..');
const service = `os-node-${Date.now() % 100000}`;

describe('Jaeger on OpenSearch, read by the view', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-opensearch-'));
  let opensearch: Awaited<ReturnType<typeof startOpenSearch>>;
  let jaeger: { stop(): Promise<void> };
  const jaegerUrl = `http://127.0.0.1:${ports.jaegerQuery}`;
  const start = async () => {
    jaeger = await startJaeger({
      binary: stack.binaries.jaeger,
      ports,
      storage: 'opensearch',
      opensearchUrl: opensearch.url,
    });
  };

  beforeAll(async () => {
    opensearch = await startOpenSearch({ dir, httpPort: OPENSEARCH_PORT });
    await start();
  }, 180_000);
  afterAll(async () => {
    await jaeger?.stop();
    await opensearch?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (file: string, preload = 'require') =>
    new Promise<number | null>((r) => {
      const args =
        preload === 'import' ? ['--import', `${REGISTER}.mjs`, file] : ['--require', `${REGISTER}.cjs`, file];
      const child = spawn(process.execPath, args, {
        env: agentEnv(`http://127.0.0.1:${ports.jaegerOtlpHttp}`, service),
        stdio: 'ignore',
      });
      child.once('exit', (code) => r(code));
    });

  const viewArgs = () => [
    '--port',
    String(8090 + shift),
    '--jaeger',
    jaegerUrl,
    '--data',
    join(dir, 'view'),
    '--poll-interval',
    '500ms',
  ];
  /** The issues of the service once there are `count` of them. */
  const issuesOf = (base: string, count: number) =>
    eventually(
      async () => {
        const body = (await (await fetch(`${base}/api/issues?service=${service}&sort=events`)).json()) as {
          issues: { id: string; events: number; culprit: string }[];
        };
        return body.issues.length === count && body.issues[0]!.events === 3 ? body.issues : undefined;
      },
      { timeoutMs: 40_000, what: 'the issues from OpenSearch' },
    );

  it('groups the errors the agents sent, shows their events, and keeps them across a Jaeger restart', async () => {
    for (let i = 0; i < 3; i++) expect(await run(join(root, 'examples/node-app/checkout.js'))).toBe(1);
    expect(await run(join(root, 'examples/node-app/sync-job.mjs'), 'import')).toBe(1);
    let view = await startView(viewArgs());
    try {
      const issues = await issuesOf(view.url, 2);
      expect(issues.map((i) => [i.events, i.culprit])).toEqual([
        [3, 'totalOf (node-app/checkout.js:4)'],
        [1, 'fetchInventory (node-app/sync-job.mjs:5)'],
      ]);
      const detail = (await (await fetch(`${view.url}/api/issues/${issues[0]!.id}?event=latest`)).json()) as {
        events: unknown[];
        event: { exceptions: { frames: { function?: string }[] }[] };
      };
      expect(detail.events).toHaveLength(3);
      expect(detail.event.exceptions[0]!.frames.slice(0, 2).map((f) => f.function)).toEqual(['totalOf', 'checkout']);

      // Jaeger and the view restart; what they read is in OpenSearch.
      await jaeger.stop();
      await start();
      await view.stop();
      view = await startView(viewArgs());
      expect((await issuesOf(view.url, 2)).map((i) => i.events)).toEqual([3, 1]);
    } finally {
      await view.stop();
    }
  }, 150_000);
});

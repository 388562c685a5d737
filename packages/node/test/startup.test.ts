// What the preload loads at start-up, in a real process (the built dist/register.cjs): the modules Node
// reports loaded by the time the app's first line runs, with and without the preload. Everything else
// waits for its first use (the OpenTelemetry pipeline, delivery, the framework hooks, worker_threads).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const register = fileURLToPath(new URL('../dist/register.cjs', import.meta.url));
const loaded = (preload: string[]): string[] =>
  JSON.parse(
    execFileSync(process.execPath, [...preload, '-e', 'console.log(JSON.stringify(process.moduleLoadList))'], {
      encoding: 'utf8',
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' },
    }),
  );

describe('start-up', () => {
  it("loads none of Node's heavier modules, nor the pipeline, delivery or framework hooks", () => {
    const bare = new Set(loaded([]));
    const added = loaded(['--require', register]).filter((m) => !bare.has(m));
    for (const heavy of ['worker_threads', 'http', 'https', 'async_hooks', 'zlib', 'net'])
      expect(added, heavy).not.toContain(`NativeModule ${heavy}`);
    // No package is resolved at start-up: the first bare specifier of a process loads Node's resolver for
    // package exports, about 2.5 ms of CPU (core's context module is bundled into the agent's file instead).
    // Node 24 loads that resolver at boot, so there only the own-files check below can tell.
    expect(added).not.toContain('NativeModule internal/modules/esm/resolve');
    const ownFiles: string[] = JSON.parse(
      execFileSync(
        process.execPath,
        ['--require', register, '-e', 'console.log(JSON.stringify(Object.keys(require.cache)))'],
        { encoding: 'utf8', env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' } },
      ),
    );
    expect(ownFiles.filter((f) => !f.includes('/packages/node/dist/'))).toEqual([]);
    for (const lazy of ['pipeline.cjs', 'delivery.cjs', 'frameworks.cjs'])
      expect(
        ownFiles.some((f) => f.endsWith(`/dist/${lazy}`)),
        lazy,
      ).toBe(false);
  });
});

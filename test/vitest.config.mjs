import { defineConfig } from 'vitest/config';

// One collector + Jaeger for the whole run (globalSetup), suites one after another: some stop and restart
// Jaeger, and all of them read the same store.
export default defineConfig({
  test: {
    include: ['**/*.e2e.test.{ts,mjs}'],
    globalSetup: ['./support/global-setup.mjs'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

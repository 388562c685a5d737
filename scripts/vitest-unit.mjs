// The unit and property test setup of every package. No test may fail for taking long on a loaded 2-core
// machine (property tests run thousands of cases; vitest's default 5 s is a timing bound): timing belongs
// in bench/, so the timeout here only catches a test that hangs.
import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 120_000 } });

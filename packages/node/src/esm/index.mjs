// ESM entry: the CommonJS implementation, so that `import` and the preload share one agent.
import { createRequire } from 'node:module';

const api = createRequire(import.meta.url)('./index.cjs');
export const { init, captureException, setUser, setContext, setTag, flush } = api;

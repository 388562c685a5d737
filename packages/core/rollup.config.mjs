import { packageConfig } from '../../scripts/rollup-package.mjs';

// `context` is its own entry: the Node agent loads it at start-up, without the rest of core.
export default packageConfig({ input: { index: 'src/index.ts', context: 'src/app-context.ts' } });

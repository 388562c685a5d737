import { packageConfig } from '../../scripts/rollup-package.mjs';

// `context`, `circuit-breaker` and `classify` are entries of their own: the Node agent loads each alone
// (context at start-up, the breaker after a failed delivery, classify to check init()'s rules), without the
// rest of core.
export default packageConfig({
  input: {
    index: 'src/index.ts',
    context: 'src/app-context.ts',
    'circuit-breaker': 'src/circuit-breaker.ts',
    classify: 'src/classify.ts',
  },
});

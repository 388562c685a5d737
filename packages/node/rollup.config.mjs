import { fileURLToPath } from 'node:url';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// CommonJS inside, for one reason: the exit path must load the OpenTelemetry pipeline synchronously
// (require), and the ESM entries must share the one agent instance. The .mjs files are thin wrappers.
const SHARED_WITH_AGENT = /[\\/]src[\\/](agent|should-report|frameworks[\\/](express-request|request-attributes))\.ts$/;
const external = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0');
// The one package the preload needs at start-up goes into the agent's file: a bare specifier required then
// costs a search of node_modules and a read of package.json exports, about 2.5 ms of CPU in a process
// that has resolved no package before (Node 20; BENCHMARKS.md). Core's context module is self-contained.
const START_UP_PACKAGE = '@faultline/core/context';
const inlineStartUpPackage = {
  name: 'inline-start-up-package',
  resolveId: (id) => (id === START_UP_PACKAGE ? fileURLToPath(import.meta.resolve(START_UP_PACKAGE)) : null),
};
export default [
  {
    input: {
      index: 'src/index.ts',
      register: 'src/register.ts',
      pipeline: 'src/pipeline.ts',
      delivery: 'src/delivery.ts',
      frameworks: 'src/frameworks/hooks.ts',
    },
    // Loaded on first use with require(): the OpenTelemetry pipeline, the delivery path, the framework hooks.
    external: (id) =>
      id !== START_UP_PACKAGE &&
      (external(id) || ['./pipeline.cjs', './delivery.cjs', './frameworks.cjs'].includes(id)),
    plugins: [
      inlineStartUpPackage,
      typescript({ tsconfig: './tsconfig.json', noEmit: false, declaration: false, sourceMap: true }),
    ],
    output: {
      dir: 'dist',
      format: 'cjs',
      // What the preload shares with the lazy framework hooks goes in the agent's file, which the preload
      // loads anyway: a file of its own would be one more file to read at every start-up.
      manualChunks: (id) => (SHARED_WITH_AGENT.test(id) ? 'agent' : undefined),
      entryFileNames: '[name].cjs',
      chunkFileNames: '[name]-[hash].cjs',
      sourcemap: true,
    },
  },
  {
    input: { index: 'src/index.ts' },
    external,
    plugins: [dts({ tsconfig: './tsconfig.json' })],
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts' },
  },
  ...['index', 'register'].map((name) => ({
    input: `src/esm/${name}.mjs`,
    external: () => true,
    output: { file: `dist/${name}.mjs`, format: 'es' },
  })),
];

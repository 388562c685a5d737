import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { packageConfig } from '../../scripts/rollup-package.mjs';

/** The script tag carries no OpenTelemetry SDK: core's few uses of the API resolve to src/platform. */
const apiLite = {
  name: 'faultline-opentelemetry-api-lite',
  resolveId: (id) =>
    id === '@opentelemetry/api' ? fileURLToPath(new URL('src/platform/opentelemetry-api.ts', import.meta.url)) : null,
};

/** How the script tag is minified: three passes, and function declarations hoisted to the top of their scope
 * (where the language puts them anyway): 137 bytes gzip off the script tag (issue 15; BENCHMARKS.md has what
 * else was tried). The benchmarks that rebuild the script tag minify with these too. */
export const SCRIPT_TAG_TERSER = { compress: { passes: 3, hoist_funs: true }, format: { comments: false } };

export default [
  // ESM + CJS + types for bundlers (dependencies stay external, so the app's bundler tree-shakes them).
  ...packageConfig(),
  // The script tag: one minified IIFE with everything in it.
  {
    input: 'src/script-tag.ts',
    plugins: [
      apiLite,
      nodeResolve({ browser: true }),
      // Fields assigned in constructors rather than declared (no bare `name;` declarations in the output).
      typescript({
        tsconfig: './tsconfig.json',
        noEmit: false,
        declaration: false,
        sourceMap: false,
        useDefineForClassFields: false,
      }),
      terser(SCRIPT_TAG_TERSER),
    ],
    output: { file: 'dist/faultline.min.js', format: 'iife', name: 'faultlineAgent' },
  },
  // The logs pipeline, loaded by the script tag beside itself when exceptions go out as log records.
  {
    input: 'src/logs-script.ts',
    plugins: [
      nodeResolve({ browser: true, dedupe: ['@opentelemetry/api'] }),
      typescript({ tsconfig: './tsconfig.json', noEmit: false, declaration: false, sourceMap: false }),
      terser({ format: { comments: false } }),
    ],
    output: { file: 'dist/faultline-logs.min.js', format: 'iife' },
  },
  // The early-capture loader: the only synchronous bytes; it loads faultline.min.js without blocking.
  {
    input: 'src/loader.ts',
    plugins: [
      typescript({ tsconfig: './tsconfig.json', noEmit: false, declaration: false, sourceMap: false }),
      terser(),
    ],
    output: { file: 'dist/faultline-loader.min.js', format: 'iife' },
  },
];

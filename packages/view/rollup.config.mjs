import { copyFileSync, mkdirSync } from 'node:fs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// The server bundles the little of core it uses (parseStack), so the view runs with no dependencies at
// all; the page is one minified script beside its HTML and CSS.
const builtin = (id) => id.startsWith('node:');
const PAGE_FILES = ['index.html', 'style.css', 'icon.svg'];

const copyPage = {
  name: 'copy-page',
  writeBundle() {
    mkdirSync('dist/page', { recursive: true });
    for (const name of PAGE_FILES) copyFileSync(`src/page/${name}`, `dist/page/${name}`);
  },
};

export default [
  {
    input: { index: 'src/index.ts', cli: 'src/cli.ts' },
    external: builtin,
    plugins: [
      nodeResolve(),
      typescript({ tsconfig: './tsconfig.json', noEmit: false, declaration: false, sourceMap: true }),
    ],
    output: {
      dir: 'dist',
      format: 'es',
      entryFileNames: '[name].mjs',
      chunkFileNames: '[name]-[hash].mjs',
      sourcemap: true,
      banner: (chunk) => (chunk.name === 'cli' ? '#!/usr/bin/env node' : ''),
    },
  },
  {
    input: { index: 'src/index.ts' },
    external: (id) => builtin(id) || id.startsWith('@faultline/'),
    plugins: [dts({ tsconfig: './tsconfig.json' })],
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts' },
  },
  {
    input: 'src/page/main.ts',
    plugins: [
      typescript({ tsconfig: './src/page/tsconfig.json', noEmit: false, declaration: false, sourceMap: false }),
      terser({ format: { comments: false } }),
      copyPage,
    ],
    output: { file: 'dist/page/app.js', format: 'iife' },
  },
];

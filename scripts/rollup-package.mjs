// One rollup setup for every package: ESM + CJS from src/index.ts, plus one bundled .d.ts.
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

/** @param {{ input?: Record<string, string>, external?: (id: string) => boolean }} [options] */
export function packageConfig(options = {}) {
  const input = options.input ?? { index: 'src/index.ts' };
  // Dependencies are never bundled into the library builds: the app's bundler dedupes them.
  const external = options.external ?? ((id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'));
  return [
    {
      input,
      external,
      plugins: [typescript({ tsconfig: './tsconfig.json', noEmit: false, declaration: false, sourceMap: true })],
      output: [
        {
          dir: 'dist',
          format: 'es',
          entryFileNames: '[name].mjs',
          chunkFileNames: '[name]-[hash].mjs',
          sourcemap: true,
        },
        {
          dir: 'dist',
          format: 'cjs',
          entryFileNames: '[name].cjs',
          chunkFileNames: '[name]-[hash].cjs',
          sourcemap: true,
        },
      ],
    },
    {
      input,
      external,
      plugins: [dts({ tsconfig: './tsconfig.json' })],
      output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts' },
    },
  ];
}

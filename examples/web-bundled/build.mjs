// Builds the bundled web example with rollup and terser, with source maps and ECMA-426 debug IDs
// (rollup's output.sourcemapDebugIds), into outDir: app.<hash>.js and app.<hash>.js.map.
//   node examples/web-bundled/build.mjs <outDir> [--with-padding]
// `withPadding` builds the same app with unrelated code in front: every minified name and column moves.
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import terser from '@rollup/plugin-terser';
import { rollup } from 'rollup';

const here = dirname(fileURLToPath(import.meta.url));

/** Builds into outDir; returns the bundle's file name. */
export async function buildApp({ outDir, withPadding = false }) {
  const bundle = await rollup({ input: join(here, 'src', withPadding ? 'main-with-padding.js' : 'main.js') });
  try {
    const { output } = await bundle.write({
      dir: outDir,
      format: 'iife',
      entryFileNames: 'app.[hash].js',
      sourcemap: true,
      sourcemapDebugIds: true,
      // Sources as the repository names them (src/cart.js), not relative to wherever outDir is.
      sourcemapPathTransform: (source, mapFile) => relative(here, resolve(dirname(mapFile), source)),
      plugins: [terser()],
    });
    return output[0].fileName;
  } finally {
    await bundle.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [outDir, flag] = process.argv.slice(2);
  if (!outDir) throw new Error('usage: node examples/web-bundled/build.mjs <outDir> [--with-padding]');
  console.log(await buildApp({ outDir, withPadding: flag === '--with-padding' }));
}

// Builds a browser example (react-shop, vue-shop, angular-shop) with esbuild as an app's own build would:
// production mode, minified, one file; names kept, so component stacks and frames read as the source does.
//   node examples/bundle.mjs <entry> <outFile>
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The bundle's text. */
export async function bundleExample(entry) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    minify: true,
    keepNames: true,
    define: {
      'process.env.NODE_ENV': '"production"',
      __VUE_OPTIONS_API__: 'true',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
    logLevel: 'warning',
  });
  return result.outputFiles[0].text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [entry, outFile] = process.argv.slice(2);
  if (!entry || !outFile) throw new Error('usage: node examples/bundle.mjs <entry> <outFile>');
  writeFileSync(outFile, await bundleExample(entry));
}

// Builds the React example with esbuild (production React, minified, with a source map) into one file.
//   node examples/react-shop/build.mjs <outFile>
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/** The bundle's text. */
export async function buildReactShop() {
  const result = await build({
    entryPoints: [join(here, 'src/main.jsx')],
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    minify: true,
    keepNames: true, // component names in the component stack
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  return result.outputFiles[0].text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { writeFileSync } = await import('node:fs');
  const [outFile] = process.argv.slice(2);
  if (!outFile) throw new Error('usage: node examples/react-shop/build.mjs <outFile>');
  writeFileSync(outFile, await buildReactShop());
}

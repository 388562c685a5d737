// Where the script tag's bytes go: dist/faultline.min.js built again by its own rollup config, then each
// module's rendered code minified (terser, as the build does) and gzipped on its own. A module's figure
// alone is a little more than its share of the whole (gzip finds less to reuse in one module), so the
// column adds up to more than the bundle. Results: BENCHMARKS.md. Run: node bench/browser-modules.bench.mjs
// (after building packages/core and packages/browser).
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const browser = join(here, '../packages/browser');
// rollup from the workspace, terser from beside @rollup/plugin-terser (its dependency).
const require = createRequire(join(browser, 'package.json'));
const { rollup } = require('rollup');
const { minify } = createRequire(require.resolve('@rollup/plugin-terser'))('terser');
process.chdir(browser);
const { default: configs, SCRIPT_TAG_TERSER } = await import(pathToFileURL(join(browser, 'rollup.config.mjs')).href);
const config = configs.find((c) => c.input === 'src/script-tag.ts');
// Core from its sources (its dist is one file), transpiled as they are: one row per core module.
const ts = require('typescript');
const coreSrc = join(here, '../packages/core/src');
const coreFromSource = {
  name: 'core-from-source',
  resolveId(id, importer) {
    if (id === '@faultline/core') return join(coreSrc, 'index.ts');
    if (id.startsWith('@faultline/core/')) return join(coreSrc, `${id.slice(16)}.ts`);
    if (importer?.startsWith(coreSrc) && id.startsWith('.')) return `${join(dirname(importer), id)}.ts`;
    return null;
  },
  transform(code, id) {
    if (!id.startsWith(coreSrc)) return null;
    const options = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true };
    return ts.transpileModule(code, { compilerOptions: options, fileName: id }).outputText;
  },
};
// The same plugins without the final minification: each module is minified below, on its own.
const plugins = [coreFromSource, ...config.plugins.filter((p) => p.name !== 'terser')];
const bundle = await rollup({ input: config.input, plugins });
const { output } = await bundle.generate({ format: 'iife', name: 'faultlineAgent' });
const gz = (s) => gzipSync(s, { level: 9 }).length;
const rows = [];
for (const [id, module] of Object.entries(output[0].modules)) {
  if (!module.code) continue;
  const min =
    (await minify(module.code, { module: false, compress: { unused: false }, mangle: { toplevel: true } })).code ?? '';
  const name = relative(join(here, '..'), id).replace(/^node_modules\/.*?node_modules\//, '');
  rows.push({ module: name, 'min bytes': min.length, 'min+gzip bytes': gz(min) });
}
rows.sort((a, b) => b['min+gzip bytes'] - a['min+gzip bytes']);
// As rollup.config.mjs minifies the script tag.
const whole = (await minify(output[0].code, SCRIPT_TAG_TERSER)).code;
console.log(
  `dist/faultline.min.js as built now: ${whole.length} bytes minified, ${gz(whole)} min+gzip (${(gz(whole) / 1024).toFixed(1)} KB)`,
);
console.table(rows);

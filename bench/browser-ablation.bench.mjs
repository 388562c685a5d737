// What each feature costs the script tag, in the whole bundle: the script tag built from a copy of core's and
// the browser package's sources with one feature cut out (a source edit below), minified as the build does,
// against the same copy uncut. Unlike bench/browser-modules.bench.mjs (each module gzipped alone), this is
// what a feature's bytes are inside the bundle, where gzip shares them with the rest. The copy is built
// from sources (transpiled here), so its figure differs from the shipped file by a few bytes: the
// differences are what counts. Results: BENCHMARKS.md. Run: node bench/browser-ablation.bench.mjs [name...]
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'packages/browser/package.json'));
const { rollup } = require('rollup');
const { minify } = createRequire(require.resolve('@rollup/plugin-terser'))('terser');
const ts = require('typescript');
const { SCRIPT_TAG_TERSER } = await import(pathToFileURL(join(root, 'packages/browser/rollup.config.mjs')).href);

/** Each cut: [file under the copy, what to find, what to put instead]. */
const CUTS = {
  'classification (built-in table and users rules)': [
    [
      'core/reporter.ts',
      'const kind = classify(record, rules.rules, options.runtimeRules);',
      "const kind = { category: 'unknown', transient: false } as ReturnType<typeof classify>;",
    ],
    ['core/reporter.ts', 'const rules = compileRules(options.classify);', 'const rules = { errors: [] as string[] };'],
  ],
  'classification: the built-in table only': [
    [
      'core/classification-rules.ts',
      /export const RULES: readonly ClassificationRuleData\[\] = \[[\s\S]*?\n\];/,
      'export const RULES: readonly ClassificationRuleData[] = [];',
    ],
  ],
  'classification: users rules only': [
    [
      'core/classify.ts',
      /export function compileRules\(rules: unknown\)[\s\S]*$/,
      'export function compileRules(_rules: unknown): { rules: CompiledRule[]; errors: string[] } {\n  return { rules: [], errors: [] };\n}\n',
    ],
  ],
  'scrubbing (all of it)': [
    [
      'core/reporter.ts',
      'const scrubber = createScrubber(options.scrub);',
      'const scrubber = { record: (r: unknown) => r, attributes: (a: unknown) => a, text: (t: string) => t, url: (u: string) => u } as never as Scrubber;',
    ],
  ],
  'scrubbing: the shared rules data only': [
    [
      'core/redaction-rules.ts',
      /export const RULES: readonly RuleData\[\] = \[[\s\S]*?\n\];/,
      'export const RULES: readonly RuleData[] = [];',
    ],
  ],
  'scrubbing: the rules checks only': [
    [
      'core/scrub-checks.ts',
      /export const RANGE_CHECKS[\s\S]*$/,
      "export const RANGE_CHECKS: Record<string, RangeCheck> = {};\nexport const CHECKS: Record<string, Check> = { '': (_t, _s, end) => end };\n",
    ],
  ],
  'stack parsing (every engine)': [
    [
      'core/parse-stack.ts',
      /export function parseStackLine\(line: string\): StackFrame \| undefined \{/,
      'export function parseStackLine(line: string): StackFrame | undefined {\n  return undefined;',
    ],
  ],
  breadcrumbs: [
    [
      'browser/breadcrumbs.ts',
      'export function installBreadcrumbs(crumb: Crumb, options: BreadcrumbOptions): void {',
      'export function installBreadcrumbs(crumb: Crumb, options: BreadcrumbOptions): void {\n  return;',
    ],
  ],
  'exceptions as log records (exceptionSignal)': [
    [
      'browser/agent.ts',
      /if \(signals\.logs && loadLogs\) \{[\s\S]*?\} else \{/,
      'if (signals.logs && loadLogs === null) {\n  } else {',
    ],
    ['browser/script-tag.ts', 'siblingScript(document.currentScript as HTMLScriptElement | null),', ''],
    ['core/reporter.ts', 'if (signals.logs && options.logger) emitExceptionLog(options.logger, report);', ''],
  ],
};

/** The script tag of the sources under `dir`, minified as packages/browser/rollup.config.mjs does. */
async function scriptTag(dir) {
  const sources = {
    name: 'sources',
    resolveId(id, importer) {
      if (id === '@opentelemetry/api') return join(dir, 'browser/platform/opentelemetry-api.ts');
      if (id === '@faultline/core') return join(dir, 'core/index.ts');
      if (importer && id.startsWith('.')) return `${join(dirname(importer), id)}.ts`;
      return null;
    },
    transform(code, id) {
      const compilerOptions = {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        verbatimModuleSyntax: true,
        useDefineForClassFields: !id.startsWith(join(dir, 'browser')),
      };
      return ts.transpileModule(code, { compilerOptions, fileName: id }).outputText;
    },
  };
  const bundle = await rollup({ input: join(dir, 'browser/script-tag.ts'), plugins: [sources] });
  const { output } = await bundle.generate({ format: 'iife', name: 'faultlineAgent' });
  const { code } = await minify(output[0].code, SCRIPT_TAG_TERSER);
  return gzipSync(code, { level: 9 }).length;
}

function copy(cuts) {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-ablation-'));
  cpSync(join(root, 'packages/core/src'), join(dir, 'core'), { recursive: true });
  cpSync(join(root, 'packages/browser/src'), join(dir, 'browser'), { recursive: true });
  for (const [file, find, replace] of cuts) {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    const found = typeof find === 'string' ? text.includes(find) : find.test(text);
    // A cut that no longer finds its code would measure nothing: say so rather than print a zero.
    if (!found) throw new Error(`${file}: ${find} is no longer there; update this cut`);
    writeFileSync(path, text.replace(find, replace));
  }
  return dir;
}

const asked = process.argv.slice(2);
const whole = copy([]);
const uncut = await scriptTag(whole);
rmSync(whole, { recursive: true });
const rows = [{ cut: 'nothing (the sources as they are)', 'min+gzip bytes': uncut, saved: '' }];
for (const [name, cuts] of Object.entries(CUTS)) {
  if (asked.length > 0 && !asked.some((a) => name.includes(a))) continue;
  const dir = copy(cuts);
  const bytes = await scriptTag(dir);
  rmSync(dir, { recursive: true });
  rows.push({ cut: name, 'min+gzip bytes': bytes, saved: uncut - bytes });
}
console.log('The script tag with one feature cut out (whole bundle, minified and gzipped):');
console.table(rows);

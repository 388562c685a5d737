// A realistically sized bundle with its source map for the collector's symbolication benchmark: faultline's
// own browser agent with the OpenTelemetry SDK it bundles (packages/browser/dist/index.mjs and its
// dependencies), built by rollup + terser with a source map carrying sourcesContent, as an app's bundle
// would be. Also: V8 stack traces of frames at mapped positions of it, as Chromium would print them.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { rollup } from 'rollup';

// The browser package's own build plugins (bench has no bundler of its own).
const fromBrowser = createRequire(new URL('../packages/browser/package.json', import.meta.url));
const { nodeResolve } = await import(fromBrowser.resolve('@rollup/plugin-node-resolve'));
const { default: terser } = await import(fromBrowser.resolve('@rollup/plugin-terser'));

/** Builds the bundle into dir; returns its file name and the map's size in bytes. */
export async function buildFixture(dir) {
  const bundle = await rollup({
    input: fileURLToPathSafe(new URL('../packages/browser/dist/index.mjs', import.meta.url)),
    plugins: [nodeResolve({ browser: true })],
    onwarn: () => {},
  });
  const { output } = await bundle.write({
    dir,
    format: 'iife',
    name: 'app',
    entryFileNames: 'app.[hash].js',
    sourcemap: true,
    // One file, as a script tag loads it (the agent's logs chunk is otherwise a dynamic import).
    inlineDynamicImports: true,
    plugins: [terser()],
  });
  await bundle.close();
  const file = output[0].fileName;
  return { file, mapBytes: readFileSync(join(dir, `${file}.map`)).length };
}

function fileURLToPathSafe(url) {
  return decodeURIComponent(url.pathname);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Generated positions (line, 1-based column) of the map's segments that map into the app's own sources. */
export function mappedPositions(mapJson) {
  const map = JSON.parse(mapJson);
  const out = [];
  let line = 1;
  let col = 0;
  let src = 0;
  for (const group of map.mappings.split(';')) {
    col = 0;
    for (const segment of group.split(',')) {
      if (!segment) continue;
      const values = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      col += values[0];
      if (values.length >= 4) {
        src += values[1];
        if (!String(map.sources[src]).includes('node_modules')) out.push({ line, column: col + 1 });
      }
    }
    line++;
  }
  return out;
}

/** `count` distinct V8 stacks of `depth` frames at mapped positions of the bundle served at url. */
export function v8Stacks(url, positions, count, depth = 8) {
  const stacks = [];
  for (let s = 0; s < count; s++) {
    const frames = [];
    for (let d = 0; d < depth; d++) {
      const p = positions[(s * 7919 + d * 104729) % positions.length];
      frames.push(`    at ${String.fromCharCode(97 + ((s + d) % 26))} (${url}:${p.line}:${p.column})`);
    }
    stacks.push(frames.join('\n'));
  }
  return stacks;
}

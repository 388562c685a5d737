// `faultline sourcemaps upload` on real bundles: the web example built by rollup + terser, with source
// maps and debug IDs (examples/web-bundled/build.mjs).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
// @ts-expect-error: a plain ESM build script without types
import { buildApp } from '../../../examples/web-bundled/build.mjs';
import { main } from '../src/cli';
import { debugIdPath, indexPath, mapPath } from '../src/store';

let dist: string;
let store: string;
let log: string[];

beforeEach(() => {
  dist = mkdtempSync(join(tmpdir(), 'faultline-dist-'));
  store = mkdtempSync(join(tmpdir(), 'faultline-store-'));
  log = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => log.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => log.push(line));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dist, { recursive: true, force: true });
  rmSync(store, { recursive: true, force: true });
});

const upload = (...extra: string[]) =>
  main([
    'sourcemaps',
    'upload',
    '--service',
    'shop-web',
    '--release',
    '1.4.2',
    '--url-prefix',
    'https://shop.example/assets',
    '--store',
    store,
    ...extra,
    dist,
  ]);

describe('faultline sourcemaps upload', () => {
  it('stores a rollup + terser bundle’s map by URL and by debug ID, with its functions', async () => {
    const file: string = await buildApp({ outDir: dist });
    expect(await upload()).toBe(0);
    const url = `https://shop.example/assets/${file}`;
    const stored = join(store, mapPath('shop-web', '1.4.2', url));
    expect(JSON.parse(readFileSync(stored, 'utf8'))).toEqual(
      JSON.parse(readFileSync(join(dist, `${file}.map`), 'utf8')),
    );
    const debugId = /\/\/# debugId=(\S+)/.exec(readFileSync(join(dist, file), 'utf8'))?.[1] as string;
    expect(existsSync(join(store, debugIdPath(debugId)))).toBe(true);
    const index = JSON.parse(readFileSync(join(store, indexPath(mapPath('shop-web', '1.4.2', url))), 'utf8'));
    const names = Object.values(index.functions as Record<string, unknown[][]>).flatMap((fns) => fns.map((f) => f[4]));
    expect(names).toEqual(
      expect.arrayContaining(['Cart.total', 'Cart.applyCoupon', 'checkout', 'submitOrder', 'chargeCard', 'redeem']),
    );
    expect(log.join('\n')).toContain(`uploaded ${file} → ${url}`);
  });

  it('pairs a bundle with hidden source maps with its map by debug ID', async () => {
    const file: string = await buildApp({ outDir: dist });
    const code = readFileSync(join(dist, file), 'utf8').replace(/\/\/# sourceMappingURL=.*\n?/, '');
    writeFileSync(join(dist, file), code);
    const map = readFileSync(join(dist, `${file}.map`), 'utf8');
    rmSync(join(dist, `${file}.map`));
    writeFileSync(join(dist, 'maps-elsewhere.map'), map);
    expect(await upload()).toBe(0);
    expect(existsSync(join(store, mapPath('shop-web', '1.4.2', `https://shop.example/assets/${file}`)))).toBe(true);
  });

  it('skips what it cannot use and says why', async () => {
    writeFileSync(join(dist, 'plain.js'), 'console.log(1)\n');
    writeFileSync(join(dist, 'broken.js'), 'x()\n//# sourceMappingURL=broken.js.map\n');
    writeFileSync(join(dist, 'broken.js.map'), '{"version":3,');
    writeFileSync(join(dist, 'escape.js'), 'x()\n//# sourceMappingURL=../../etc/passwd\n');
    expect(await upload()).toBe(1);
    expect(log).toEqual(
      expect.arrayContaining([
        'skipped  plain.js: no source map',
        'skipped  broken.js: source map broken.js.map is missing, too large or not JSON',
        'skipped  escape.js: source map ../../etc/passwd is outside the build directory',
      ]),
    );
  });

  it('refuses to run without what it needs', async () => {
    expect(await main(['sourcemaps', 'upload', dist], {})).toBe(2);
    expect(log.join('\n')).toContain(
      'missing --service, --release, --url-prefix, --store (or FAULTLINE_SOURCEMAP_STORE)',
    );
    expect(await main(['nope'], {})).toBe(2);
  });

  it('takes the store from FAULTLINE_SOURCEMAP_STORE', async () => {
    await buildApp({ outDir: dist });
    const args = ['sourcemaps', 'upload', '--service', 's', '--release', 'r', '--url-prefix', 'https://x/', dist];
    expect(await main(args, { FAULTLINE_SOURCEMAP_STORE: store })).toBe(0);
    expect(existsSync(join(store, 'v1', 's', 'r'))).toBe(true);
  });
});

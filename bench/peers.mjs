// Peers are installed for the benchmarks only: into a folder of their own, outside the workspace, once.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Installs `peers` ({ name: version }) into `dir` unless they are all there already. */
export function ensurePeers(dir, peers) {
  if (Object.keys(peers).every((name) => existsSync(join(dir, 'node_modules', name, 'package.json')))) return;
  console.error(`installing the peers for this benchmark into ${dir} ...`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"private":true}');
  const specs = Object.entries(peers).map(([name, version]) => `${name}@${version}`);
  execFileSync('npm', ['install', '--silent', '--no-audit', '--no-fund', '--prefix', dir, ...specs], {
    stdio: 'inherit',
  });
}

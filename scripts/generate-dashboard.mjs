// Writes collector-config/grafana/faultline.json from collector-config/grafana/dashboard.mjs (the typed
// source). Run after changing the dashboard: node scripts/generate-dashboard.mjs
// The metrics e2e fails while the committed JSON differs from what this writes.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dashboard } from '../collector-config/grafana/dashboard.mjs';

export const TARGET = fileURLToPath(new URL('../collector-config/grafana/faultline.json', import.meta.url));
export const render = () => `${JSON.stringify(dashboard, null, 2)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(TARGET, render());
  console.log(`wrote ${TARGET}`);
}

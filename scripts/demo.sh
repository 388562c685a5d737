#!/usr/bin/env bash
# The demo (npm start): installs and builds what is missing, then runs examples/demo.mjs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pnpm() { bash "$root/scripts/pnpm.sh" "$@"; }
pnpm install --frozen-lockfile --reporter=silent
pnpm -r --filter './packages/*' run build >/dev/null
bash collector-config/scripts/build-collector.sh >/dev/null
bash collector-config/scripts/build-jaeger.sh >/dev/null
bash scripts/ensure-prometheus.sh
exec node examples/demo.mjs

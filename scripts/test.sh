#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what it needs, then runs every check and suite.
# Idempotent: what is already installed or built is reused.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pnpm() { bash "$root/scripts/pnpm.sh" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "dependencies"
pnpm install --frozen-lockfile --reporter=append-only

step "lint and format (biome)"
pnpm exec biome ci --colors=off .

step "build (rollup: ESM + CJS + types)"
pnpm -r --filter './packages/*' run build

step "typecheck"
pnpm -r --filter './packages/*' run typecheck
# The Grafana dashboard against @grafana/schema's types (Grafana itself cannot run here).
pnpm exec tsc -p collector-config/grafana

# Unit tests of every package on each supported Node (20 is the machine's; 22 and 24 come from npm).
for major in 20 22 24; do
  node_bin="$(bash scripts/node-runtime.sh "$major")"
  for pkg in packages/*/; do
    step "unit tests: ${pkg%/} on Node $major"
    (cd "$pkg" && "$node_bin" "$root/node_modules/vitest/vitest.mjs" run)
  done
done

# The collector's own processor (Go): unit, lifecycle, corpus and fingerprint-vector tests, and short fuzz runs
# of the matcher (from the shared corpus' seeds), the source-map parser and symbolication. Go itself is on
# the machine (README); its modules come from the module proxy (GONOSUMDB as in build-collector.sh: the checksum mirror here lacks many collector modules).
step "Go tests: collector-config/faultlineprocessor"
(
  cd collector-config/faultlineprocessor
  export GONOSUMDB="${GONOSUMDB:-github.com/open-telemetry/opentelemetry-collector-contrib,go.opentelemetry.io/collector}"
  go test -count=1 ./...
  # Fuzz budgets are counts of runs, not durations: Go 1.26's coordinator can report a duration's end as a
  # failure ("context deadline exceeded", nothing found; go.dev/issue/75804) when a busy machine slows its
  # workers. Each count is about what the former duration ran here; minimizing is bounded the same way.
  go test -count=1 -run '^$' -fuzz FuzzText -fuzztime 20000x -fuzzminimizetime 100x ./internal/redaction
  go test -count=1 -run '^$' -fuzz FuzzIsDenied -fuzztime 200000x -fuzzminimizetime 100x ./internal/redaction
  # Hostile source maps and stacks (issue 12), from the tests' seeds.
  go test -count=1 -run '^$' -fuzz FuzzParse -fuzztime 250000x -fuzzminimizetime 100x ./internal/sourcemaps
  go test -count=1 -run '^$' -fuzz FuzzSymbolicate -fuzztime 150000x -fuzzminimizetime 100x .
)

# The keyfiles storage of the exporters' queues: its tests (a restart between operations, a Set cut short,
# keys that try to leave the folder) and 5,000 runs (about 10 s) of the model-based fuzz target (operations and
# restarts against a map).
step "Go tests: collector-config/keyfilestorage"
(
  cd collector-config/keyfilestorage
  export GONOSUMDB="${GONOSUMDB:-github.com/open-telemetry/opentelemetry-collector-contrib,go.opentelemetry.io/collector}"
  go test -count=1 ./...
  # Counts, as above: each input runs real file operations, and a duration's end raced them (go.dev/issue/75804).
  go test -count=1 -run '^$' -fuzz FuzzOperations -fuzztime 5000x -fuzzminimizetime 100x .
)

# The example Kubernetes manifests of the scale-out layout, decoded strictly into k8s.io/api's types (no cluster).
step "Go tests: collector-config/scale/kubernetes (manifests)"
(cd collector-config/scale/kubernetes && go test -count=1 ./...)

step "collector and Jaeger builds (cached outside git; rebuilt only when their manifests change)"
bash collector-config/scripts/build-collector.sh
bash collector-config/scripts/build-jaeger.sh

step "Chromium (Debian package) for the browser suites"
bash scripts/ensure-chromium.sh

step "Prometheus and Alertmanager (Debian's packages): configs checked, alert rules unit-tested"
bash scripts/ensure-prometheus.sh
(
  cd collector-config/prometheus
  promtool check config prometheus.yml
  amtool check-config alertmanager.yml
  promtool test rules alerts.test.yml
)

step "Kafka 4.1.1 and OpenSearch 2.19.6 for the scale-out suites (Maven Central; cached outside git)"
bash collector-config/scale/scripts/ensure-kafka.sh
bash collector-config/scale/scripts/ensure-opensearch.sh

step "end-to-end suites (real collector, Jaeger, Chromium, node processes) on Node 20"
(cd test && pnpm run test)
for major in 22 24; do
  step "end-to-end: @faultline/node crash table on Node $major"
  (cd test && FAULTLINE_TEST_NODE="$(bash "$root/scripts/node-runtime.sh" "$major")" pnpm exec vitest run node)
done

step "all tests passed"

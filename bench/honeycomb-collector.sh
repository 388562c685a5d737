#!/usr/bin/env bash
# Bench only: prints the path of a collector that is faultline's (collector-config/builder-config.yaml, every
# component of faultline.yaml) plus Honeycomb's sourcemapprocessor v1.0.4, building it first if needed, into
# the cache outside git. Never part of the project's collector: Honeycomb's processor needs CGO and an 80 MB
# shared object (github.com/honeycombio/symbolic-go's libsymbolic_cabi.so, from the module cache, found
# there at run time through its rpath). Used by bench/collector.bench.mjs's peer round.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}"
HONEYCOMB=github.com/honeycombio/opentelemetry-collector-symbolicator/sourcemapprocessor
HONEYCOMB_VERSION=v1.0.4
BUILDER_VERSION=v0.149.0
hash="$(cat "$root/collector-config/builder-config.yaml" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)"
out="$cache/otelcol-honeycomb-$hash"
bin="$out/otelcol-faultline"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
builder="$cache/bin/builder-$BUILDER_VERSION"
[ -x "$builder" ] || { bash "$root/collector-config/scripts/build-collector.sh" >/dev/null; }
echo "faultline bench: building a collector with Honeycomb's sourcemapprocessor $HONEYCOMB_VERSION (CGO; minutes, once)" >&2
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
sed -e "s#^dist:#dist:\n  output_path: $out.tmp\n  cgo_enabled: true#" \
    -e "s#^processors:#processors:\n  - gomod: $HONEYCOMB $HONEYCOMB_VERSION#" \
    "$root/collector-config/builder-config.yaml" > "$out.tmp/manifest.yaml"
export GONOSUMDB="${GONOSUMDB:-github.com/open-telemetry/opentelemetry-collector-contrib,go.opentelemetry.io/collector,github.com/honeycombio}"
# CGO: the builder sets CGO_ENABLED from the manifest (dist.cgo_enabled above), not from the environment.
if ! (cd "$root/collector-config" && "$builder" --config "$out.tmp/manifest.yaml") > "$out.tmp/build.log" 2>&1; then
  echo "faultline bench: the Honeycomb collector build failed; the last lines of $out.tmp/build.log:" >&2
  tail -30 "$out.tmp/build.log" >&2
  exit 1
fi
rm -rf "$out" && mv "$out.tmp" "$out"
echo "$bin"

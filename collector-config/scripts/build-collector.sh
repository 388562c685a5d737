#!/usr/bin/env bash
# Prints the path of the faultline collector binary, building it first if needed.
# - FAULTLINE_OTELCOL=/path/to/otelcol-contrib, or an `otelcol-contrib` on PATH, is used as is.
# - Otherwise the OpenTelemetry Collector Builder builds builder-config.yaml into a cache outside git,
#   keyed by a hash of the manifest and of the local modules' sources (the faultline processor and the
#   keyfiles storage: Go files, go.mod, go.sum, the embedded rules): a change to any rebuilds, an unchanged
#   tree is reused.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}"
BUILDER_VERSION=v0.149.0

if [ -n "${FAULTLINE_OTELCOL:-}" ]; then
  [ -x "$FAULTLINE_OTELCOL" ] || { echo "faultline: FAULTLINE_OTELCOL=$FAULTLINE_OTELCOL is not an executable" >&2; exit 1; }
  echo "$FAULTLINE_OTELCOL"; exit 0
fi
if command -v otelcol-contrib >/dev/null 2>&1; then command -v otelcol-contrib; exit 0; fi

command -v go >/dev/null 2>&1 || { echo "faultline: Go is needed to build the collector (https://go.dev/dl/)" >&2; exit 1; }
# The processor's tests and test data are not compiled in: they do not count.
hash="$(
  cd "$here"
  { echo builder-config.yaml
    find patches -type f -name '*.patch'
    find faultlineprocessor keyfilestorage -type f \( -name '*.go' ! -name '*_test.go' -o -name go.mod -o -name go.sum -o -name '*.json' \) \
      ! -path '*/testdata/*' | LC_ALL=C sort
  } | xargs sha256sum | sha256sum | cut -c1-16
)"
out="$cache/otelcol-$hash"
bin="$out/otelcol-faultline"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

builder="$cache/bin/builder-$BUILDER_VERSION"
if [ ! -x "$builder" ]; then
  echo "faultline: installing the OpenTelemetry Collector Builder $BUILDER_VERSION" >&2
  mkdir -p "$cache/bin"
  GOBIN="$cache/bin.tmp" go install "go.opentelemetry.io/collector/cmd/builder@$BUILDER_VERSION" >&2
  mv "$cache/bin.tmp/builder" "$builder" && rmdir "$cache/bin.tmp"
fi

echo "faultline: building the collector from collector-config/builder-config.yaml (a few minutes, once)" >&2
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
sed "s#^dist:#dist:\n  output_path: $out.tmp#" "$here/builder-config.yaml" > "$out.tmp/manifest.yaml"
# The checksum database mirror reachable here answers 404 for many collector modules; the module proxy
# still serves them, and the builder pins exact versions. Checksums are recorded in the generated go.sum.
export GONOSUMDB="${GONOSUMDB:-github.com/open-telemetry/opentelemetry-collector-contrib,go.opentelemetry.io/collector}"
# Upstream modules built with a fix from a later release backported (patches/, see collector-config/README.md):
# each is copied from the module cache, patched, and the builder pointed at the copy.
patched=(
  "github.com/open-telemetry/opentelemetry-collector-contrib/receiver/kafkareceiver v0.149.0 kafkareceiver-v0.149.0-resume-paused.patch"
)
echo "replaces:" >> "$out.tmp/manifest.yaml"
for entry in "${patched[@]}"; do
  read -r module version patch <<< "$entry"
  src="$(cd "$out.tmp" && GOFLAGS=-mod=mod go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$src" ] || { echo "faultline: could not download $module@$version to patch it" >&2; exit 1; }
  copy="$out.tmp/patched/$(basename "$module")"
  mkdir -p "$(dirname "$copy")" && cp -r "$src" "$copy" && chmod -R u+w "$copy"
  patch -s -p1 -d "$copy" < "$here/patches/$patch" || { echo "faultline: patches/$patch does not apply to $module@$version" >&2; exit 1; }
  echo "  - $module => $copy" >> "$out.tmp/manifest.yaml"
done
# Run from collector-config/: the manifest's local `path:` entries are relative to it.
if ! (cd "$here" && "$builder" --config "$out.tmp/manifest.yaml") > "$out.tmp/build.log" 2>&1; then
  echo "faultline: the collector build failed; the last lines of $out.tmp/build.log:" >&2
  tail -20 "$out.tmp/build.log" >&2
  exit 1
fi
rm -rf "$out" && mv "$out.tmp" "$out"
echo "$bin"

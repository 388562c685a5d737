#!/usr/bin/env bash
# Prints the path of the Jaeger v2 binary, building it first if needed.
# Jaeger v2.13 is the Go module github.com/jaegertracing/jaeger at v1.76.0. `go install ...@v1.76.0`
# refuses (its go.mod has a replace directive), so jaeger/ is a wrapper module that requires it, repeats the
# replace and pins every checksum in go.sum; `go build` of cmd/jaeger then gives the same binary.
# FAULTLINE_JAEGER=/path/to/jaeger is used as is. The build is cached by the hash of go.mod + go.sum.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}"

if [ -n "${FAULTLINE_JAEGER:-}" ]; then
  [ -x "$FAULTLINE_JAEGER" ] || { echo "faultline: FAULTLINE_JAEGER=$FAULTLINE_JAEGER is not an executable" >&2; exit 1; }
  echo "$FAULTLINE_JAEGER"; exit 0
fi
command -v go >/dev/null 2>&1 || { echo "faultline: Go is needed to build Jaeger (https://go.dev/dl/)" >&2; exit 1; }
hash="$(cat "$here/jaeger/go.mod" "$here/jaeger/go.sum" | sha256sum | cut -c1-16)"
bin="$cache/jaeger-$hash/jaeger"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

echo "faultline: building Jaeger v2 (github.com/jaegertracing/jaeger v1.76.0; a few minutes, once)" >&2
mkdir -p "$cache/jaeger-$hash"
log="$cache/jaeger-$hash/build.log"
if ! (cd "$here/jaeger" && go build -o "$bin.tmp" github.com/jaegertracing/jaeger/cmd/jaeger) > "$log" 2>&1; then
  echo "faultline: the Jaeger build failed; the last lines of $log:" >&2
  tail -20 "$log" >&2
  exit 1
fi
mv "$bin.tmp" "$bin"
echo "$bin"

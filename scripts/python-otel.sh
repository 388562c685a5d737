#!/usr/bin/env bash
# Prints the path of a Python with OpenTelemetry's Python SDK and OTLP/HTTP exporter, installing them first
# into a virtual environment under the cache (outside git) if needed. For the end-to-end test of exceptions
# from another language's SDK (test/collector/other-sdks.e2e.test.ts). Idempotent; pinned versions.
set -euo pipefail
cache="${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}"
PACKAGES=(opentelemetry-sdk==1.45.2 opentelemetry-exporter-otlp-proto-http==1.45.2)
venv="$cache/python-otel-1.45.2"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import opentelemetry.sdk, opentelemetry.exporter.otlp.proto.http' 2>/dev/null; then
  echo "$venv/bin/python"; exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "faultline: python3 is needed for the other-SDK test" >&2; exit 1; }
echo "faultline: installing ${PACKAGES[*]} into $venv (from PyPI, once)" >&2
# A venv's scripts name its own path, so it is built where it stays; the import check above tells a complete
# one from a broken install, which is started again.
rm -rf "$venv"
python3 -m venv "$venv" >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check "${PACKAGES[@]}" >&2
echo "$venv/bin/python"

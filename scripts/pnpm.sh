#!/usr/bin/env bash
# Runs the pinned pnpm, installing it into .tools/ on first use.
# corepack cannot verify pnpm's signature on these machines, so pnpm comes from npm instead.
set -euo pipefail
PNPM_VERSION=10.34.8
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/node_modules/.bin/pnpm"
if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "faultline: installing pnpm $PNPM_VERSION into .tools/" >&2
  npm install --silent --no-audit --no-fund --prefix "$root/.tools" "pnpm@$PNPM_VERSION" >&2
fi
exec "$bin" "$@"

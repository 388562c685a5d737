#!/usr/bin/env bash
# Headless Chromium from Debian's packages for the browser suites (browser downloads do not work here).
set -euo pipefail
if [ -x "${FAULTLINE_CHROMIUM:-/usr/bin/chromium}" ]; then exit 0; fi
echo "faultline: installing Debian's chromium (apt-get)" >&2
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq >&2 || true
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >&2

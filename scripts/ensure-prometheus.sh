#!/usr/bin/env bash
# Prometheus, Alertmanager and promtool from Debian's packages (prometheus 2.42, prometheus-alertmanager
# 0.25): the metrics and alert suites, and the demo, run them on loopback (collector-config/prometheus/).
# Only the binaries are used: the packages' own services are stopped and left disabled, so nothing listens
# on the default ports behind the project's back.
set -euo pipefail
if command -v prometheus >/dev/null && command -v promtool >/dev/null && command -v prometheus-alertmanager >/dev/null; then
  exit 0
fi
echo "faultline: installing Debian's prometheus and prometheus-alertmanager (apt-get)" >&2
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq >&2 || true
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >&2
for service in prometheus prometheus-alertmanager; do
  $sudo_cmd service "$service" stop >/dev/null 2>&1 || true
done

#!/usr/bin/env bash
# Prints the home of OpenSearch 2.19.6, installing it first if needed: Maven Central's integ-test zip (no
# bundled JDK, no security plugin; it runs on the machine's Java 17), unpacked where an unprivileged user
# can read it. OpenSearch refuses to run as root: as root, this also creates the system user it runs as
# (FAULTLINE_OPENSEARCH_USER, default faultline-os). FAULTLINE_OPENSEARCH_HOME=/path is used as is.
set -euo pipefail
version=2.19.6
if [ -n "${FAULTLINE_OPENSEARCH_HOME:-}" ]; then echo "$FAULTLINE_OPENSEARCH_HOME"; exit 0; fi
cache="${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}"
# Not under $HOME: root's home is closed to other users.
base="${FAULTLINE_SCALE_HOME:-/var/tmp/faultline-scale}"
home="$base/opensearch-$version"
user="${FAULTLINE_OPENSEARCH_USER:-faultline-os}"
if [ "$(id -u)" = 0 ] && ! id "$user" >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
fi
if [ -x "$home/bin/opensearch" ]; then echo "$home"; exit 0; fi
command -v java >/dev/null 2>&1 || { echo "faultline: OpenSearch needs Java 17 (java on PATH)" >&2; exit 1; }
zip="$cache/opensearch-$version.zip"
if [ ! -s "$zip" ]; then
  echo "faultline: downloading OpenSearch $version (integ-test zip, 56 MB) from Maven Central" >&2
  mkdir -p "$cache"
  curl -sfL -o "$zip.tmp" "https://repo1.maven.org/maven2/org/opensearch/distribution/integ-test-zip/opensearch/$version/opensearch-$version.zip"
  mv "$zip.tmp" "$zip"
fi
mkdir -p "$base"
rm -rf "$home.tmp" && mkdir "$home.tmp"
if command -v unzip >/dev/null 2>&1; then unzip -q "$zip" -d "$home.tmp"
else python3 -m zipfile -e "$zip" "$home.tmp" && chmod +x "$home.tmp/opensearch-$version"/bin/*; fi
chmod -R a+rX "$home.tmp"
mv "$home.tmp/opensearch-$version" "$home" && rmdir "$home.tmp"
echo "$home"

#!/usr/bin/env bash
# Prints the folder of Apache Kafka 4.1.1's jars, installing them first if needed: Maven Central's
# org.apache.kafka:kafka_2.13 and its runtime dependencies, copied by Maven (`dependency:copy-dependencies`)
# into the cache outside git. No distribution tarball (not on Maven Central): the broker runs from these jars
# on the machine's Java 17 (kafka.mjs: `kafka.tools.StorageTool format`, then `kafka.Kafka`); kafka-tools
# adds the topic and consumer-group commands.
# FAULTLINE_KAFKA_LIBS=/path (a folder of jars, e.g. a distribution's libs/) is used as is.
set -euo pipefail
version=4.1.1
if [ -n "${FAULTLINE_KAFKA_LIBS:-}" ]; then
  ls "$FAULTLINE_KAFKA_LIBS"/kafka_2.13-*.jar >/dev/null 2>&1 || {
    echo "faultline: FAULTLINE_KAFKA_LIBS=$FAULTLINE_KAFKA_LIBS has no kafka_2.13 jar" >&2; exit 1; }
  echo "$FAULTLINE_KAFKA_LIBS"; exit 0
fi
cache="${FAULTLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}"
libs="$cache/kafka-$version/libs"
if [ -s "$libs/kafka_2.13-$version.jar" ] && [ -s "$libs/kafka-tools-$version.jar" ]; then echo "$libs"; exit 0; fi
command -v java >/dev/null 2>&1 || { echo "faultline: Kafka needs Java 17 (java on PATH)" >&2; exit 1; }
if ! command -v mvn >/dev/null 2>&1; then
  echo "faultline: installing Maven (Debian's maven) to fetch Kafka's jars" >&2
  { apt-get update -qq && apt-get install -y -qq maven; } >&2 || {
    echo "faultline: Maven is needed to fetch Kafka's jars (apt-get install maven)" >&2; exit 1; }
fi
echo "faultline: fetching Kafka $version's jars from Maven Central (once)" >&2
work="$cache/kafka-$version.tmp"
rm -rf "$work" && mkdir -p "$work"
cat > "$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>faultline.local</groupId>
  <artifactId>kafka-libs</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$version</version></dependency>
    <!-- kafka-topics and kafka-consumer-groups (TopicCommand, ConsumerGroupCommand): the topic, and lag -->
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$version</version></dependency>
    <!-- The broker logs through SLF4J 1.7; without a binding it says nothing, errors included -->
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.24.3</version></dependency>
  </dependencies>
</project>
POM
if ! mvn -q -B -f "$work/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
  -DoutputDirectory="$work/libs" > "$work/mvn.log" 2>&1; then
  echo "faultline: fetching Kafka's jars failed; the end of $work/mvn.log:" >&2
  tail -20 "$work/mvn.log" >&2
  exit 1
fi
[ -s "$work/libs/kafka_2.13-$version.jar" ] || { echo "faultline: Maven copied no kafka_2.13 jar ($work/libs)" >&2; exit 1; }
rm -rf "$cache/kafka-$version.libs" && mv "$work/libs" "$cache/kafka-$version.libs"
mkdir -p "$cache/kafka-$version" && rm -rf "$libs" && mv "$cache/kafka-$version.libs" "$libs"
rm -rf "$work"
echo "$libs"

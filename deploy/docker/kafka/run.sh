#!/bin/bash
# Writes server.properties from the KAFKA_* environment (as the official image does),
# formats the data folder on first start, then runs the broker in the foreground.
set -euo pipefail
props=/opt/kafka/config/server.properties
: > "$props"
while IFS='=' read -r name value; do
  case "$name" in
    KAFKA_HEAP_OPTS|KAFKA_JVM_PERFORMANCE_OPTS|KAFKA_OPTS|KAFKA_LOG4J_OPTS|KAFKA_VERSION) continue ;;
    KAFKA_*) ;;
    *) continue ;;
  esac
  key=${name#KAFKA_}
  key=${key,,}
  key=${key//___/-}
  key=${key//__/@}
  key=${key//_/.}
  key=${key//@/_}
  printf '%s=%s\n' "$key" "$value" >> "$props"
done < <(env)
log_dirs=$(sed -n 's/^log\.dirs=//p' "$props")
if [ -z "$log_dirs" ]; then
  log_dirs=/var/lib/kafka/data
  echo "log.dirs=$log_dirs" >> "$props"
fi
classpath="/opt/kafka/libs/*"
if [ ! -f "${log_dirs%%,*}/meta.properties" ]; then
  java -cp "$classpath" kafka.tools.StorageTool format --ignore-formatted \
    -t "${CLUSTER_ID:-5L6g3nShT-eMCtK--X86sw}" -c "$props" >/dev/null
fi
# shellcheck disable=SC2086
exec java ${KAFKA_HEAP_OPTS:--Xms32m -Xmx192m} ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseSerialGC} \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Djava.awt.headless=true ${KAFKA_OPTS:-} \
  -cp "$classpath" kafka.Kafka "$props"

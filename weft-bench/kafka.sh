#!/usr/bin/env bash
# Kafka throughput through a real broker, with and without Weft (dev.weft.bench.KafkaThroughputBench): N records of
# 200 bytes produced and consumed, plain clients against KafkaPublisher/KafkaSubscriber with telemetry to Kafka.
# Options go to the bench, e.g. `./weft-bench/kafka.sh --records 200000 --runs 1`; --help lists them.
# Summary on stdout (also weft-bench/target/kafka-throughput.txt); markdown fragment in
# weft-bench/target/kafka-throughput.md. 1,000,000 records x 3 runs per mode take several minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

flock /tmp/weft-mvn.lock mvn -q -B -pl weft-bench -am package -DskipTests

# Not the JMH jar: the broker is a child JVM built from this JVM's classpath, which must list the real Kafka jars.
CP="weft-bench/target/classes:weft-bench/target/kafka-bench-lib/*"

# The run holds the build lock, so a concurrent Maven build in this tree cannot steal a core mid-measurement.
flock /tmp/weft-mvn.lock java -Xms1g -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dweft.kafka.logDir=weft-bench/target \
  -cp "$CP" dev.weft.bench.KafkaThroughputBench "$@" | tee weft-bench/target/kafka-throughput.txt
exit "${PIPESTATUS[0]}"

#!/usr/bin/env bash
# Builds the JMH benchmarks jar and runs every Weft benchmark with the GC profiler.
# Extra arguments go to JMH, e.g. `./weft-bench/run.sh HeaderBenchmark` or `./weft-bench/run.sh -i 10`.
# Results: weft-bench/target/jmh-result.json; the full log (with export/drop counts): weft-bench/target/jmh-run.log.
set -euo pipefail
cd "$(dirname "$0")/.."

flock /tmp/weft-mvn.lock mvn -q -B -pl weft-bench -am package -DskipTests

JAR=weft-bench/target/benchmarks.jar
mkdir -p weft-bench/target

java -cp "$JAR" dev.weft.bench.HeaderSize | tee weft-bench/target/header-size.txt

# 2 cores: one for the benchmark thread, one for the tracer's export thread. About 3.5 minutes in all.
# The run holds the build lock too, so a concurrent Maven build in this tree cannot steal a core mid-measurement.
flock /tmp/weft-mvn.lock java -jar "$JAR" \
  -f 1 -wi 5 -w 2s -i 10 -r 2s \
  -bm avgt -tu ns \
  -prof gc \
  -rf json -rff weft-bench/target/jmh-result.json \
  "$@" 2>&1 | tee weft-bench/target/jmh-run.log
exit "${PIPESTATUS[0]}"

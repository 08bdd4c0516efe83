#!/usr/bin/env bash
# The server benchmark (dev.weft.bench.server.ServerBench): the Weft server and the Zipkin server (in-memory), each a
# child JVM on loopback, fed the same shop flows over HTTP in one run. Options go to the bench (--help lists them),
# e.g. `./weft bench server --events 1000000`. Results: weft-bench/target/server-bench/server-bench.md.
set -euo pipefail
cd "$(dirname "$0")/.."

flock /tmp/weft-mvn.lock mvn -q -B -ntp -pl weft-server,weft-bench -am package -DskipTests

ZIPKIN_DIR=weft-bench/target/zipkin
if [ ! -f "$ZIPKIN_DIR/zipkin-server-3.5.1-exec.jar" ]; then
  echo "Downloading io.zipkin:zipkin-server:3.5.1:exec from Maven Central (the peer)..." >&2
  flock /tmp/weft-mvn.lock mvn -q -B -ntp dependency:copy -Dartifact=io.zipkin:zipkin-server:3.5.1:jar:exec \
    -DoutputDirectory="$ZIPKIN_DIR"
fi

# The run holds the build lock, so a concurrent Maven build in this tree cannot steal a core mid-measurement.
flock /tmp/weft-mvn.lock java -Xms1g -Xmx2g -cp "weft-bench/target/classes:weft-bench/target/kafka-bench-lib/*" \
  dev.weft.bench.server.ServerBench --weft-jar weft-server/target/weft-server.jar \
  --zipkin-jar "$ZIPKIN_DIR/zipkin-server-3.5.1-exec.jar" "$@"

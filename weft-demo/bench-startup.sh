#!/usr/bin/env bash
# Start-up of `./weft demo`: time from launching the command (jar already built) until the first trace is visible
# through the HTTP API, and until the first flow has reached every service. Runs the demo N times (default 5), each
# in a fresh data directory, and prints one line per run plus the median.
#
#   weft-demo/bench-startup.sh [RUNS]
#
# Each run holds the build lock (/tmp/weft-mvn.lock), so a Maven build in the same tree cannot take a core away
# mid-run on a small machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-5}"
PORT="${WEFT_BENCH_PORT:-9799}"
URL="http://127.0.0.1:$PORT"
command -v curl >/dev/null || { echo "bench-startup: curl is needed" >&2; exit 1; }

# Build once if needed (under the build lock), outside the measurement; then run the jar exactly as ./weft demo does.
build_log="$(mktemp)"
if ! flock /tmp/weft-mvn.lock "$ROOT/weft" demo --help >/dev/null 2>"$build_log"; then
  cat "$build_log" >&2
  exit 1
fi
rm -f "$build_log"
JAR="$ROOT/weft-demo/target/weft-demo.jar"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# The first trace id of an operation matching the query, or nothing.
first_trace() {
  curl -s --max-time 2 --get --data-urlencode "q=$1" --data-urlencode "limit=1" "$URL/api/v1/search" 2>/dev/null \
    | sed -n 's/.*"traces":\["\([0-9a-f]\{32\}\)".*/\1/p' || true
}

results=()
for i in $(seq 1 "$RUNS"); do
  data="$(mktemp -d /tmp/weft-demo-bench.XXXXXX)"
  log="$data.log"
  exec 9>/tmp/weft-mvn.lock
  flock 9
  start=$(now)
  java -jar "$JAR" --port "$PORT" --data "$data" --duration 5s >"$log" 2>&1 &
  pid=$!
  visible=""
  complete=""
  deadline=$(( $(date +%s) + 90 ))
  while [ -z "$complete" ] && [ "$(date +%s)" -lt "$deadline" ] && kill -0 "$pid" 2>/dev/null; do
    if [ -z "$visible" ]; then
      t=$(first_trace "service=merchant-portal")
      if [ -n "$t" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/traces/$t" || true)" = 200 ]; then
        visible=$(elapsed "$start" "$(now)")
      fi
    fi
    if [ -n "$visible" ] && [ -n "$(first_trace "op=NotifyWatchers status=ok")" ]; then
      complete=$(elapsed "$start" "$(now)")
    fi
    sleep 0.05
  done
  wait "$pid" || true
  flock -u 9
  printed=$(sed -n 's/.*first trace visible through the API \([0-9.]*\) s after start.*/\1/p' "$log")
  echo "run $i: first trace visible ${visible:-?} s after launch (the demo reports ${printed:-?} s from JVM start);" \
    "first flow through every service ${complete:-?} s"
  results+=("${visible:-999}")
  rm -rf "$data" "$log"
done
median=$(printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1} END { print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2 }')
echo "median over $RUNS runs: first trace visible $median s after launch"

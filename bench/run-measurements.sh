#!/usr/bin/env bash
# Runs the bench measurements recorded in docs/PERFORMANCE.md and keeps their output in
# bench/results/<UTC time>/ (ignored by git).
#
#   bench/run-measurements.sh [replay] [memory] [latency] [mixed] [cpu] [items] [heap]   (no argument: all)
#
# Build first: mvn -q -pl bench package. Run from anywhere; paths are relative to the repo root.
# Single-thread measurements are pinned to core 1 (taskset -c 1); the two-thread mix is not
# pinned, since it needs both cores.
set -euo pipefail
cd "$(dirname "$0")/.."

JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
JAR=bench/target/benchmarks.jar
OUT="bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
NATIVE=--enable-native-access=ALL-UNNAMED
mkdir -p "$OUT"
[ -f "$JAR" ] || { echo "missing $JAR: run 'mvn -q -pl bench package' first" >&2; exit 1; }
STORE_JAR="$HOME/.m2/repository/dev/mnemo/mnemo-store/0.1.0-SNAPSHOT/mnemo-store-0.1.0-SNAPSHOT.jar"
if [ "$STORE_JAR" -nt "$JAR" ]; then
  echo "warning: $STORE_JAR is newer than $JAR: re-run 'mvn -q -pl bench package' to measure the latest store" >&2
fi

run() {   # run <name> <command…>: echo the command, keep its output
  local name=$1; shift
  echo "\$ $*" | tee "$OUT/$name.txt"
  "$@" 2>&1 | tee -a "$OUT/$name.txt"
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(replay memory latency mixed cpu items heap)
for step in "${steps[@]}"; do
  case "$step" in
    replay)  run trace-replay taskset -c 1 "$JAVA" $NATIVE -cp "$JAR" dev.mnemo.bench.TraceReplay ../shared/traces ;;
    memory)  run memory-latency taskset -c 1 "$JAVA" $NATIVE -cp "$JAR" dev.mnemo.bench.MemoryLatency 1 40 512 ;;
    latency) run store-latency taskset -c 1 "$JAVA" -jar "$JAR" StoreBenchmark -prof gc -p items=4096,1048576 ;;
    mixed)   run store-mixed "$JAVA" -jar "$JAR" "MixedBenchmark|ScalingControlBenchmark" ;;
    cpu)     run store-mixed-cpu "$JAVA" $NATIVE -cp "$JAR" dev.mnemo.bench.MixedCpuTime 5 ;;
    items)   run item-count "$JAVA" $NATIVE -cp "$JAR" dev.mnemo.bench.ItemCount ;;
    heap)    run heap-check "$JAVA" -Xmx64m $NATIVE -cp "$JAR" dev.mnemo.bench.HeapCheck 10000000 ;;
    *) echo "unknown step: $step (replay, memory, latency, mixed, cpu, items, heap)" >&2; exit 2 ;;
  esac
done
echo "output in $OUT"

#!/usr/bin/env bash
# An old build against a new one, side by side in one run (issue 12: "no performance regression"):
# each measurement runs from each build's own jars, alternated old new old new (ROUNDS rounds),
# pinned as DESIGN.md's performance method says; then one table: metric, old, new, new/old
# (means over the rounds).
#   store:     JMH StoreBenchmark, every method the build has (getHit, set, metaGetHit), on core 1;
#   server:    memcaslap against each build's server (-t 1 on core 0, memcaslap on core 1), as
#              memcaslap-compare.sh, with memcaslap-lib.sh;
#   colocated: JMH ColocatedBenchmark get and set p50/p99 on core 1, attached to the memory file of
#              a running server (-t 1 on core 0) of the same build, as colocated-compare.sh.
#
# Usage: bench/compare-builds.sh <old-dir> <new-dir> [store] [server] [colocated]   (no part: all)
#   Each dir holds a build's benchmarks.jar (bench/target/) and mnemo-server.jar (server/target/),
#   as made by mvn -B -o -q -DskipTests package; collect them with
#   mkdir /tmp/new && cp bench/target/benchmarks.jar server/target/mnemo-server.jar /tmp/new
#   A default run takes about 6 minutes (store 2.5, server 2, colocated 1.5).
# Environment: ROUNDS=2; JMH_OPTS="-f 1 -wi 3 -i 5" (1 s iterations); memcaslap-lib.sh's
#   SECONDS_PER_RUN=20 CONCURRENCY=32 WARMUP_SECONDS=10.
# Smoke run: ROUNDS=1 SECONDS_PER_RUN=2 WARMUP_SECONDS=1 JMH_OPTS="-f 1 -wi 0 -i 1 -r 200ms -p items=4096" \
#            bench/compare-builds.sh /tmp/old /tmp/old
# Needs: memcaslap-lib.sh's tools, 2+ cores, JDK 25.
set -euo pipefail

if (( $# < 2 )); then
    echo "usage: $0 <old-dir> <new-dir> [store] [server] [colocated]" >&2
    exit 64
fi
dirs=("$(cd "$1" && pwd)" "$(cd "$2" && pwd)")
builds=(old new)
shift 2
parts=" ${*:-store server colocated} "
for dir in "${dirs[@]}"; do
    for jar in benchmarks.jar mnemo-server.jar; do
        [[ -f "$dir/$jar" ]] || { echo "compare-builds: $dir/$jar is missing" >&2; exit 64; }
    done
done

ROUNDS="${ROUNDS:-2}"
# shellcheck source=bench/memcaslap-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/memcaslap-lib.sh"
# shellcheck source=scripts/jdk.sh
source "$root/scripts/jdk.sh"
jmh_opts="${JMH_OPTS:--f 1 -wi 3 -i 5}"
shm="$(mktemp -d -p "$([[ -d /dev/shm ]] && echo /dev/shm || echo "$workdir")" mnemo-compare-XXXXXX)"
trap 'cleanup; rm -rf "$shm"' EXIT INT TERM
results="$workdir/results"   # one line per figure: metric unit build value

# jmh <build index> <name> <JMH args…>: that build's benchmarks.jar pinned to core 1; appends its
# figures whose name matches the extended regex <name> to the results and prints them on one line.
jmh() {
    local i="$1" name="$2" csv="$workdir/jmh.csv"
    shift 2
    # shellcheck disable=SC2086 # jmh_opts is a list of JMH options
    if ! taskset -c 1 "$JAVA_HOME/bin/java" -Djmh.ignoreLock=true -jar "${dirs[$i]}/benchmarks.jar" "$@" $jmh_opts \
            -rf csv -rff "$csv" > "$workdir/jmh.log" 2>&1; then
        echo "compare-builds: JMH failed on ${dirs[$i]}/benchmarks.jar $*:" >&2
        tail -20 "$workdir/jmh.log" >&2
        exit 1
    fi
    awk -F, -v build="${builds[$i]}" -v name="$name" 'NR > 1 {
            gsub(/"/, ""); metric = $1; sub(/^.*\.bench\./, "", metric)   # e.g. ColocatedBenchmark.set:p0.99
            if ($1 ~ name) print metric, $7, build, $5 }' "$csv" | tee -a "$results" \
        | awk -v head="round $round ${builds[$i]} $1:" '{ sub(/^[^.]*\./, "", $1); line = line sprintf("  %s %.1f", $1, $4) }
            END { print head line, $2 }'
}

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "old: ${dirs[0]}  new: ${dirs[1]}  rounds: $ROUNDS  JMH: $jmh_opts, on core 1"

if [[ "$parts" == *" store "* ]]; then
    for round in $(seq 1 "$ROUNDS"); do
        for i in 0 1; do jmh "$i" 'StoreBenchmark\.[A-Za-z]+$' StoreBenchmark; done
    done
fi

if [[ "$parts" == *" server "* ]]; then
    for i in 0 1; do start_mnemo_jar "${builds[$i]}" 0 "${dirs[$i]}/mnemo-server.jar" -t 1; done
    echo "servers: -t 1 on core 0"
    compare_rounds
    for i in 0 1; do echo "memcaslap ops/s ${builds[$i]} ${means[$i]}" >> "$results"; done
fi

if [[ "$parts" == *" colocated "* ]]; then
    for i in 0 1; do
        start_mnemo_jar "colocated-${builds[$i]}" 0 "${dirs[$i]}/mnemo-server.jar" -t 1 -e "$shm/${builds[$i]}.mem"
    done
    echo "co-located: each build's ColocatedBenchmark attached to its own server (-t 1 -e, core 0)"
    for round in $(seq 1 "$ROUNDS"); do
        for i in 0 1; do jmh "$i" 'ColocatedBenchmark\.[A-Za-z]+:p0\.(50|99)$' ColocatedBenchmark -p file="$shm/${builds[$i]}.mem"; done
    done
fi

echo
awk '{ metric = $1 " " $2; if (!(metric in seen)) { seen[metric]; order[++n] = metric }
       sum[metric, $3] += $4; count[metric, $3]++ }
     END {
       printf "%-38s %12s %12s %8s\n", "metric (mean of rounds)", "old", "new", "new/old"
       for (k = 1; k <= n; k++) {
         m = order[k]; old = count[m, "old"] ? sum[m, "old"] / count[m, "old"] : 0
         new = count[m, "new"] ? sum[m, "new"] / count[m, "new"] : 0
         printf "%-38s %12.1f %12.1f %8s\n", m, old, new, old && new ? sprintf("%.3f", new / old) : "-"
       } }' "$results"

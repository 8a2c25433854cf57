#!/usr/bin/env bash
# Connection storms (issue 16): while N connections are opened and each sends one `get`, how long
# does an established client's `version` round trip take? Runs memcached and Mnemo side by side,
# at -t 1 and -t 4, each started fresh and pinned to core 0, the load tool
# (bench/src/main/java/dev/mnemo/bench/AcceptStorm.java, JDK only, run from source) pinned to
# core 1. Prints, per server and burst, the established client's round trip p50 / p99 / max in ms,
# the storm connections served, the burst's seconds, and the server's CPU seconds and RSS after
# the bursts; each burst's line also has the server's CPU seconds during it, split by thread (the
# event loops, the JIT compilers, the garbage collector).
#
# Usage: bench/accept-storm.sh [connections=10000] [bursts=3] [window=1000] [warmup=0]
#   window: connections opened but not yet answered at a time (the listen backlog is 1,024, as
#   memcached's -b). warmup: bursts run first and printed apart (w1, ...), as Mnemo's JIT
#   compiles the accept, first-request and close paths during its first storms (the CPU seconds
#   printed cover every burst, warm-up ones included). Environment: SERVERS="memcached-t1 mnemo-t1 memcached-t4 mnemo-t4" (the order run),
#   MNEMO_JAVA_OPTS (passed to Mnemo's launcher, e.g. -Xlog:gc:file=/tmp/gc.log), OLD_JAR (a
#   runnable mnemo-server.jar of another build, run by the servers named old-t1 / old-t4 through
#   this checkout's launcher: an old build against this one in the same run).
# Needs: memcached, taskset, 2 cores, a file descriptor hard limit above the connection count.
set -euo pipefail

connections="${1:-10000}"
bursts="${2:-3}"
window="${3:-1000}"
warmup_bursts="${4:-0}"
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/jdk.sh"
LOAD_TOOL="$JAVA_HOME/bin/java"
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/memcaslap-lib.sh"

ulimit -n "$(ulimit -Hn)"   # the server and the load tool each hold every storm connection
if (( $(ulimit -n) < connections + 100 )); then
    echo "accept-storm: the file descriptor limit $(ulimit -n) is below $connections connections + 100" >&2
    exit 1
fi
tool="$root/bench/src/main/java/dev/mnemo/bench/AcceptStorm.java"
"$JAVA_HOME/bin/javac" -d "$workdir/classes" "$tool"
"$root/mnemo" --version >/dev/null   # builds Mnemo first if needed, outside any measurement

# Prints "<cpu seconds> <rss MiB>" of a process: utime + stime from /proc/PID/stat, VmRSS.
usage() {
    local pid="$1" ticks
    ticks="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
    echo "$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz}')" \
        "$(awk '/^VmRSS/ {printf "%d", $2 / 1024}' "/proc/$pid/status")"
}

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "memcached: $(memcached -V); mnemo: $("$root/mnemo" --version)"
echo "storm: $connections connections a burst, $bursts bursts after $warmup_bursts warm-up bursts, at most $window unanswered; server on core 0, load on core 1"
for server in ${SERVERS:-memcached-t1 mnemo-t1 memcached-t4 mnemo-t4}; do
    threads="${server##*-t}"
    limit=$((connections + 1024))
    for attempt in 1 2 3; do   # a free port can be taken by a storm's client socket before the server binds it
        case "$server" in
            memcached-*) start_memcached "$server" 0 -U 0 -t "$threads" -c "$limit" && break ;;
            mnemo-*) start_mnemo "$server" 0 -t "$threads" -c "$limit" && break ;;
            old-*) start_server "$server" 0 env MNEMO_CLASSPATH="${OLD_JAR:?set OLD_JAR to the old build jar}" \
                       "$root/packaging/bin/mnemo" -m 64 -l 127.0.0.1 -p PORT -t "$threads" -c "$limit" && break ;;
            *) echo "accept-storm: unknown server $server" >&2; exit 1 ;;
        esac
        (( attempt < 3 )) || exit 1
    done
    pid="${pids[-1]}"
    port="${ports[-1]}"
    read -r cpu_before _ < <(usage "$pid")
    echo
    echo "== $server"
    taskset -c 1 "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$workdir/classes" \
        dev.mnemo.bench.AcceptStorm "$port" "$connections" "$bursts" "$window" "$warmup_bursts" "$pid"
    read -r cpu_after rss < <(usage "$pid")
    echo "server: $(awk -v a="$cpu_before" -v b="$cpu_after" 'BEGIN {printf "%.2f", b - a}') CPU seconds during the bursts, RSS $rss MiB after them"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
done

#!/usr/bin/env bash
# What each server spends per operation, side by side in one run (issue 13): memcached, Mnemo
# --transport epoll and Mnemo --transport io_uring (left out where this machine lacks it), each
# -t 1 -m 1024 with UDP on its TCP port, pinned to core 0; the load pinned to core 1. Workloads:
#   memaslap-tcp  memcaslap -T 1 -c 32: get:set 90:10, 16-byte keys, 100-byte values (memcaslap-lib.sh)
#   memaslap-udp  the same over UDP (memcaslap -U)
#   get90         bench TextLoad, memtier_benchmark's stand-in (Debian has no memtier): 1 set : 9 gets
#                 of 32-byte values over 10,000 keys; CONNECTIONS threads of one connection each
#                 (memtier's default is 4 threads x 50 connections; 4 x 1 on the one load core here)
#   set1k         TextLoad: sets of 1024-byte values
#   setlarge      TextLoad: sets of 10 B-100 KB values (uniform), line, value and "\r\n" in three
#                 writes as footprint.sh's set client sends them: data blocks that arrive after
#                 their line and span socket reads (not in the default list)
#   mget10        TextLoad: gets of 10 keys each, 32-byte values (memtier's --multi-key-get; not in
#                 the default list); ops/s counts keys, as the servers' cmd_get does
# Per server and workload: WARMUP_RUNS warm-up runs (not measured; 2: the JIT compiles Mnemo's
# paths in the first, and the load's reconnection in the second meets the connection's close and
# open paths, which deoptimize and recompile the loop's code once, docs/PERFORMANCE.md), then
# per round a measured window of SECONDS_PER_RUN inside a load run that starts a second before
# it and ends a second after, the servers alternated, each round starting one server further on.
# Over the window, summed over the rounds:
#   ops/s        the server's own counters (stats: cmd_get + cmd_set + cmd_touch + delete, incr and
#                decr hits and misses), not the load tool's count
#   syscalls/op  perf stat -e raw_syscalls:sys_enter -p <pid> (every thread of the server; the
#                tracepoint costs each server a little system time, the same for all)
#   user, sys    µs of CPU per operation: utime and stime from /proc/<pid>/stat
#   ctx sw/s     voluntary + nonvoluntary context switches, summed over /proc/<pid>/task/*/status
#                (then the two apart, per second, without ratio)
#   server, load CPU %  the share of a core the server and the load tool used over the window
#                (utime + stime from /proc/<pid>/stat): a load tool near 100 % is the limit of
#                ops/s, not the server
#   p50 p99 p99.9  TextLoad's round trip per request (per batch of PIPELINE), µs, over its whole
#                run (the mean over the rounds)
# and each figure's ratio to memcached's in parentheses; one markdown table per workload.
#
# Usage: bench/cost-per-op.sh [memaslap-tcp] [memaslap-udp] [get90] [set1k] [setlarge] [mget10]   (default: the first four)
# Environment: ROUNDS=1 SECONDS_PER_RUN=10 WARMUP_SECONDS=5 WARMUP_RUNS=2 CONCURRENCY=32 (memcaslap -c)
#   CONNECTIONS=4 PIPELINE=1 (TextLoad); TRANSPORTS="epoll io_uring" (Mnemo's, in that order);
#   DEBUG=1 prints each server thread's context switches;
#   MNEMO_OLD_JAR=<an older mnemo-server.jar> adds mnemo-old-epoll and mnemo-old-io_uring, that
#   jar run by this checkout's launcher and jvm.options, for before and after in one run;
#   MNEMO_OLD_LAUNCHER=<an older checkout's packaging/bin/mnemo> runs it with that launcher and
#   its jvm.options instead, MNEMO_OLD_JAVA_OPTS adds JVM options to the old servers only (one
#   option measured side by side: the same jar as MNEMO_OLD_JAR and the option here).
# Smoke run: ROUNDS=1 SECONDS_PER_RUN=2 WARMUP_SECONDS=1 bench/cost-per-op.sh
# Needs: memcached, memcaslap (Debian libmemcached-tools), perf (linux-perf; root or
# perf_event_paranoid that lets it attach), taskset, 2+ cores, JDK 25; builds
# bench/target/benchmarks.jar and the server (./mnemo) first if missing.
set -euo pipefail
export ROUNDS="${ROUNDS:-1}" SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}" WARMUP_SECONDS="${WARMUP_SECONDS:-5}"
warmup_runs="${WARMUP_RUNS:-2}"
LOAD_TOOL=perf
# shellcheck source=bench/memcaslap-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/memcaslap-lib.sh"
# shellcheck source=scripts/jdk.sh
source "$root/scripts/jdk.sh"
command -v memcaslap >/dev/null || { echo "$bench_name: memcaslap is missing (apt-get install libmemcached-tools)" >&2; exit 1; }

connections="${CONNECTIONS:-4}"
pipeline="${PIPELINE:-1}"
bench_jar="$root/bench/target/benchmarks.jar"
workloads=("$@")
(( ${#workloads[@]} )) || workloads=(memaslap-tcp memaslap-udp get90 set1k)
for kind in "${workloads[@]}"; do
    case "$kind" in
        memaslap-tcp|memaslap-udp|get90|set1k|setlarge|mget10) ;;
        *) echo "usage: $0 [memaslap-tcp] [memaslap-udp] [get90] [set1k] [setlarge] [mget10]" >&2; exit 64 ;;
    esac
done
if [[ -n "${MNEMO_OLD_JAR:-}" && ! -f "$MNEMO_OLD_JAR" ]]; then
    echo "$bench_name: MNEMO_OLD_JAR=$MNEMO_OLD_JAR is not a file" >&2
    exit 1
fi

[[ -f "$bench_jar" ]] || (cd "$root" && mvn -q -B -pl bench -am package -DskipTests)
"$root/mnemo" --version >/dev/null   # builds Mnemo first if needed, outside any measurement

# The process each server runs as: start_server's pid is the launcher's, which execs the server
# (taskset, ./mnemo and packaging/bin/mnemo all exec), so it is the memcached or java process.
server_pids=()
add_server() {
    local name="$2"
    "$@" || { echo "$name left out: it did not start"; return 0; }
    local pid="${pids[-1]}" comm
    comm="$(cat "/proc/$pid/comm")"
    if [[ "$comm" != memcached && "$comm" != java ]]; then
        echo "$bench_name: $name runs as $comm (pid $pid), not memcached or java" >&2
        exit 1
    fi
    server_pids+=("$pid")
}
start_mnemo_old() {
    local name="$1" cpus="$2"
    shift 2
    start_server "$name" "$cpus" env MNEMO_CLASSPATH="$MNEMO_OLD_JAR" MNEMO_JAVA_OPTS="${MNEMO_OLD_JAVA_OPTS:-}" \
        "${MNEMO_OLD_LAUNCHER:-$root/packaging/bin/mnemo}" \
        -m 64 -l 127.0.0.1 -p PORT "$@"
}

server_flags=(-t 1 -m 1024 -U PORT)   # memcaslap -U wants the same TCP and UDP port
add_server start_memcached memcached 0 "${server_flags[@]}"
[[ "${names[0]:-}" == memcached ]] || { echo "$bench_name: memcached did not start" >&2; exit 1; }
read -r -a transports <<< "${TRANSPORTS:-epoll io_uring}"
for transport in "${transports[@]}"; do
    add_server start_mnemo "mnemo-$transport" 0 "${server_flags[@]}" --transport "$transport"
done
if [[ -n "${MNEMO_OLD_JAR:-}" ]]; then
    for transport in "${transports[@]}"; do
        add_server start_mnemo_old "mnemo-old-$transport" 0 "${server_flags[@]}" --transport "$transport"
    done
fi

# Prints the server's operations so far: its stats counters, read over a TCP connection.
server_ops() {
    local port="$1" fd line total=0
    exec {fd}<>"/dev/tcp/127.0.0.1/$port"
    printf 'stats\r\n' >&"$fd"
    while IFS= read -r -t 10 line <&"$fd"; do
        line="${line%$'\r'}"
        [[ "$line" == END ]] && break
        case "$line" in
            "STAT cmd_get "*|"STAT cmd_set "*|"STAT cmd_touch "*|"STAT delete_hits "*|"STAT delete_misses "*|\
            "STAT incr_hits "*|"STAT incr_misses "*|"STAT decr_hits "*|"STAT decr_misses "*)
                total=$((total + ${line##* })) ;;
        esac
    done
    exec {fd}>&-
    echo "$total"
}

# snapshot <pid> <port> <file>: writes "<ns> <ops> <utime> <stime> <load utime + stime>" (CPU in
# clock ticks; the load tool's process is $load_proc) to the file and "<tid> <voluntary> <nonvoluntary> <thread name>" per thread of the server to file.ctx.
snapshot() {
    local pid="$1" port="$2" file="$3" ns ops cpu
    ns="$(date +%s%N)"
    ops="$(server_ops "$port")"
    cpu="$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12, $13 }')"   # utime, stime after "pid (comm) "
    load_cpu="$(sed 's/^.*) //' "/proc/$load_proc/stat" 2>/dev/null | awk '{ print $12 + $13 }')"
    echo "$ns $ops $cpu ${load_cpu:-0}" > "$file"
    awk '/^Name:/ { name = $0; sub(/^Name:[ \t]*/, "", name) }
         /^Pid:/ { tid = $2 }
         /^voluntary_ctxt_switches:/ { voluntary = $2 }
         /^nonvoluntary_ctxt_switches:/ { print tid, voluntary, $2, name }' \
        "/proc/$pid/task/"*/status > "$file.ctx" 2>/dev/null || true   # a thread may exit meanwhile
}

# Starts the load of $kind against the port for the seconds in the background, output to
# $workdir/load.out; sets load_pid.
start_load() {
    local port="$1" duration="$2"
    case "$kind" in
        memaslap-*)
            local udp=()
            [[ "$kind" == memaslap-udp ]] && udp=(-U)
            timeout $((duration + 60)) taskset -c "${LOAD_CPUS:-1}" memcaslap -s "127.0.0.1:$port" \
                -F "$workdir/workload.cfg" -t "${duration}s" -T 1 -c "$concurrency" "${udp[@]}" \
                > "$workdir/load.out" 2>&1 &
            ;;
        *)
            timeout $((duration + 120)) taskset -c "${LOAD_CPUS:-1}" "$JAVA_HOME/bin/java" -cp "$bench_jar" \
                dev.mnemo.bench.TextLoad "--connections=$connections" "--pipeline=$pipeline" \
                127.0.0.1 "$port" "$kind" "$duration" > "$workdir/load.out" 2>&1 &
            ;;
    esac
    load_pid=$!
    load_proc=""   # the load tool itself: timeout's child, which taskset replaced by the tool
    for _ in $(seq 1 50); do
        load_proc="$(pgrep -P "$load_pid" | head -1)"
        [[ -n "$load_proc" && "$(cat "/proc/$load_proc/comm" 2>/dev/null)" != taskset ]] && break
        sleep 0.02
    done
}

# Waits for the load started last; returns 1, showing its output, if it gave no figure.
finish_load() {
    local name="$1" pattern
    wait "$load_pid" || true
    case "$kind" in
        memaslap-*) pattern='TPS: [0-9]' ;;
        *) pattern='^latency_us: ' ;;
    esac
    if ! grep -q "$pattern" "$workdir/load.out"; then
        echo "$bench_name: the $kind load against $name gave no figure; it said:" >&2
        tail -5 "$workdir/load.out" >&2
        return 1
    fi
}

# load_running <server name> <deadline>: returns 1, showing the load's output and stopping it, if
# the load started last has ended or the deadline (bash $SECONDS) has passed.
load_running() {
    if ! kill -0 "$load_pid" 2>/dev/null || (( SECONDS > $2 )); then
        echo "$bench_name: the $kind load against $1 ended or stalled before the window opened; it said:" >&2
        tail -5 "$workdir/load.out" >&2
        kill "$load_pid" 2>/dev/null || true
        wait "$load_pid" || true
        return 1
    fi
}

# measure <server index>: one measured window against the server, tried up to three times if the
# load fails (memcaslap -U aborts on a late UDP reply, "ms_sort_udp_packet: Assertion"); stops
# the bench after the third.
measure() {
    local attempt
    for attempt in 1 2 3; do
        measure_once "$1" && return 0
        echo "$bench_name: attempt $attempt of 3 against ${names[$1]} failed" >&2
    done
    exit 1
}

# measure_once <server index>: one measured window against the server; appends to
# $workdir/acc.<kind>.<index> the line "<ns> <ops> <utime> <stime> <voluntary> <nonvoluntary>
# <syscalls> <p50> <p99> <p99.9> <load ticks>" (latencies "-" for memcaslap) and sets window_ops_per_s; returns
# 1, recording nothing, if the load failed.
measure_once() {
    local i="$1" pid="${server_pids[$1]}" port="${ports[$1]}" name="${names[$1]}"
    start_load "$port" $((seconds + 3))
    # The window opens half a second after the load's requests reach the server (TextLoad sets
    # its keys first, then says "loaded").
    local deadline=$((SECONDS + 120)) first_ops
    if [[ "$kind" != memaslap-* ]]; then
        until grep -q '^loaded$' "$workdir/load.out"; do
            load_running "$name" "$deadline" || return 1
            sleep 0.1
        done
    fi
    first_ops="$(server_ops "$port")"
    while (( $(server_ops "$port") == first_ops )); do
        load_running "$name" "$deadline" || return 1
        sleep 0.1
    done
    sleep 0.5
    snapshot "$pid" "$port" "$workdir/before"
    perf stat -x, -e raw_syscalls:sys_enter -p "$pid" -o "$workdir/perf.out" -- sleep "$seconds"
    snapshot "$pid" "$port" "$workdir/after"
    kill -0 "$load_pid" 2>/dev/null \
        || echo "$bench_name: the $kind load against $name ended inside the window; its figures run low" >&2
    finish_load "$name" || return 1

    local syscalls latency=(- - -)
    syscalls="$(awk -F, '$3 == "raw_syscalls:sys_enter" { print (($1 ~ /^[0-9]+$/) ? $1 : "-") }' "$workdir/perf.out")"
    if [[ ! "$syscalls" =~ ^[0-9]+$ ]]; then
        echo "$bench_name: perf stat counted no system calls of $name (pid $pid):" >&2
        cat "$workdir/perf.out" >&2
        exit 1
    fi
    if [[ "$kind" != memaslap-* ]]; then
        read -r -a latency < <(sed -n 's/^latency_us: p50=\([0-9.]*\) p99=\([0-9.]*\) p99.9=\([0-9.]*\) .*/\1 \2 \3/p' \
            "$workdir/load.out")
    fi
    local switches
    switches="$(awk -v bench="$bench_name" -v name="$name" -v debug="${DEBUG:-}" '
        NR == FNR { voluntary[$1] = $2; nonvoluntary[$1] = $3; next }
        {
            v = $2; n = $3
            if ($1 in voluntary) { v -= voluntary[$1]; n -= nonvoluntary[$1]; delete voluntary[$1] }
            total_v += v; total_n += n
            if (debug != "" && v + n > 0) { thread = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", thread)
                printf "  %s thread %-7s %-20s %9d voluntary %9d nonvoluntary\n", name, $1, thread, v, n > "/dev/stderr" }
        }
        END {
            gone = length(voluntary)
            if (gone > 0) printf "%s: %d thread(s) of %s ended in the window; their switches are not counted\n", \
                bench, gone, name > "/dev/stderr"
            print total_v, total_n
        }' "$workdir/before.ctx" "$workdir/after.ctx")"
    read -r before_ns before_ops before_user before_sys before_load < "$workdir/before"
    read -r after_ns after_ops after_user after_sys after_load < "$workdir/after"
    echo "$((after_ns - before_ns)) $((after_ops - before_ops)) $((after_user - before_user))" \
        "$((after_sys - before_sys)) $switches $syscalls ${latency[*]} $((after_load - before_load))" >> "$workdir/acc.$kind.$i"
    window_ops_per_s=$(( (after_ops - before_ops) * 1000000000 / (after_ns - before_ns) ))
}

# Prints the markdown table of $kind from the acc files: every figure and its ratio to memcached's.
table() {
    local i
    for i in "${!names[@]}"; do
        awk -v name="${names[$i]}" -v tick_us="$((1000000 / $(getconf CLK_TCK)))" '
            { ns += $1; ops += $2; user += $3; sys += $4; vol += $5; nonvol += $6; calls += $7; load += $11
              if ($8 != "-") { p50 += $8; p99 += $9; p999 += $10; rounds++ } }
            END {
                s = ns / 1e9
                printf "%s %.0f %.4f %.4f %.4f %.0f %.0f %.0f %.0f %.0f", name, ops / s, calls / ops, user * tick_us / ops,
                    sys * tick_us / ops, (vol + nonvol) / s, vol / s, nonvol / s,
                    (user + sys) * tick_us / (ns / 1e3) * 100, load * tick_us / (ns / 1e3) * 100
                if (rounds > 0) printf " %.1f %.1f %.1f", p50 / rounds, p99 / rounds, p999 / rounds
                printf "\n"
            }' "$workdir/acc.$kind.$i"
    done | awk '
        function commas(n,   s) { s = sprintf("%.0f", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s }
        function cell(text, value, column) { return NR == 1 || base[column] == 0 ? text : sprintf("%s (%.2f)", text, value / base[column]) }
        NR == 1 { for (c = 2; c <= NF; c++) base[c] = $c
            printf "| server | ops/s | syscalls/op | user µs/op | sys µs/op | ctx sw/s | vol + nonvol | server, load CPU %% |%s\n", (NF > 10 ? " p50 µs | p99 µs | p99.9 µs |" : "")
            printf "|---|---:|---:|---:|---:|---:|---:|---:|%s\n", (NF > 10 ? "---:|---:|---:|" : "") }
        {
            printf "| %s | %s | %s | %s | %s | %s | %s + %s | %s, %s |", $1, cell(commas($2), $2, 2), cell(sprintf("%.2f", $3), $3, 3),
                cell(sprintf("%.2f", $4), $4, 4), cell(sprintf("%.2f", $5), $5, 5),
                cell(commas($6), $6, 6), commas($7), commas($8), $9, $10
            if (NF > 10) printf " %s | %s | %s |", cell($11, $11, 11), cell($12, $12, 12), cell($13, $13, 13)
            printf "\n"
        }'
}

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; kernel $(uname -r)"
echo "memcached: $(memcached -V); mnemo: $("$root/mnemo" --version)$(
    [[ -n "${MNEMO_OLD_JAR:-}" ]] && echo "; mnemo-old: $(MNEMO_CLASSPATH="$MNEMO_OLD_JAR" "$root/packaging/bin/mnemo" --version) ($MNEMO_OLD_JAR)")"
echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1); $(perf --version); $(memcaslap -V 2>&1 | head -1 || true)"
echo "servers: ${server_flags[*]//PORT/<tcp port>} pinned to core 0: ${names[*]}; load on core ${LOAD_CPUS:-1}"
echo "method: $warmup_runs warm-up run(s) of ${warmup} s (not measured), then $rounds round(s) of a ${seconds} s window per server, alternated, each round starting one server further on"

for kind in "${workloads[@]}"; do
    case "$kind" in
        memaslap-tcp) about="memcaslap -T 1 -c $concurrency over TCP, get:set 90:10, key 16 B, value 100 B" ;;
        memaslap-udp) about="memcaslap -T 1 -c $concurrency -U (UDP), get:set 90:10, key 16 B, value 100 B" ;;
        get90) about="TextLoad get90: 1 set : 9 gets, 32 B values, 10,000 keys, $connections connections, pipeline $pipeline" ;;
        set1k) about="TextLoad set1k: sets of 1024 B values, 10,000 keys, $connections connections, pipeline $pipeline" ;;
        setlarge) about="TextLoad setlarge: sets of 10 B-100 KB values in three writes, 10,000 keys, $connections connections, pipeline $pipeline" ;;
        mget10) about="TextLoad mget10: gets of 10 keys each, 32 B values, 10,000 keys, $connections connections, pipeline $pipeline" ;;
    esac
    for _ in $(seq 1 "$warmup_runs"); do
        for i in "${!names[@]}"; do
            start_load "${ports[$i]}" "$warmup"
            finish_load "${names[$i]}" || echo "$bench_name: (that was the warm-up; going on)" >&2
        done
    done
    rounds_line=""
    for round in $(seq 1 "$rounds"); do
        rounds_line+="round $round:"
        # each round starts one server further on, so that no build always runs at the same
        # point of a round (docs/PERFORMANCE.md, "How far two runs of the same build differ here")
        for k in "${!names[@]}"; do
            i=$(( (k + round - 1) % ${#names[@]} ))
            measure "$i"
            rounds_line+=" ${names[$i]} $window_ops_per_s"
        done
        rounds_line+="; "
    done
    echo
    echo "### $kind: $about"
    (( rounds > 1 )) && echo "ops/s per round: ${rounds_line%; }"
    echo
    table
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

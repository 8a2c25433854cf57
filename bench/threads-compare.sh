#!/usr/bin/env bash
# Throughput at -t 1 and -t 2, Mnemo and memcached, under memcaslap, side by side in one run
# (runs alternated, ratios to memcached -t 1 printed at the end). On a 2-core machine: the -t 1
# servers are pinned to core 0 with memcaslap on core 1; the -t 2 servers get both cores
# (taskset -c 0,1), which they share with memcaslap, so -t 2 measures what a second thread
# buys a server that must leave room for its clients. With 4+ cores set SERVER_CPUS_T2=0,1 and
# LOAD_CPUS=2,3 to keep load and servers apart.
#
# Usage: bench/threads-compare.sh   (environment as bench/memcaslap-lib.sh, plus SERVER_CPUS_T2, LOAD_CPUS)
# Smoke run: ROUNDS=1 SECONDS_PER_RUN=2 WARMUP_SECONDS=1 bench/threads-compare.sh
# Needs: memcached, memcaslap (Debian libmemcached-tools), taskset (util-linux), 2+ cores; builds Mnemo via ./mnemo.
set -euo pipefail
# shellcheck source=bench/memcaslap-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/memcaslap-lib.sh"

cpus_t2="${SERVER_CPUS_T2:-0,1}"
"$root/mnemo" --version >/dev/null   # builds Mnemo first if needed, outside any measurement

start_memcached memcached-t1 0 -t 1 -U 0
start_mnemo mnemo-t1 0 -t 1
start_memcached memcached-t2 "$cpus_t2" -t 2 -U 0
start_mnemo mnemo-t2 "$cpus_t2" -t 2
echo "servers: -t 1 on core 0, -t 2 on cores $cpus_t2"
compare

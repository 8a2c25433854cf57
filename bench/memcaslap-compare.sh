#!/usr/bin/env bash
# Throughput of Mnemo against memcached under memcaslap (libmemcached-tools), side by side in one
# run as DESIGN.md's performance method asks: each server pinned to core 0 with one worker thread
# (memcached -t 1, mnemo -t 1), memcaslap pinned to core 1, runs alternated A B A B, and the
# throughput ratio Mnemo/memcached printed at the end.
#
# Workload: 90% get / 10% set, 16-byte keys (memcaslap's minimum key length), 100-byte values.
#
# Usage: bench/memcaslap-compare.sh   (environment: ROUNDS=3 SECONDS_PER_RUN=20 CONCURRENCY=32 WARMUP_SECONDS=10)
# The servers listen on free loopback ports chosen at start.
# Needs: memcached, memcaslap (Debian libmemcached-tools), taskset (util-linux), 2+ cores; builds Mnemo via ./mnemo.
set -euo pipefail
# shellcheck source=bench/memcaslap-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/memcaslap-lib.sh"

"$root/mnemo" --version >/dev/null   # builds Mnemo first if needed, outside any measurement

start_memcached memcached 0 -t 1 -U 0
start_mnemo mnemo 0 -t 1
echo "servers: -t 1 on core 0"
compare

#!/usr/bin/env bash
# Mnemo's throughput on each Netty transport (--transport epoll, io_uring, nio) under memcaslap,
# side by side in one run: each server -t 1 pinned to core 0, memcaslap pinned to core 1, runs
# alternated, ratios to the first printed at the end, then the transports fastest first: the
# order to put in TransportChooser.AUTO_ORDER (and docs/PERFORMANCE.md). A transport this
# machine lacks is left out. memcached -t 1 runs alongside as the yardstick.
#
# Usage: bench/transport-compare.sh [tcp|udp]   (default tcp; udp runs memcaslap -U against -U <port>)
#        environment as bench/memcaslap-lib.sh: ROUNDS=3 SECONDS_PER_RUN=20 CONCURRENCY=32 WARMUP_SECONDS=10
# Smoke run: ROUNDS=1 SECONDS_PER_RUN=2 WARMUP_SECONDS=1 bench/transport-compare.sh
# Needs: memcached, memcaslap (Debian libmemcached-tools), taskset (util-linux), 2+ cores; builds Mnemo via ./mnemo.
set -euo pipefail
# shellcheck source=bench/memcaslap-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/memcaslap-lib.sh"

mode="${1:-tcp}"
udp_flags=()
case "$mode" in
    tcp) udp_flags=(-U 0) ;;
    udp) udp_flags=(-U PORT); export MEMCASLAP_FLAGS="-U" ;;   # memcaslap -U wants the same TCP and UDP port
    *) echo "usage: $0 [tcp|udp]" >&2; exit 64 ;;
esac

"$root/mnemo" --version >/dev/null   # builds Mnemo first if needed, outside any measurement

start_memcached memcached 0 -t 1 "${udp_flags[@]}"
for transport in epoll io_uring nio; do
    start_mnemo "mnemo-$transport" 0 -t 1 --transport "$transport" "${udp_flags[@]}" \
        || echo "transport $transport left out: not available here"
done
echo "servers: -t 1 on core 0 ($mode)"
compare

echo -n "mnemo transports, fastest first (for TransportChooser.AUTO_ORDER):"
for i in "${!names[@]}"; do
    [[ "${names[$i]}" == mnemo-* ]] && echo "${means[$i]} ${names[$i]#mnemo-}"
done | sort -rn | while read -r _ transport; do echo -n " $transport"; done
echo

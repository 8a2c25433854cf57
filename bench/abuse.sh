#!/usr/bin/env bash
# Issue 16's hostile-client scenarios against Mnemo and memcached side by side, one after the
# other, each by its own script (whose header says what it measures and how):
#   1. a damaged memory file   bench/damaged-file.py: items stored, the server stopped keeping
#                              them, 4 KiB of random bytes written at 1/100, 1/10 and 1/4 of the
#                              file, the server restarted; items intact, missing and wrong
#   2. a connection storm      bench/accept-storm.sh: an established client's round trip while
#                              10,000 connections open and each sends a get, -t 1 and -t 4
#   3. idle and slow clients   bench/slowloris.sh: RSS per idle connection; RSS of 2,000 slowloris
#                              connections over time
# Fuzzing is not a side-by-side scenario: bench/fuzz.sh runs the coverage-guided targets
# (docs/RELIABILITY.md, "Long-run figures"). The output of a run is recorded in docs/RELIABILITY.md.
#
# Usage: bench/abuse.sh [--quick]
#   --quick   a smoke run: fewer items, connections and seconds (the figures then say little)
# Environment: SLOW_SECONDS (default 180; the issue's figure is over 600).
# Needs: what the three scripts need (memcached, python3, taskset, 2 cores, a file descriptor
# hard limit above 10,000); builds Mnemo via ./mnemo.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
quick=false
[[ "${1:-}" == --quick ]] && quick=true

echo "# bench/abuse.sh, $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "memcached: $(memcached -V); mnemo: $("$root/mnemo" --version)"

echo
echo "## 1. A damaged memory file"
if $quick; then
    python3 "$root/bench/damaged-file.py" --items 2000 --trials 1 --memory 64 --offsets 0.1 --server-cpus 0
else
    python3 "$root/bench/damaged-file.py" --server-cpus 0
fi

echo
echo "## 2. A connection storm"
if $quick; then
    "$root/bench/accept-storm.sh" 1000 1 200
else
    "$root/bench/accept-storm.sh" 10000 3 1000
fi

echo
echo "## 3. Idle and slow clients"
if $quick; then
    taskset -c 1 "$root/bench/slowloris.sh" --idle 1000 --slow 200 --seconds 20 --warmup 5 --server-cpus 0
else
    taskset -c 1 "$root/bench/slowloris.sh" --seconds "${SLOW_SECONDS:-180}" --warmup 30 --server-cpus 0
fi

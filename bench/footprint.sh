#!/usr/bin/env bash
# Resident memory (VmRSS, VmHWM) of Mnemo and memcached side by side: idle at -m 64, a set-heavy
# load (4 clients, random keys, values of 10 B..100 KB) at -m 64 and -m 1024, and cycles of
# 10,000 connections opened and closed. Prints a table, the ratios to memcached and the target
# check (peak RSS <= -m + 64 MiB). The load and the sampling are bench/footprint.py (Python 3,
# raw sockets); see its --help for the options, which this script passes on.
#
# Usage: bench/footprint.sh [--seconds 60] [--servers memcached,mnemo,mnemo+opts,mnemo-old] [--opts="JVM options of mnemo+opts"]
#                           [--runs idle,set64,set1024,storm]
# Smoke run: bench/footprint.sh --seconds 5 --connections 1000 --cycles 2
# Needs: memcached, python3, a file descriptor limit above the connection count; builds Mnemo via ./mnemo.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/jdk.sh
source "$root/scripts/jdk.sh"
for tool in memcached python3; do
    command -v "$tool" >/dev/null || { echo "footprint: $tool is missing (apt-get install memcached python3)" >&2; exit 1; }
done
ulimit -n "$(ulimit -Hn)"   # the storm holds 10,000 sockets in one client process
"$root/mnemo" --version >/dev/null   # builds Mnemo first if needed, outside any measurement
exec python3 "$root/bench/footprint.py" "$@"

#!/usr/bin/env bash
# Memory held by idle and slow ("slowloris") connections, Mnemo and memcached side by side: the
# resident memory per idle connection (10,000 connections that each sent one `version`) and the
# RSS of 2,000 connections each sending one byte of a command line every 0.2 s (issue 16's
# targets: <= 4 KiB per idle connection; RSS flat, +-8 MiB after warm-up, over 10 minutes).
# The load and the sampling are bench/slowloris.py (Python 3, raw sockets); see its --help.
#
# Usage: bench/slowloris.sh [--servers memcached,mnemo] [--idle 10000] [--idle-command version] [--slow 2000] [--seconds 180]
#                           [--interval 0.2] [--warmup 30] [--histogram [FILE]] [--server-cpus 0]
# Long run (the issue's): bench/slowloris.sh --seconds 600 --server-cpus 0   (python on the other core)
# Smoke run: bench/slowloris.sh --idle 1000 --slow 200 --seconds 20 --warmup 5
# Needs: memcached, python3, a file descriptor limit above the connection counts; builds Mnemo via ./mnemo.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/jdk.sh
source "$root/scripts/jdk.sh"
for tool in memcached python3; do
    command -v "$tool" >/dev/null || { echo "slowloris: $tool is missing (apt-get install memcached python3)" >&2; exit 1; }
done
ulimit -n "$(ulimit -Hn)"   # one client process holds every connection
"$root/mnemo" --version >/dev/null   # builds Mnemo first if needed, outside any measurement
export PATH="$JAVA_HOME/bin:$PATH"   # jcmd for --histogram
exec python3 "$root/bench/slowloris.py" "$@"

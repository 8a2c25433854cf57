#!/usr/bin/env bash
# Throughput with and without a "watch" connection attached (docs/PERFORMANCE.md, "watch"):
# Mnemo -t 1 pinned to core 0, memcaslap pinned to core 1 (bench/memcaslap-lib.sh's workload);
# per round: no watcher, a "watch fetchers mutations" connection that reads everything, one that
# never reads (its queue fills and events are skipped); then the log_* stats.
#
# Usage: bench/watch-load.sh   (environment: ROUNDS=3 SECONDS_PER_RUN=10 CONCURRENCY=32)
# Needs what memcaslap-lib.sh needs, and python3 for the watchers.
set -euo pipefail
SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
# shellcheck source=bench/memcaslap-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/memcaslap-lib.sh"

"$root/mnemo" --version >/dev/null   # builds Mnemo first if needed, outside any measurement
start_mnemo mnemo 0 -t 1
port="${ports[0]}"

# watcher <seconds> <read: 1|0>: a watcher on core 1; reading, it prints the lines it got
watcher() {
    taskset -c "${LOAD_CPUS:-1}" python3 - "$port" "$1" "$2" <<'PY'
import socket, sys, time
port, seconds, reading = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3] == "1"
s = socket.socket()
if not reading:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
s.sendall(b"watch fetchers mutations\r\n")
end, lines = time.time() + seconds, 0
s.settimeout(1)
while time.time() < end:
    if not reading:
        time.sleep(0.1)
        continue
    try:
        data = s.recv(1 << 20)
    except socket.timeout:
        continue
    if not data:
        break
    lines += data.count(b"\n")
if reading:
    print(lines)
PY
}

load "$port" "$warmup" >/dev/null
for round in $(seq 1 "$rounds"); do
    echo "round $round no watcher: $(load "$port" "$seconds") ops/s"
    watcher $((seconds + 1)) 1 > "$workdir/lines" &
    sleep 0.5
    echo "round $round reading watcher: $(load "$port" "$seconds") ops/s"
    wait $!
    echo "   lines it read: $(cat "$workdir/lines")"
    watcher $((seconds + 1)) 0 &
    sleep 0.5
    echo "round $round stalled watcher: $(load "$port" "$seconds") ops/s"
    wait $!
done
printf 'stats\r\nquit\r\n' | python3 -c "
import socket, sys
s = socket.create_connection(('127.0.0.1', $port)); s.sendall(sys.stdin.buffer.read())
data = b''
while chunk := s.recv(65536):
    data += chunk
print('\n'.join(l for l in data.decode().split('\r\n') if 'log_' in l))"

#!/usr/bin/env bash
# Indicative load run for docs/PERFORMANCE.md "watch": Mnemo -t 1 on core 0, memcaslap (90 % get,
# 16-byte keys, 100-byte values, 32 connections) on core 1 for 10 s: no watcher, a watcher of
# fetchers+mutations that reads everything, and one that never reads; three rounds. Run from the
# repository root (PORT= picks the port; default: a free one).
set -u
cd "$(dirname "$0")/.."
cat > /tmp/mnemo-watch-workload.cfg <<'CFG'
key
16 16 1
value
100 100 1
cmd
0 0.1
1 0.9
CFG
port="${PORT:-$(python3 -c "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])")}"
taskset -c 0 ./mnemo -m 64 -l 127.0.0.1 -p $port -t 1 2>/tmp/mnemo-watch-mnemo.log &
spid=$!
kill -0 $spid || exit 1; for i in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.3; done
load() { taskset -c 1 memcaslap -s 127.0.0.1:$port -F /tmp/mnemo-watch-workload.cfg -t ${1}s -T 1 -c 32 2>&1 | sed -n 's/.*TPS: \([0-9]*\).*/\1/p' | tail -1; }
load 5 >/dev/null
for round in 1 2 3; do
  echo "round $round none $(load 10)"
  # a watcher that reads everything (to /dev/null) on core 1
  taskset -c 1 python3 -c "
import socket,time
s=socket.create_connection(('127.0.0.1',$port)); s.sendall(b'watch fetchers mutations\r\n'); s.settimeout(1); n=0; end=time.time()+11
try:
    while time.time()<end:
        d=s.recv(1<<20)
        if not d: break
        n+=d.count(b'\n')
except Exception: pass
open('/tmp/mnemo-watch-watch.out','w').write(str(n))" &
  wpid=$!; sleep 0.5
  echo "round $round reading-watcher $(load 10) "
  wait $wpid 2>/dev/null; echo "   lines read: $(cat /tmp/mnemo-watch-watch.out 2>/dev/null)"
  # a watcher that never reads: its queue fills and events are skipped
  python3 -c "
import socket,time,sys
s=socket.create_connection(('127.0.0.1',$port)); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.sendall(b'watch fetchers mutations\r\n'); time.sleep(13)" &
  ppid=$!; sleep 0.5
  echo "round $round stalled-watcher $(load 10)"
  kill $ppid 2>/dev/null; wait $ppid 2>/dev/null
done
python3 -c "
import socket,time
s=socket.create_connection(('127.0.0.1',$port)); s.sendall(b'stats\\r\\n'); time.sleep(0.5); print([l for l in s.recv(65536).decode().split(chr(13)+chr(10)) if 'log_' in l])"
kill $spid; wait $spid

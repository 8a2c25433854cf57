"""Stalled "watch" connections plus load, against one server (bench/watch-flood.sh runs it).

Usage: watch-flood.py PORT WATCHERS SECONDS
Opens WATCHERS connections that send "watch fetchers mutations" and never read (4 KiB receive
buffer), counts OK and WATCHER_TOO_MANY, then for SECONDS pipelines batches of 200 "set" (noreply)
and "get" of distinct 250-byte keys, each batch ended by "mn", on one more connection; prints the
requests served, whether the server stayed up and its log_watcher* stats.
"""
import socket, sys, time
port, nwatch, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
def conn(rcvbuf=None):
    s = socket.socket()
    if rcvbuf: s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", port)); s.settimeout(5); return s
def line(s):
    b = b""
    while not b.endswith(b"\r\n"):
        c = s.recv(1)
        if not c: raise EOFError("closed")
        b += c
    return b
watchers, ok, too_many = [], 0, 0
for i in range(nwatch):
    w = conn(4096); w.sendall(b"watch fetchers mutations\r\n"); r = line(w)
    if r == b"OK\r\n": ok += 1; watchers.append(w)
    elif r.startswith(b"WATCHER_TOO_MANY"): too_many += 1; w.close()
    else: print("watch reply", r); break
print(f"watch: {ok} OK, {too_many} WATCHER_TOO_MANY")
c = conn()
end, sets, alive, n = time.time() + seconds, 0, True, 0
try:
    while time.time() < end:
        batch = b"".join(b"set %s 0 0 10 noreply\r\n0123456789\r\nget %s\r\n" % ((b"%010d" % (n + i)) * 25, (b"%010d" % (n + i)) * 25) for i in range(200))
        n += 200
        c.sendall(batch + b"mn\r\n")
        buf = b""
        while not buf.endswith(b"MN\r\n"):
            d = c.recv(1 << 20)
            if not d: raise EOFError("closed")
            buf += d
        sets += 200
except (EOFError, OSError) as e:
    alive = False; print("server gone:", e)
print(f"sets+gets of 250-byte keys: {sets} each in {seconds:.0f} s")
if alive:
    s = conn(); s.sendall(b"stats\r\n"); st = b""
    while not st.endswith(b"END\r\n"): st += s.recv(65536)
    print(" ".join(l.decode() for l in st.split(b"\r\n") if b"log_watcher" in l))

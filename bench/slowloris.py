"""Memory held by idle and slow connections, Mnemo and memcached side by side (bench/slowloris.sh runs this).

Each server is started fresh on a free loopback port (-m 64 -c 20000) and its /proc/<pid>/status
VmRSS sampled. Two phases:
  idle       open IDLE connections, send `version` (--idle-command) on each and read the reply, wait 3 s; prints
             (RSS with them open - RSS before) / IDLE in bytes, the resident memory per idle
             connection. With --histogram [FILE] (Mnemo only) also the top of `jcmd <pid>
             GC.class_histogram` taken while they are open (all of it in FILE). Then closes them.
  slowloris  open SLOW connections; each sends one byte of `get slowloris:<n>\\r\\n` every INTERVAL
             seconds, over and over (a command completes every ~5 s at 0.2 s), for SECONDS; RSS is
             sampled every 5 s. Prints RSS after WARMUP seconds, at the end, the spread (max - min)
             after warm-up and the growth in MiB a minute (least squares over the samples after warm-up).
Raw sockets only; needs no Python package. A file descriptor limit above IDLE and SLOW is needed.
"""
import argparse
import selectors
import socket
import subprocess
import sys
import time

from footprint import Server, status


def rss_kib(pid):
    return status(pid)[0]


def read_reply(sock, end):
    buf = b""
    while not buf.endswith(end):
        chunk = sock.recv(4096)
        if not chunk:
            raise SystemExit("slowloris: the server closed a connection")
        buf += chunk
    return buf


def idle_phase(name, pid, port, count, histogram, command):
    time.sleep(2)
    before = rss_kib(pid)
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(command.encode() + b"\r\n")
        socks.append(s)
    for s in socks:
        read_reply(s, b"\r\n")
    time.sleep(3)
    after = rss_kib(pid)
    print(f"{name}: idle: RSS {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB with {count} idle connections:"
          f" {(after - before) * 1024 / count:.0f} bytes per connection", flush=True)
    if histogram and name == "mnemo":
        out = subprocess.run(["jcmd", str(pid), "GC.class_histogram"], capture_output=True, text=True).stdout
        if histogram != "-":
            with open(histogram, "w") as f:
                f.write(out)
        lines = out.splitlines()
        print("\n".join(lines[:25] + lines[-1:]), flush=True)
    for s in socks:
        s.close()
    time.sleep(2)


def slowloris_phase(name, pid, port, count, interval, seconds, warmup):
    selector = selectors.DefaultSelector()
    socks = []
    for i in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.setblocking(False)
        selector.register(s, selectors.EVENT_READ)
        socks.append([s, b"get slowloris:%d\r\n" % i, 0])
    samples = []
    begin = time.time()
    next_sample = begin
    next_tick = begin
    while True:
        now = time.time()
        if now >= next_sample:
            samples.append((now - begin, rss_kib(pid)))
            print(f"{name}: slowloris: t={now - begin:5.0f} s RSS {samples[-1][1] / 1024:.1f} MiB", flush=True)
            next_sample += 5
            if now - begin >= seconds:
                break
        if now >= next_tick:
            for entry in socks:
                s, line, position = entry
                s.send(line[position:position + 1])
                entry[2] = (position + 1) % len(line)
            next_tick += interval
        for key, _ in selector.select(timeout=max(0.0, min(next_tick, next_sample) - time.time())):
            if not key.fileobj.recv(65536):
                raise SystemExit("slowloris: the server closed a slow connection")
    for s, _, _ in socks:
        s.close()
    later = [(t, kib / 1024) for t, kib in samples if t >= warmup]
    if len(later) >= 2:
        n = len(later)
        mean_t = sum(t for t, _ in later) / n
        mean_m = sum(m for _, m in later) / n
        slope = sum((t - mean_t) * (m - mean_m) for t, m in later) / sum((t - mean_t) ** 2 for t, _ in later)
        spread = max(m for _, m in later) - min(m for _, m in later)
        print(f"{name}: slowloris: {count} connections, one byte every {interval} s for {seconds} s:"
              f" RSS {later[0][1]:.1f} MiB after {warmup} s warm-up, {later[-1][1]:.1f} MiB at the end,"
              f" spread {spread:.1f} MiB, growth {slope * 60:.2f} MiB/min", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", default="memcached,mnemo")
    parser.add_argument("--idle", type=int, default=10000, help="idle connections (0: skip the phase)")
    parser.add_argument("--histogram", nargs="?", const="-", default=None, metavar="FILE",
                        help="print the top of Mnemo's heap histogram with them open (and write it all to FILE)")
    parser.add_argument("--idle-command", default="version",
                        help="the one command each idle connection sends first (one-line reply), e.g. mn")
    parser.add_argument("--slow", type=int, default=2000, help="slowloris connections (0: skip the phase)")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between a connection's bytes")
    parser.add_argument("--seconds", type=int, default=180, help="length of the slowloris phase")
    parser.add_argument("--warmup", type=int, default=30, help="seconds of the slowloris phase not judged")
    parser.add_argument("--server-cpus", default="", help="taskset -c list for the server, e.g. 0")
    args = parser.parse_args()
    for name in args.servers.split(","):
        server = Server(name, 64, connections=20000, cpus=args.server_cpus)
        try:
            if args.idle:
                idle_phase(name, server.pid, server.port, args.idle, args.histogram, args.idle_command)
            if args.slow:
                slowloris_phase(name, server.pid, server.port, args.slow, args.interval, args.seconds, args.warmup)
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Resident memory of Mnemo and memcached side by side (bench/footprint.sh runs this).

Each run starts a fresh server on a free loopback port, drives it, and samples the server's
/proc/<pid>/status every 0.2 s: VmRSS (resident now) and, at the end, VmHWM (the kernel's peak).
Runs, each on every server:
  idle     -m 64, no client, RSS after IDLE_SECONDS
  set64    -m 64, CLIENTS processes setting random keys (1..1,000,000) with values of uniformly
           random size 10 B..100 KB, one request in flight per client, for SECONDS
  set1024  the same at -m 1024
  storm    -m 64, CYCLES times: open CONNECTIONS connections, send `version` on each and read the
           reply, close them all; RSS after each cycle
Prints one table (MiB) with the ratio to memcached and the target check peak <= -m + 64 MiB.
Servers: memcached (-U 0 -c 10240), mnemo (./mnemo: the launcher with conf/jvm.options),
mnemo+opts (./mnemo with MNEMO_JAVA_OPTS set to --opts: what one JVM option changes, side by
side), mnemo-old (java -jar server/target/mnemo-server.jar: no heap, GC or allocator flag, the
launcher before issue 15). Raw sockets only; needs no Python package.
"""
import argparse
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_VALUE = 100 * 1024
MIN_VALUE = 10
KEYS = 1_000_000


def server_command(name, port, megabytes, connections=10240, extra=()):
    """The command line of a server, with the flags in extra added; mnemo+opts is ./mnemo, started with
    MNEMO_JAVA_OPTS (Server)."""
    common = ["-p", str(port), "-m", str(megabytes), "-c", str(connections), "-l", "127.0.0.1", *extra]
    if name == "memcached":
        user = ["-u", "nobody"] if os.geteuid() == 0 else []   # memcached refuses to run as root without -u
        return ["memcached", "-U", "0"] + user + common
    if name in ("mnemo", "mnemo+opts"):
        return [os.path.join(ROOT, "mnemo")] + common
    if name == "mnemo-old":
        java = os.path.join(os.environ["JAVA_HOME"], "bin", "java")
        jar = os.path.join(ROOT, "server", "target", "mnemo-server.jar")
        return [java, "--enable-native-access=ALL-UNNAMED", "-jar", jar] + common
    raise SystemExit(f"footprint: unknown server {name}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(pid):
    """VmRSS and VmHWM of pid, in KiB."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


class Server:
    """A server process started for one run; its pid is the JVM's or memcached's (./mnemo execs java)."""

    def __init__(self, name, megabytes, java_opts="", connections=10240, cpus=""):
        """cpus: a taskset -c list to pin the server to ("" for none); the pid stays the server's (taskset execs)."""
        self.port = free_port()
        self.log = open(os.devnull, "wb")
        env = dict(os.environ, MNEMO_JAVA_OPTS=java_opts) if name == "mnemo+opts" else None
        command = server_command(name, self.port, megabytes, connections)
        if cpus:
            command = ["taskset", "-c", cpus] + command
        self.process = subprocess.Popen(command, stdout=self.log, stderr=self.log, env=env)
        self.pid = self.process.pid
        deadline = time.time() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None or time.time() > deadline:
                    raise SystemExit(f"{os.path.basename(sys.argv[0])}: {name} did not start")
                time.sleep(0.1)

    def stop(self):
        self.process.terminate()
        self.process.wait(60)
        self.log.close()


class Sampler(threading.Thread):
    """Samples VmRSS every 0.2 s until stopped; keeps the largest sample."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.max_rss = 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.max_rss = max(self.max_rss, status(self.pid)[0])
            self.done.wait(0.2)


def read_line(sock, buf):
    while b"\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        buf += chunk
    line, _, rest = buf.partition(b"\r\n")
    return line, rest


def set_client(port, seconds, seed, counter):
    rng = random.Random(seed)
    payload = memoryview(rng.randbytes(MAX_VALUE))
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b""
    sets = 0
    end = time.time() + seconds
    while time.time() < end:
        size = rng.randint(MIN_VALUE, MAX_VALUE)
        sock.sendall(b"set k%d 0 0 %d\r\n" % (rng.randrange(KEYS), size))
        sock.sendall(payload[:size])
        sock.sendall(b"\r\n")
        line, buf = read_line(sock, buf)
        if line != b"STORED":
            raise SystemExit(f"footprint: set answered {line!r}")
        sets += 1
    sock.close()
    with counter.get_lock():
        counter.value += sets


def set_load(port, seconds, clients):
    counter = multiprocessing.Value("q", 0)
    workers = [multiprocessing.Process(target=set_client, args=(port, seconds, i, counter)) for i in range(clients)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return counter.value / seconds


def storm(port, pid, connections, cycles):
    """Opens and closes `connections` connections `cycles` times; returns VmRSS (KiB) after each cycle."""
    after = []
    for _ in range(cycles):
        socks = []
        for _ in range(connections):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"version\r\n")
            socks.append(s)
        for s in socks:
            line, _ = read_line(s, b"")
            if not line.startswith(b"VERSION"):
                raise SystemExit(f"footprint: version answered {line!r}")
        for s in socks:
            s.close()
        time.sleep(1)
        after.append(status(pid)[0])
    return after


def run(name, kind, args):
    megabytes = 1024 if kind == "set1024" else 64
    server = Server(name, megabytes, args.opts)
    pid = server.process.pid
    sampler = Sampler(pid)
    sampler.start()
    rate = None
    detail = ""
    try:
        if kind == "idle":
            time.sleep(args.idle_seconds)
        elif kind.startswith("set"):
            rate = set_load(server.port, args.seconds, args.clients)
            time.sleep(1)
        else:
            after = storm(server.port, pid, args.connections, args.cycles)
            detail = "after each cycle: " + " ".join(f"{kib / 1024:.0f}" for kib in after)
        rss, hwm = status(pid)
    finally:
        sampler.done.set()
        sampler.join()
        server.stop()
    return {"m": megabytes, "rss": rss / 1024, "peak": max(hwm, sampler.max_rss) / 1024, "rate": rate, "detail": detail}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60, help="length of each set load (default 60)")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--connections", type=int, default=10000)
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--idle-seconds", type=int, default=5)
    parser.add_argument("--servers", default="memcached,mnemo,mnemo-old")
    parser.add_argument("--runs", default="idle,set64,set1024,storm")
    parser.add_argument("--opts", default="", help="MNEMO_JAVA_OPTS of the server mnemo+opts (write --opts=\"-X...\")")
    args = parser.parse_args()
    servers = args.servers.split(",")
    runs = args.runs.split(",")

    results = {}
    for kind in runs:
        for name in servers:   # servers alternate within each run
            print(f"footprint: {kind} {name} ...", file=sys.stderr, flush=True)
            results[(kind, name)] = run(name, kind, args)

    print(f"\nRSS in MiB; set load {args.seconds} s x {args.clients} clients, values {MIN_VALUE} B..100 KB; "
          f"storm {args.cycles} x {args.connections} connections"
          + (f"; mnemo+opts: MNEMO_JAVA_OPTS='{args.opts}'" if "mnemo+opts" in servers else ""))
    print(f"{'run':<8} {'server':<10} {'-m':>5} {'end RSS':>8} {'peak RSS':>9} {'peak/mc':>8} {'sets/s':>8} "
          f"{'target':>15}  detail")
    for kind in runs:
        base = results.get((kind, "memcached"))
        for name in servers:
            r = results[(kind, name)]
            ratio = f"{r['peak'] / base['peak']:.2f}" if base else "-"
            limit = r["m"] + 64
            target = f"{'ok' if r['peak'] <= limit else 'OVER'} <= {limit}"
            rate = f"{r['rate']:.0f}" if r["rate"] is not None else "-"
            print(f"{kind:<8} {name:<10} {r['m']:>5} {r['rss']:>8.0f} {r['peak']:>9.0f} {ratio:>8} {rate:>8} "
                  f"{target:>15}  {r['detail']}")


if __name__ == "__main__":
    main()

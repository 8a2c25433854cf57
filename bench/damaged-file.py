#!/usr/bin/env python3
"""A damaged memory file, Mnemo and memcached side by side (issue 16, "Never serve damaged bytes").

Per server, -m and damage offset: the server is started with a memory file (-e) on /dev/shm, stores
ITEMS items (key "key:<i>", 0-299 printable bytes and client flags derived from i), and is stopped
the way it keeps its items (memcached: SIGUSR1, which saves its restart metadata; Mnemo: SIGTERM);
DAMAGE bytes of random data (seeded) are written into the file at the offset (a fraction of the
file's length), and the server is started again on the same file. Every key is then read back.
Prints, per trial: whether the server restarted on the file (or refused it, or started empty), the
items it returned intact, the items missing (lost: a cache may lose items), the items returned with
bytes or flags that were not stored (wrong: never allowed), and whether the server died.

Raw sockets only; needs no Python package; memcached (Debian package) and ./mnemo.
Usage: bench/damaged-file.py [--servers memcached,mnemo] [--items 20000] [--trials 2]
                             [--memory 64,256] [--offsets 0.01,0.1,0.25] [--server-cpus 0]
"""
import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time

from footprint import free_port, read_line, server_command

DAMAGE = 4096


def value(i):
    r = random.Random(i * 0x9E3779B97F4A7C15)
    return bytes(33 + r.randrange(94) for _ in range(r.randrange(300)))


def flags(i):
    return (i * 2654435761) & 0xFFFFFFFF


class Server:
    """One server process on a memory file; start() waits until it answers `version`."""

    def __init__(self, name, memory, path, cpus):
        self.name, self.memory, self.path, self.cpus = name, memory, path, cpus
        self.port = free_port()
        self.proc = None

    def command(self):
        cmd = server_command(self.name, self.port, self.memory, extra=["-e", self.path, "-t", "1"])
        return (["taskset", "-c", self.cpus] if self.cpus else []) + cmd

    def start(self, log):
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"version\r\n")
                    if s.recv(100).startswith(b"VERSION"):
                        return True
            except OSError:
                time.sleep(0.1)
        return False

    def stop_keeping_items(self):
        self.proc.send_signal(signal.SIGUSR1 if self.name == "memcached" else signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Client:
    """A text protocol client over one socket, pipelining BATCH requests at a time."""

    BATCH = 100

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _line(self):
        line, self.buf = read_line(self.sock, self.buf)
        return line

    def _bytes(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def set_all(self, items):
        for start in range(0, items, self.BATCH):
            keys = range(start, min(items, start + self.BATCH))
            self.sock.sendall(b"".join(b"set key:%d %d 0 %d\r\n%s\r\n" % (i, flags(i), len(value(i)), value(i))
                                       for i in keys))
            for _ in keys:
                line = self._line()
                if line != b"STORED":
                    raise RuntimeError("set answered %r" % line)

    def check_all(self, items):
        """Returns (intact, missing, wrong) over keys 0..items-1."""
        intact = missing = wrong = 0
        for start in range(0, items, self.BATCH):
            keys = range(start, min(items, start + self.BATCH))
            self.sock.sendall(b"".join(b"get key:%d\r\n" % i for i in keys))
            for i in keys:
                line = self._line()
                if line == b"END":
                    missing += 1
                    continue
                parts = line.split(b" ")
                if len(parts) < 4 or parts[0] != b"VALUE":
                    raise RuntimeError("get key:%d answered %r" % (i, line[:80]))
                data = self._bytes(int(parts[3]))
                if self._line() != b"END":
                    raise RuntimeError("get key:%d: no END" % i)
                if parts[1] == b"key:%d" % i and int(parts[2]) == flags(i) and data == value(i):
                    intact += 1
                else:
                    wrong += 1
        return intact, missing, wrong


def damage(path, fraction, seed):
    size = os.path.getsize(path)
    offset = int(size * fraction) // 8 * 8
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(random.Random(seed).randbytes(DAMAGE))
    return offset


def trial(name, memory, fraction, seed, items, cpus, log):
    directory = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
    path = os.path.join(directory, "mnemo-damaged-%s-%d-%d.file" % (name, os.getpid(), seed))
    server = Server(name, memory, path, cpus)
    result = {"server": name, "memory": memory, "fraction": fraction}
    try:
        if not server.start(log):
            result["restart"] = "did not start"
            return result
        client = Client(server.port)
        client.set_all(items)
        client.close()
        server.stop_keeping_items()
        result["offset"] = damage(path, fraction, seed)
        if not server.start(log):
            code = server.proc.poll()
            result["restart"] = "refused the file (exit %s)" % code if code is not None else "did not answer"
            return result
        client = Client(server.port)
        try:
            intact, missing, wrong = client.check_all(items)
        except (OSError, ConnectionError, RuntimeError) as e:
            result["restart"] = "died while read" if server.proc.poll() is not None else "broke: %s" % e
            return result
        finally:
            client.close()
        result.update(restart="restarted" if intact + wrong > 0 else "started empty",
                      intact=intact, missing=missing, wrong=wrong)
        result["alive"] = server.proc.poll() is None
        return result
    finally:
        server.kill()
        for p in (path, path + ".meta"):
            if os.path.exists(p):
                os.remove(p)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", default="memcached,mnemo")
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--trials", type=int, default=2, help="trials per server, -m and offset")
    parser.add_argument("--memory", default="64,256", help="-m values, MiB")
    parser.add_argument("--offsets", default="0.01,0.1,0.25", help="damage offsets, fractions of the file")
    parser.add_argument("--server-cpus", default="", help="taskset -c list for the servers")
    args = parser.parse_args()
    print("damaged memory file: %d items stored, the server stopped keeping them, %d random bytes written at the"
          " offset, the server restarted on the file and every key read back" % (args.items, DAMAGE))
    print("%-10s %5s %8s %11s %-28s %7s %7s %6s %5s" % ("server", "-m", "offset", "at byte", "restart",
                                                       "intact", "missing", "wrong", "alive"))
    totals = {}
    with open(os.path.join(tempfile.gettempdir(), "damaged-file-servers.log"), "ab") as log:
        for name in args.servers.split(","):
            for memory in (int(m) for m in args.memory.split(",")):
                for fraction in (float(f) for f in args.offsets.split(",")):
                    for t in range(args.trials):
                        seed = hash((memory, fraction, t)) & 0xFFFFFFFF
                        r = trial(name, memory, fraction, seed, args.items, args.server_cpus, log)
                        print("%-10s %5d %8s %11s %-28s %7s %7s %6s %5s" % (
                            name, memory, "%g" % fraction, r.get("offset", "-"), r["restart"], r.get("intact", "-"),
                            r.get("missing", "-"), r.get("wrong", "-"), r.get("alive", "-")), flush=True)
                        total = totals.setdefault(name, [0, 0, 0])
                        total[0] += 1
                        total[1] += 1 if r.get("wrong", 0) > 0 else 0
                        total[2] += r.get("missing", 0) if isinstance(r.get("missing"), int) else 0
    for name, (trials, wrong_trials, missing) in totals.items():
        print("%s: %d trials, %d with wrong bytes served, %d items missing in all" % (name, trials, wrong_trials, missing))
    return 0


if __name__ == "__main__":
    sys.exit(main())

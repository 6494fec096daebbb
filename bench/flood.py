#!/usr/bin/env python3
"""flood.py: half-open connections against `tessera serve`, and what a normal client sees.

Starts the server ($TESSERA_BIN, default build/tessera) on a free 127.0.0.1 port with a
temporary database and any extra `serve` options given as arguments, opens CONNS
connections (default 4200) that send a request line and one header and never finish,
spread over SOURCES loopback addresses (default 1: 127.0.0.2; more: 127.0.1.1, 127.0.1.2,
...), then times `GET /healthz` from 127.0.0.1 and counts how long the flood's
connections stay open. Stops the server it started (by its pid) and removes the temp dir.

    python3 bench/flood.py                        # 4200 from one address, defaults
    SOURCES=70 python3 bench/flood.py             # 4200 from 70 addresses
    python3 bench/flood.py --header-timeout 30    # extra serve options
"""
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("TESSERA_BIN") or os.path.join(ROOT, "build", "tessera")
CONNS = int(os.environ.get("CONNS", "4200"))
SOURCES = int(os.environ.get("SOURCES", "1"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def healthz(port, timeout):
    """Seconds until GET /healthz answers 200 from 127.0.0.1, or None within timeout."""
    start = time.time()
    while time.time() - start < timeout:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
            s.settimeout(max(0.1, timeout - (time.time() - start)))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = s.recv(64)
            s.close()
            if data.startswith(b"HTTP/1.1 200"):
                return time.time() - start
        except OSError:
            time.sleep(0.05)
    return None


def open_flood(port):
    socks = []
    for i in range(CONNS):
        src = "127.0.0.2" if SOURCES == 1 else "127.0.%d.%d" % (1 + (i % SOURCES) // 250,
                                                                 1 + (i % SOURCES) % 250)
        s = socket.socket()
        s.setblocking(True)
        s.settimeout(2)
        try:
            s.bind((src, 0))
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        except OSError:
            s.close()
            continue
        socks.append(s)
    return socks


def still_open(socks):
    """The sockets the server has not closed (no EOF or reset readable yet)."""
    p = select.poll()
    by_fd = {s.fileno(): s for s in socks}
    for fd in by_fd:
        p.register(fd, select.POLLIN)
    gone = set()
    for fd, _ in p.poll(0):
        try:
            if by_fd[fd].recv(1, socket.MSG_PEEK) == b"":
                gone.add(fd)
        except OSError:
            gone.add(fd)
    return [s for s in socks if s.fileno() not in gone]


def main():
    tmp = tempfile.mkdtemp(prefix="tessera-flood-")
    port = free_port()
    proc = subprocess.Popen([BIN, "serve", "--db", os.path.join(tmp, "f.db"), "--listen",
                             "127.0.0.1:%d" % port] + sys.argv[1:],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    socks = []
    try:
        if healthz(port, 20) is None:
            raise SystemExit("flood: the server did not start")
        t0 = time.time()
        socks = open_flood(port)
        time.sleep(0.5)
        held = still_open(socks)
        print("flood: %d connections from %d address(es) opened in %.1f s; %d held open by "
              "the server after 0.5 s" % (len(socks), SOURCES, time.time() - t0, len(held)))
        t = healthz(port, 30)
        print("flood: GET /healthz from 127.0.0.1 answered %s" %
              ("after %.3f s" % t if t is not None else "not within 30 s"))
        while held and time.time() - t0 < 120:
            time.sleep(0.5)
            held = still_open(held)
        print("flood: the last flood connection was closed %s" %
              ("%.1f s after the flood began" % (time.time() - t0) if not held
               else "not within 120 s (%d still open)" % len(held)))
    finally:
        for s in socks:
            s.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

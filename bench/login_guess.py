#!/usr/bin/env python3
"""bench/login_guess.py: how fast one address can guess passwords. Starts `tessera serve`
on a throwaway database with one worker, then guesses the worker's password from one
address for DURATION seconds as fast as the server lets it: CONNS connections at once,
each obeying Retry-After (sleeping exactly as long as told, the attacker's best). Prints
the checked guesses (401), the refusals (429/503) and the guesses per second. With
--flood, the guessing comes from 127.0.0.2 and the worker's own login from 127.0.0.1 is
timed every second meanwhile (the slowest is printed). Stops the server it started and
removes the temp dir. See docs/api.md, "Login limits".

usage: bench/login_guess.py [--duration 120] [--conns 8] [--flood] [--bin build/tessera]
                            [serve options, e.g. --login-max-delay 60]
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def login(port, name, pw, source="127.0.0.1"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        c.request("POST", "/api/v1/Login", json.dumps({"Name": name, "Password": pw}),
                  {"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        return r.status, r.getheader("Retry-After")
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=120)
    ap.add_argument("--conns", type=int, default=8)
    ap.add_argument("--bin", default="build/tessera")
    ap.add_argument("--flood", action="store_true")
    opts, serve_args = ap.parse_known_args()
    tmp = tempfile.mkdtemp(prefix="tessera-guess-")
    db = os.path.join(tmp, "g.db")
    try:
        subprocess.run([opts.bin, "admin", "--db", db, "worker-create", "w", "--country", "US",
                        "--password", "correct horse battery"], check=True,
                       stdout=subprocess.DEVNULL)
        port = free_port()
        log = open(os.path.join(tmp, "serve.log"), "wb")
        srv = subprocess.Popen([opts.bin, "serve", "--db", db, "--listen",
                                "127.0.0.1:%d" % port] + serve_args, stdout=log,
                               stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.05)
        counts, lock = {}, threading.Lock()
        end = time.monotonic() + opts.duration
        guess = [0]

        def attacker():
            while time.monotonic() < end:
                with lock:
                    guess[0] += 1
                    n = guess[0]
                st, ra = login(port, "w", "guess %d" % n,
                               "127.0.0.2" if opts.flood else "127.0.0.1")
                with lock:
                    counts[st] = counts.get(st, 0) + 1
                if ra:
                    time.sleep(min(float(ra), max(0.0, end - time.monotonic())))

        t0 = time.monotonic()
        threads = [threading.Thread(target=attacker) for _ in range(opts.conns)]
        for t in threads:
            t.start()
        genuine = []
        while opts.flood and time.monotonic() < end - 1:
            time.sleep(1)
            g0 = time.monotonic()
            st, _ = login(port, "w", "correct horse battery")
            genuine.append((time.monotonic() - g0, st))
        for t in threads:
            t.join()
        took = time.monotonic() - t0
        os.kill(srv.pid, signal.SIGTERM)
        srv.wait(timeout=30)
        checked = counts.get(401, 0)
        print("login_guess: %.0f s, %d connections from one address: %d guesses checked "
              "(401), %d refused (429: %d, 503: %d), %.3f guesses/s"
              % (took, opts.conns, checked, sum(v for k, v in counts.items() if k != 401),
                 counts.get(429, 0), counts.get(503, 0), checked / took))
        if genuine:
            print("login_guess: the worker's own login during the flood: %d tries, all %s, "
                  "slowest %.3f s" % (len(genuine), sorted({st for _, st in genuine}),
                                      max(t for t, _ in genuine)))
        if counts.get(200):
            print("login_guess: %d guesses succeeded?!" % counts[200], file=sys.stderr)
            return 1
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

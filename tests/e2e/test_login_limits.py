"""test_login_limits.py: Login's limits. Failed logins from one address earn it a delay
(429 with Retry-After) that doubles; the right password waits like a wrong one, then
works; failures for one name from many addresses delay that name, but never at the
address its owner logged in from before; a flood of logins fills only its own address's
share of the queue, so a genuine login goes through quickly; a full queue answers 503
with Retry-After. The client address is chosen by binding the client socket to another
loopback address (127.0.0.0/8 is all loopback on Linux)."""
import http.client
import json
import threading
import time

from harness import E2E, HTTP_TIMEOUT

PW = "correct horse battery"


class From:
    """Native-door calls from one loopback address."""

    def __init__(self, port, addr):
        self.port, self.addr = port, addr

    def login(self, name, password):
        """Returns (status, json, Retry-After or None)."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT,
                                       source_address=(self.addr, 0))
        try:
            c.request("POST", "/api/v1/Login",
                      json.dumps({"Name": name, "Password": password}).encode(),
                      {"Content-Type": "application/json"})
            r = c.getresponse()
            body = r.read()
            return r.status, json.loads(body or b"null"), r.getheader("Retry-After")
        finally:
            c.close()


class LoginBackoff(E2E):
    def test_failures_earn_a_doubling_delay_and_the_right_password_waits_too(self):
        self.srv.worker("w")
        me = From(self.srv.port, "127.0.0.1")
        for i in range(5):  # five are free
            st, doc, ra = me.login("w", "wrong %d" % i)
            self.assertEqual((st, doc["error"]["code"], ra), (401, "LoginFailed", None))
        st, _, _ = me.login("w", "wrong 5")  # the sixth is checked, and costs 1 s
        self.assertEqual(st, 401)
        st, doc, ra = me.login("w", PW)
        self.assertEqual((st, doc["error"]["code"], ra), (429, "TooManyRequests", "1"), doc)
        # Another name from the same address waits as long.
        st, _, ra = me.login("someone", "x")
        self.assertEqual((st, ra), (429, "1"))
        time.sleep(1.1)
        self.assertEqual(me.login("w", "wrong 6")[0], 401)
        st, _, ra = me.login("w", "wrong 7")
        self.assertEqual((st, ra), (429, "2"))
        time.sleep(2.1)
        st, doc, _ = me.login("w", PW)
        self.assertEqual(st, 200, doc)
        self.ok("GetMyEarnings", {}, doc["token"])
        # The success forgave this address's failures for w: the next mistake is free.
        self.assertEqual(me.login("w", "typo")[0], 401)
        self.assertEqual(me.login("w", PW)[0], 200)


class NameBackoff(E2E):
    serve_args = ("--login-max-delay", "3")

    def test_guesses_from_many_addresses_delay_the_name_not_its_owner(self):
        self.srv.worker("w")
        home = From(self.srv.port, "127.0.0.1")
        self.assertEqual(home.login("w", PW)[0], 200)  # the owner's usual address
        # Guesses at w from 20 addresses, each within its own free share, until w's delay
        # is at its cap (3 s): 6 are checked free, then each waits 1, 2, 3 s.
        checked, i = 0, 0
        while True:
            bot = From(self.srv.port, "127.0.1.%d" % (i % 20 + 1))
            i += 1
            st, _, ra = bot.login("w", "guess %d" % i)
            self.assertIn(st, (401, 429))
            if st == 401:
                checked += 1
                continue
            if ra == "3":
                break
            time.sleep(int(ra))
        self.assertEqual(checked, 8)
        st, doc, ra = From(self.srv.port, "127.0.1.200").login("w", PW)
        self.assertEqual(st, 429, doc)
        self.assertIn(int(ra), (1, 2, 3))  # delayed by at most --login-max-delay
        # Other names are not held back, and the owner's usual address is not either.
        self.assertEqual(From(self.srv.port, "127.0.1.200").login("v", "x")[0], 401)
        st, doc, _ = home.login("w", PW)
        self.assertEqual(st, 200, doc)
        # A new address of the owner gets in once the delay has passed: never locked out.
        time.sleep(3.1)
        self.assertEqual(From(self.srv.port, "127.0.1.201").login("w", PW)[0], 200)


class LoginFlood(E2E):
    def test_a_flood_from_one_address_does_not_starve_a_genuine_login(self):
        self.srv.worker("w")
        self.srv.worker("v")
        # One password check alone, as this machine and build do it.
        alone = 0.0
        for _ in range(2):
            t0 = time.monotonic()
            self.assertEqual(From(self.srv.port, "127.0.0.3").login("v", PW)[0], 200)
            alone = max(alone, time.monotonic() - t0)
        stop = threading.Event()
        counts = {}
        lock = threading.Lock()

        def flood(n):
            bot = From(self.srv.port, "127.0.0.2")
            while not stop.is_set():
                st, _, ra = bot.login("w" if n % 2 else "user%d" % n, "guess")
                with lock:
                    counts[st] = counts.get(st, 0) + 1
                    if st == 429:
                        self.assertIsNotNone(ra)
                # Again at once, but for a breath, so that the flooders' own Python does
                # not starve the genuine client's thread in this same process.
                time.sleep(0.02)

        threads = [threading.Thread(target=flood, args=(n,)) for n in range(32)]
        for t in threads:
            t.start()
        try:
            time.sleep(0.5)
            t0 = time.monotonic()
            st, doc, _ = From(self.srv.port, "127.0.0.1").login("w", PW)
            took = time.monotonic() - t0
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertEqual(st, 200, doc)
        # It waits for at most the flooding address's share (4) of checks, then its own
        # (3.5 s on 32 connections before the limits).
        self.assertLess(took, max(1.5, 6 * alone + 0.5),
                        "a genuine login took %.2f s during the flood (%.2f s alone)"
                        % (took, alone))
        # The flood was mostly refused before any password check.
        self.assertGreater(counts.get(429, 0), 10 * counts.get(401, 0), counts)
        self.assertEqual(set(counts) - {401, 429}, set(), counts)


class LoginQueue(E2E):
    serve_args = ("--login-queue", "2", "--login-queue-per-address", "1")

    def test_a_full_queue_answers_503_with_retry_after(self):
        self.srv.worker("w")
        got = []
        lock = threading.Lock()
        go = threading.Barrier(12)

        def one(i):
            c = From(self.srv.port, "127.0.2.%d" % (i + 1))
            go.wait()
            st, doc, ra = c.login("w%d" % i, "guess")
            with lock:
                got.append((st, doc["error"]["code"], ra))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        full = [g for g in got if g[0] == 503]
        self.assertTrue(full, got)
        for st, code, ra in full:
            self.assertEqual((code, ra), ("ServiceUnavailable", "1"))
        self.assertEqual({g[0] for g in got} - {401, 503}, set(), got)
        # One address's second waiting login is over its share: 429.
        shares = []

        def mine(i):
            st, _, ra = From(self.srv.port, "127.0.3.1").login("x%d" % i, "guess")
            with lock:
                shares.append((st, ra))

        threads = [threading.Thread(target=mine, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertIn((429, "1"), shares, shares)
        # Once the queue has drained, logins are checked again.
        time.sleep(0.5)
        self.assertEqual(From(self.srv.port, "127.0.4.1").login("w", PW)[0], 200)


class Flags(E2E):
    def test_bad_limit_flags_are_refused(self):
        import subprocess
        from harness import BIN
        for flag, value in (("--login-free-failures", "-1"), ("--login-max-delay", "0"),
                            ("--login-queue", "x"), ("--login-queue-per-address", ""),
                            ("--token-ttl-days", "3651"), ("--token-ttl-days", None)):
            args = [BIN, "serve", "--db", self.srv.db, "--listen", "127.0.0.1:1", flag]
            if value is not None:
                args.append(value)
            r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, timeout=60)
            self.assertEqual(r.returncode, 2, (flag, value, r.stderr))
            self.assertIn(flag.encode(), r.stderr)

"""Connection limits and what is refused from the headers alone.

- One client address holds at most --max-connections-per-address connections (64 by
  default); a flood from one address does not lock out another. Every 127.x.y.z address
  is loopback on Linux, so the clients here bind to 127.0.0.2, .3, ... to be different
  addresses.
- A connection has --header-timeout seconds (10 by default) to finish its request
  headers, however slowly it trickles them; a slow body that keeps coming is not cut.
- A declared Content-Length over the address's limit gets 413 at once, without
  `100 Continue` and without waiting for the body.
- A malformed task or test link gets exactly the page a forged one gets (403).
"""
import json
import socket
import subprocess
import time
import urllib.parse

from harness import BIN, E2E

PARTIAL = b"GET /healthz HTTP/1.1\r\nHost: tessera\r\n"  # the headers never end


def dial(port, source, timeout=10.0):
    """A TCP connection to the server from the loopback address source."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def closed_by_server(s, wait):
    """True when the server closes s (EOF or reset) within wait seconds, False when it is
    still open then. Any bytes that arrive are read and ignored."""
    s.settimeout(wait)
    end = time.time() + wait
    try:
        while True:
            if s.recv(4096) == b"":
                return True
            if time.time() > end:
                return False
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def read_answer(s):
    """One HTTP answer from s: (status, headers dict with lower-case names, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise AssertionError("the connection closed before an answer: %r" % data)
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    n = int(hdrs.get("content-length", "0"))
    while len(body) < n:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, hdrs, body


def healthz(port, source):
    s = dial(port, source)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: tessera\r\n\r\n")
        return read_answer(s)[0]
    finally:
        s.close()


class Limits(E2E):
    def restart_with(self, *args):
        self.srv.stop()
        self.srv.args = list(args)
        self.srv.start()
        return self.srv.port

    def test_a_flood_from_one_address_does_not_lock_out_another(self):
        port = self.restart_with("--max-connections-per-address", "8", "--header-timeout", "60")
        flood = []
        try:
            for _ in range(8):
                s = dial(port, "127.0.0.2")
                s.sendall(PARTIAL)
                flood.append(s)
            time.sleep(0.3)
            # The ninth from the same address is closed at once; the others stay open.
            extra = dial(port, "127.0.0.2")
            try:
                extra.sendall(PARTIAL)
            except (ConnectionResetError, BrokenPipeError):
                pass
            self.assertTrue(closed_by_server(extra, 5.0),
                            "a ninth connection from 127.0.0.2 was kept open")
            extra.close()
            for s in flood:
                self.assertFalse(closed_by_server(s, 0.05), "a flood connection was dropped")
            # Other addresses are served as usual, the harness's 127.0.0.1 too.
            self.assertEqual(healthz(port, "127.0.0.3"), 200)
            self.assertEqual(healthz(port, "127.0.0.4"), 200)
            self.ok("GetAccountBalance", {}, self.srv.requester("R")["token"])
            # A slot that frees up can be taken again.
            flood.pop().close()
            deadline = time.time() + 5
            while True:
                try:
                    if healthz(port, "127.0.0.2") == 200:
                        break
                except (AssertionError, ConnectionResetError, BrokenPipeError):
                    pass
                self.assertLess(time.time(), deadline, "127.0.0.2 never got its slot back")
                time.sleep(0.1)
        finally:
            for s in flood:
                s.close()

    def test_the_default_is_64_connections_per_address(self):
        port = self.srv.port
        held = []
        try:
            for _ in range(64):
                s = dial(port, "127.0.0.5")
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: tessera\r\n\r\n")
                self.assertEqual(read_answer(s)[0], 200)
                held.append(s)  # kept alive
            extra = dial(port, "127.0.0.5")
            self.assertTrue(closed_by_server(extra, 5.0), "a 65th connection was kept open")
            extra.close()
            self.assertEqual(healthz(port, "127.0.0.6"), 200)
        finally:
            for s in held:
                s.close()

    def test_headers_not_finished_in_time_are_cut(self):
        port = self.restart_with("--header-timeout", "2")
        start = time.time()
        silent = dial(port, "127.0.0.2")  # sends nothing at all
        partial = dial(port, "127.0.0.2")
        partial.sendall(PARTIAL)
        trickle = dial(port, "127.0.0.3")  # a header byte every 0.25 s: never idle
        trickle.sendall(PARTIAL)
        header = b"X-Slow: " + b"a" * 200
        cut_at = None
        for i in range(len(header)):
            try:
                trickle.sendall(header[i:i + 1])
            except (ConnectionResetError, BrokenPipeError):
                cut_at = time.time() - start
                break
            if closed_by_server(trickle, 0.25):
                cut_at = time.time() - start
                break
        self.assertIsNotNone(cut_at, "a connection trickling its headers was never cut")
        self.assertGreater(cut_at, 1.8, "cut before the header timeout")
        self.assertLess(cut_at, 8.0)
        for s in (silent, partial):
            self.assertTrue(closed_by_server(s, 8.0), "a half-open connection stayed open")
            self.assertLess(time.time() - start, 10.0)
            s.close()
        trickle.close()
        # A keep-alive connection has the same time for its next request's headers.
        s = dial(port, "127.0.0.4")
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: tessera\r\n\r\n")
        self.assertEqual(read_answer(s)[0], 200)
        self.assertFalse(closed_by_server(s, 1.0), "an answered connection was cut at once")
        self.assertTrue(closed_by_server(s, 8.0), "an idle keep-alive connection stayed open")
        s.close()
        self.assertEqual(healthz(port, "127.0.0.2"), 200)

    def test_a_slow_body_that_keeps_coming_is_not_cut(self):
        port = self.restart_with("--header-timeout", "2")
        rq = self.srv.requester("R", deposit="10.00")
        w = self.srv.worker("W")
        h = self.create_hit(rq["token"], Reward="0.50")
        a = self.accept(w["token"], hit_id=h["HITId"])
        form = urllib.parse.urlencode([("assignmentId", a["AssignmentId"]),
                                       ("label", "x" * 4000)]).encode()
        s = dial(port, "127.0.0.2", timeout=30)
        start = time.time()
        s.sendall(b"POST /mturk/externalSubmit HTTP/1.1\r\nHost: tessera\r\n"
                  b"Authorization: Bearer " + w["token"].encode() + b"\r\n"
                  b"Content-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: " + str(len(form)).encode() + b"\r\n\r\n")
        pieces = 20
        step = (len(form) + pieces - 1) // pieces
        for i in range(0, len(form), step):  # about 5 s, well past the header timeout
            s.sendall(form[i:i + step])
            time.sleep(0.25)
        status, _, body = read_answer(s)
        s.close()
        self.assertGreater(time.time() - start, 4.0)
        self.assertEqual(status, 200, body[:300])
        self.assertEqual(self.ok("GetAssignment", {"AssignmentId": a["AssignmentId"]},
                                 rq["token"])["Assignment"]["AssignmentStatus"], "Submitted")

    def test_flags_are_checked(self):
        for args in (["--header-timeout", "soon"], ["--header-timeout", "3601"],
                     ["--max-connections-per-address", "-1"],
                     ["--max-connections-per-address"]):
            r = subprocess.run([BIN, "serve", "--db", self.srv.db + ".x", "--listen",
                                "127.0.0.1:0"] + args, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=30)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(args[0].encode(), r.stderr)


class DeclaredLength(E2E):
    """A Content-Length over the limit is answered 413 from the headers alone."""

    def send_head(self, path, length, extra=b"", expect=True):
        s = dial(self.srv.port, "127.0.0.1", timeout=15)
        s.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: tessera\r\n" + extra +
                  b"Content-Length: " + str(length).encode() + b"\r\n" +
                  (b"Expect: 100-continue\r\n" if expect else b"") + b"\r\n")
        return s

    def refused(self, path, length, extra=b"", expect=True):
        """Sends only the headers; the first bytes back must be the 413 (no 100 Continue),
        and the connection closes after it."""
        s = self.send_head(path, length, extra, expect)
        try:
            first = s.recv(12)
            self.assertEqual(first, b"HTTP/1.1 413", "%s: first bytes %r" % (path, first))
            status, hdrs, body = read_answer_after(s, first)
            self.assertTrue(closed_by_server(s, 10.0), "%s: kept open after 413" % path)
            return hdrs, body
        finally:
            s.close()

    def test_api_call(self):
        _, body = self.refused("/api/v1/CreateHIT", 8 * 1024 * 1024 + 1,
                               b"Content-Type: application/json\r\n")
        err = json.loads(body)["error"]
        self.assertEqual(err["code"], "RequestTooLarge")
        self.assertIn("8388608", err["message"])
        self.refused("/api/v1/GetAccountBalance", 10 ** 15, expect=False)
        self.refused("/api/v1/GetAccountBalance", 99999999999999999999999)

    def test_mturk_door(self):
        _, body = self.refused("/", 9 * 1024 * 1024,
                               b"Content-Type: application/x-amz-json-1.1\r\n"
                               b"X-Amz-Target: MTurkRequesterServiceV20170117.GetAccountBalance"
                               b"\r\n")
        self.assertIn("RequestEntityTooLargeException", json.loads(body)["__type"])

    def test_form_addresses(self):
        w = self.srv.worker("W")
        hdrs, body = self.refused("/mturk/externalSubmit", 11 * 1024 * 1024,
                                  b"Authorization: Bearer " + w["token"].encode() + b"\r\n"
                                  b"Content-Type: multipart/form-data; boundary=b\r\n")
        self.assertTrue(hdrs["content-type"].startswith("text/html"))
        self.assertIn(b"10485760", body)
        self.refused("/q/" + "A" * 10 + "." + "B" * 43 + "/submit", 9 * 1024 * 1024,
                     b"Content-Type: application/x-www-form-urlencoded\r\n")

    def test_within_the_limit_still_gets_100_continue(self):
        body = b"{}"
        s = self.send_head("/api/v1/GetAccountBalance", len(body),
                           b"Authorization: Bearer " +
                           self.srv.requester("R")["token"].encode() + b"\r\n")
        try:
            first = s.recv(25)
            self.assertEqual(first[:12], b"HTTP/1.1 100", first)
            s.sendall(body)
            data = first
            while b"HTTP/1.1 200" not in data:
                chunk = s.recv(4096)
                self.assertTrue(chunk, "no answer after the body: %r" % data)
                data += chunk
        finally:
            s.close()


def read_answer_after(s, first):
    """read_answer for a socket whose first bytes were already read into first."""
    class Prefixed:
        def __init__(self):
            self.pending = first

        def recv(self, n):
            if self.pending:
                out, self.pending = self.pending, b""
                return out
            return s.recv(n)
    return read_answer(Prefixed())


class BadLinks(E2E):
    """A link that is malformed reads exactly as one that is forged: 403, same page."""

    FORGED = "A" * 10 + "." + "B" * 43

    def get(self, method, path, body=None, headers=None):
        c = self.srv.client()
        status, _, data = c.raw(method, path, body, headers)
        c.close()
        return status, data

    def test_task_and_test_links(self):
        form = b"assignmentId=X&label=y"
        ctype = {"Content-Type": "application/x-www-form-urlencoded"}
        for forged, malformed, method, body in (
                ("/w/%s" % self.FORGED, "/w/nonsense", "GET", None),
                ("/w/%s/task" % self.FORGED, "/w/%s/task" % ("Z" * 120), "GET", None),
                ("/w/%s/mturk/externalSubmit" % self.FORGED, "/w/nonsense/mturk/externalSubmit",
                 "POST", form),
                ("/w/%s/mturk/externalSubmit" % self.FORGED,
                 "/w/%s/mturk/externalSubmit" % ("Z" * 120), "POST", form),
                ("/q/%s" % self.FORGED, "/q/not-a-link", "GET", None),
                ("/q/%s" % self.FORGED, "/q/" + "Q" * 100, "GET", None),
                ("/q/%s/submit" % self.FORGED, "/q/x.y/submit", "POST", form)):
            want = self.get(method, forged, body, ctype if body else None)
            got = self.get(method, malformed, body, ctype if body else None)
            self.assertEqual(want[0], 403, (forged, want))
            self.assertEqual(got, want, "%s %s reads differently from a forged link"
                             % (method, malformed))

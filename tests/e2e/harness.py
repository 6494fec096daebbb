"""harness.py: start `tessera serve` on a free 127.0.0.1 port with a temporary database,
drive it over HTTP, and stop it again, running `tessera admin check` on the way out.

Only the standard library. The binary is $TESSERA_BIN (default build/tessera under the
repository root). Each test class derived from E2E gets a fresh server and database per
test: setUp starts it, tearDown stops it (SIGTERM to the pid it started) and fails the
test when the server did not exit 0 (on this stop or any earlier one in the test), when
its log holds a sanitizer report from any of its runs (the sanitizer build reports every
leak at exit: LeakSanitizer is on unless ASAN_OPTIONS turns it off), or when `admin
check` reports a violation.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.abspath(os.environ.get("TESSERA_BIN") or os.path.join(ROOT, "build", "tessera"))

# The sanitizer build's server reports leaks when it exits (LeakSanitizer): on unless the
# caller turned it off explicitly, so a leak on any path fails the test that ran it.
SAN_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")


def server_env():
    env = dict(os.environ)
    asan = env.get("ASAN_OPTIONS", "")
    if "detect_leaks=" not in asan:
        env["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "detect_leaks=1"
    return env


# Sanitizer builds are slow to start; every wait is bounded.
START_TIMEOUT = 20.0
STOP_TIMEOUT = 30.0
HTTP_TIMEOUT = 60.0

SAMPLE_QUESTION = (
    '<HTMLQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
    '2011-11-11/HTMLQuestion.xsd"><HTMLContent><![CDATA[<p>${text}</p><input name="label">]]>'
    "</HTMLContent><FrameHeight>400</FrameHeight></HTMLQuestion>")


def money(s):
    """A dollar string ("1.20") as a Decimal; fails loudly on anything else."""
    if not isinstance(s, str):
        raise AssertionError("expected a dollar string, got %r" % (s,))
    return Decimal(s)


def fee_of(reward):
    """20% of reward, rounded half up to the cent."""
    from decimal import ROUND_HALF_UP
    return (Decimal(reward) * Decimal("0.2")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Client:
    """One keep-alive HTTP connection to the server."""

    def __init__(self, port, token=None):
        self.port = port
        self.token = token
        self.conn = None

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None

    def raw(self, method, path, body=None, headers=None):
        """Sends one request; returns (status, parsed JSON or None, raw bytes)."""
        hdrs = dict(headers or {})
        for attempt in (0, 1):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                       timeout=HTTP_TIMEOUT)
            try:
                try:
                    self.conn.request(method, path, body=body, headers=hdrs)
                except (ConnectionResetError, BrokenPipeError):
                    # A body declared too large is refused from the headers alone and the
                    # connection closed while the body is still going out: read that
                    # answer (a reused connection is more likely just stale: retry).
                    if reused:
                        raise
                resp = self.conn.getresponse()
                data = resp.read()
                status = resp.status
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server closed between requests: retry once
                # on a new one (only safe before any byte of the answer arrived).
                self.close()
                if attempt or not reused:
                    raise
        try:
            doc = json.loads(data.decode("utf-8")) if data else None
        except ValueError:
            doc = None
        return status, doc, data

    def call(self, op, body=None, token=None, raw_body=None):
        """POST /api/v1/<op>; returns (status, json)."""
        tok = token if token is not None else self.token
        hdrs = {"Content-Type": "application/json"}
        if tok:
            hdrs["Authorization"] = "Bearer " + tok
        if raw_body is None:
            raw_body = json.dumps({} if body is None else body).encode("utf-8")
        status, doc, _ = self.raw("POST", "/api/v1/" + op, raw_body, hdrs)
        return status, doc


class Server:
    """One `tessera serve` process on a temporary database."""

    def __init__(self, workdir=None):
        self.dir = workdir or tempfile.mkdtemp(prefix="tessera-e2e-")
        self.db = os.path.join(self.dir, "t.db")
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.dir, "serve.log")
        self._client = None
        self.args = []  # more `tessera serve` options, for the next start
        self.bad_exits = []  # non-zero exit statuses of SIGTERM stops (a leak report: 1)
        self.env = {}   # more environment variables, for the next start

    # -- process ------------------------------------------------------------------------
    def start(self):
        last = None
        for _ in range(5):
            port = free_port()
            log = open(self.log_path, "ab")
            proc = subprocess.Popen([BIN, "serve", "--db", self.db, "--listen",
                                     "127.0.0.1:%d" % port] + list(self.args),
                                    stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL,
                                    env=dict(server_env(), **self.env))
            log.close()
            deadline = time.time() + START_TIMEOUT
            while time.time() < deadline:
                if proc.poll() is not None:
                    break
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    c.request("GET", "/healthz")
                    r = c.getresponse()
                    r.read()
                    c.close()
                    if r.status == 200:
                        self.proc, self.port = proc, port
                        self._client = Client(port)
                        return self
                except OSError:
                    pass
                time.sleep(0.05)
            last = "exit %s" % proc.poll()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        raise AssertionError("tessera serve did not become healthy (%s); log:\n%s"
                             % (last, self.log()))

    def log(self, whole=False):
        """The end of the server's log (every run of it since setUp), or all of it."""
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return text if whole else text[-4000:]

    def sanitizer_report(self):
        """The first sanitizer report in the whole log (from its marker on), or None."""
        log = self.log(whole=True)
        at = [log.find(m) for m in SAN_MARKERS if m in log]
        if not at:
            return None
        start = log.rfind("\n", 0, min(at)) + 1
        return log[start:start + 6000]

    def stop(self):
        """SIGTERM to the pid we started; returns its exit status."""
        if self._client:
            self._client.close()
        if not self.proc:
            return None
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
        try:
            rc = proc.wait(timeout=STOP_TIMEOUT)
            if rc != 0:
                self.bad_exits.append(rc)
            return rc
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            raise AssertionError("tessera serve did not stop within %ds of SIGTERM"
                                 % STOP_TIMEOUT)

    def kill(self):
        """SIGKILL to the pid we started (a crash)."""
        if self._client:
            self._client.close()
        proc, self.proc = self.proc, None
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return proc.returncode

    def restart(self):
        return self.start()

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- admin CLI ----------------------------------------------------------------------
    def admin(self, *args):
        return subprocess.run([BIN, "admin", "--db", self.db] + [str(a) for a in args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=60)

    def admin_json(self, *args):
        r = self.admin(*args)
        if r.returncode != 0:
            raise AssertionError("tessera admin %s exited %d: %s" % (
                " ".join(map(str, args)), r.returncode, r.stderr.decode(errors="replace")))
        return json.loads(r.stdout.decode())

    def check(self):
        """Runs `admin check`; returns (ok, output)."""
        r = self.admin("check")
        out = (r.stdout + r.stderr).decode(errors="replace")
        return r.returncode == 0, out

    def requester(self, name, deposit=None):
        acct = self.admin_json("requester-create", name)
        acct["name"] = name
        if deposit is not None:
            self.deposit(acct["id"], deposit)
        return acct

    def worker(self, name, country="US", password="correct horse battery"):
        acct = self.admin_json("worker-create", name, "--country", country,
                               "--password", password)
        acct["name"] = name
        return acct

    def deposit(self, account_id, amount):
        return self.admin_json("deposit", account_id, amount)

    # -- HTTP ---------------------------------------------------------------------------
    def client(self, token=None):
        return Client(self.port, token)

    def call(self, op, body=None, token=None, raw_body=None):
        return self._client.call(op, body, token, raw_body)


def hit_body(**kw):
    """A CreateHIT body with sensible defaults; keyword arguments override members
    (a value of None removes the member)."""
    b = {
        "Title": "Label the text",
        "Description": "Read one sentence and label it",
        "Reward": "0.50",
        "AssignmentDurationInSeconds": 600,
        "LifetimeInSeconds": 3600,
        "MaxAssignments": 1,
        "Question": SAMPLE_QUESTION,
    }
    for k, v in kw.items():
        if v is None:
            b.pop(k, None)
        else:
            b[k] = v
    return b


class E2E(unittest.TestCase):
    """Base class: a fresh server and database for every test."""

    maxDiff = 4000
    serve_args = ()  # more `tessera serve` options for this class's servers
    serve_env = {}   # more environment for them (e.g. TESSERA_CLOCK_OFFSET_MS)

    def setUp(self):
        self.srv = Server()
        self.srv.args = list(self.serve_args)
        self.srv.env = dict(self.serve_env)
        self.srv.start()
        self.addCleanup(self.srv.cleanup)

    def tearDown(self):
        srv = self.srv
        rc = srv.stop()
        ok, out = srv.check()
        # Every run counts, not only the last: a test may stop and restart the server,
        # and the log holds each run's report.
        report = srv.sanitizer_report()
        if report:
            self.fail("the server log reports a sanitizer finding:\n%s" % report)
        if rc not in (None, 0) or srv.bad_exits:
            self.fail("tessera serve exited %s on SIGTERM; log:\n%s"
                      % (srv.bad_exits or rc, srv.log()))
        if not ok:
            self.fail("tessera admin check is not clean after the test:\n" + out)

    # -- helpers for tests --------------------------------------------------------------
    def call(self, op, body=None, token=None, raw_body=None):
        return self.srv.call(op, body, token, raw_body)

    def ok(self, op, body=None, token=None):
        """Calls op and asserts 200; returns the JSON answer."""
        status, doc = self.call(op, body, token)
        if status != 200:
            raise AssertionError("%s %s -> %d %s (expected 200)"
                                 % (op, json.dumps(body)[:300], status, doc))
        return doc

    def err(self, op, body, token, status, code=None):
        """Calls op and asserts it fails with status (and error code); returns the error."""
        got, doc = self.call(op, body, token)
        where = "%s %s" % (op, json.dumps(body)[:200] if body is not None else "")
        self.assertEqual(got, status, "%s -> %d %s, expected %d" % (where, got, doc, status))
        self.assertIsInstance(doc, dict, "%s: the error body is not JSON" % where)
        self.assertIn("error", doc, "%s: no error object in %s" % (where, doc))
        self.assertIsInstance(doc["error"].get("message"), str)
        self.assertTrue(doc["error"]["message"], "%s: empty error message" % where)
        if code is not None:
            self.assertEqual(doc["error"].get("code"), code,
                             "%s: error code %s, expected %s (%s)"
                             % (where, doc["error"].get("code"), code, doc["error"]))
        return doc["error"]

    def balance(self, token):
        b = self.ok("GetAccountBalance", {}, token)
        return money(b["AvailableBalance"]), money(b["OnHoldBalance"])

    def earnings(self, token):
        return money(self.ok("GetMyEarnings", {}, token)["Balance"])

    def get_hit(self, hit_id, token):
        return self.ok("GetHIT", {"HITId": hit_id}, token)["HIT"]

    def counters(self, hit_id, token):
        h = self.get_hit(hit_id, token)
        return (h["HITStatus"], h["NumberOfAssignmentsPending"],
                h["NumberOfAssignmentsAvailable"], h["NumberOfAssignmentsCompleted"])

    def create_hit(self, token, **kw):
        return self.ok("CreateHIT", hit_body(**kw), token)["HIT"]

    def accept(self, token, hit_id=None, hit_type_id=None):
        body = {"HITId": hit_id} if hit_id else {"HITTypeId": hit_type_id}
        return self.ok("AcceptWork", body, token)["Assignment"]

    def submit(self, token, asg_id, answers=None):
        return self.ok("SubmitAssignment",
                       {"AssignmentId": asg_id, "Answers": answers or {"label": "cat"}}, token)

    def hit_count(self, token):
        return self.ok("ListHITs", {"MaxResults": 100}, token)["NumResults"]

"""The server process: durability across SIGKILL, admin commands while it runs, SIGTERM."""
import os
import signal
import subprocess
import threading
import time
from decimal import Decimal as D

from harness import BIN, E2E


class Durability(E2E):
    def test_submitted_survives_sigkill(self):
        srv = self.srv
        rq = srv.requester("R", deposit="10.00")
        w = srv.worker("w")
        R = rq["token"]
        hit = self.create_hit(R, MaxAssignments=2)
        aid = self.accept(w["token"], hit_id=hit["HITId"])["AssignmentId"]
        self.submit(w["token"], aid, {"label": "kept"})
        srv.kill()  # no chance to flush anything after the 200
        srv.restart()
        a = self.ok("GetAssignment", {"AssignmentId": aid}, R)["Assignment"]
        self.assertEqual(a["AssignmentStatus"], "Submitted")
        self.assertIn("<FreeText>kept</FreeText>", a["Answer"])
        g = self.ok("GetMyAssignment", {"AssignmentId": aid}, w["token"])
        self.assertEqual(g["Assignment"]["Answers"], {"label": "kept"})
        self.assertEqual(self.counters(hit["HITId"], R), ("Assignable", 0, 1, 0))
        self.assertEqual(self.balance(R), (D("8.80"), D("1.20")))
        # The restarted server goes on working.
        self.ok("ApproveAssignment", {"AssignmentId": aid}, R)
        self.assertEqual(self.earnings(w["token"]), D("0.50"))

    def test_every_answered_write_survives_sigkill(self):
        srv = self.srv
        rq = srv.requester("R", deposit="100.00")
        R = rq["token"]
        done = []
        stop = threading.Event()

        def writer(n):
            c = srv.client(R)
            try:
                for i in range(1000):
                    if stop.is_set():
                        return
                    try:
                        st, doc = c.call("CreateHIT", {
                            "Title": "t", "Description": "d", "Reward": "0.01",
                            "AssignmentDurationInSeconds": 60, "LifetimeInSeconds": 3600,
                            "Question": self.hit_question(), "RequesterAnnotation":
                            "%d-%d" % (n, i)})
                    except OSError:
                        return
                    if st == 200:
                        done.append(doc["HIT"]["HITId"])
            finally:
                c.close()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        deadline = time.time() + 10
        while len(done) < 40 and time.time() < deadline:
            time.sleep(0.01)
        srv.kill()
        stop.set()
        for t in threads:
            t.join(30)
        self.assertGreaterEqual(len(done), 1)
        srv.restart()
        have = set()
        token = None
        while True:
            body = {"MaxResults": 100}
            if token:
                body["NextToken"] = token
            page = self.ok("ListHITs", body, R)
            have |= {h["HITId"] for h in page["HITs"]}
            token = page.get("NextToken")
            if not token:
                break
        missing = set(done) - have
        self.assertEqual(missing, set(), "%d answered CreateHITs were lost" % len(missing))
        avail, hold = self.balance(R)
        self.assertEqual(hold, D("0.01") * len(have))  # 0.01 + fee 0.00 each
        self.assertEqual(avail + hold, D("100.00"))

    @staticmethod
    def hit_question():
        from harness import SAMPLE_QUESTION
        return SAMPLE_QUESTION


class AdminWhileServing(E2E):
    def test_admin_commands_while_running_and_sigterm(self):
        srv = self.srv
        rq = srv.requester("Late Requester")
        R = rq["token"]
        self.assertEqual(self.balance(R), (D("0.00"), D("0.00")))
        self.assertEqual(srv.deposit(rq["id"], "5.25")["AvailableBalance"], "5.25")
        self.assertEqual(self.balance(R), (D("5.25"), D("0.00")))
        hit = self.create_hit(R)
        w = srv.worker("late worker")
        a = self.accept(w["token"], hit_id=hit["HITId"])
        tok = srv.admin_json("token-create", rq["id"])["token"]
        self.assertNotEqual(tok, R)
        self.assertEqual(self.balance(tok), (D("4.65"), D("0.60")))
        ok, out = srv.check()
        self.assertTrue(ok, out)
        self.assertIn("ok", out)

        # SIGTERM while a client keeps writing: exit status 0, and every answered write
        # is there after a restart.
        done = []

        def writer():
            c = srv.client(w["token"])
            try:
                for _ in range(2000):
                    try:
                        st, doc = c.call("GetMyEarnings", {})
                    except OSError:
                        return
                    if st != 200:
                        return
                    done.append(st)
            finally:
                c.close()
        t = threading.Thread(target=writer)
        t.start()
        time.sleep(0.2)
        proc = srv.proc
        os.kill(proc.pid, signal.SIGTERM)
        rc = proc.wait(timeout=30)
        srv.proc = None
        t.join(30)
        self.assertEqual(rc, 0, "tessera serve exited %s on SIGTERM; log: %s" % (rc, srv.log()))
        self.assertGreater(len(done), 0)
        srv.restart()
        self.submit(w["token"], a["AssignmentId"])
        self.assertEqual(self.ok("GetAssignment", {"AssignmentId": a["AssignmentId"]}, R)
                         ["Assignment"]["AssignmentStatus"], "Submitted")

    def test_sigterm_idle_exits_zero(self):
        proc = self.srv.proc
        os.kill(proc.pid, signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=30), 0)
        self.srv.proc = None
        # The port is released.
        import socket
        s = socket.socket()
        try:
            self.assertNotEqual(s.connect_ex(("127.0.0.1", self.srv.port)), 0)
        finally:
            s.close()

    def test_bad_base_url_is_refused(self):
        for bad in ("ftp://tasks.example.org", "https://", "https://a b", "https://x/?q=1",
                    "tasks.example.org", "https://user@tasks.example.org"):
            r = subprocess.run([BIN, "serve", "--db", self.srv.db, "--listen", "127.0.0.1:0",
                                "--base-url", bad], capture_output=True, text=True,
                               timeout=60)
            self.assertEqual(r.returncode, 2, bad)
            self.assertIn("--base-url must be an http:// or https:// URL", r.stderr)

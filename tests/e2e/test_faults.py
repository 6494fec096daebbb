"""Store fault injection on the hot operations (docs/internals/faults.md).

The server runs with TESSERA_FAULT_FILE, so the fault VFS (src/store/faultvfs.c) sits
under its connections; a test build (the sanitizer build of `make test`) honours it.
For each of AcceptWork, SubmitAssignment, ApproveAssignment, SendBonus and CreateBatch,
as an I/O error and as a full disk, a fault is armed at the n-th write from the request
on, for n = 1, 2, ... until the request no longer reaches it (SQLite's do_ioerr_test).
After each injected fault: the answer is 503 with a message, the database is unchanged
row for row, `tessera admin check` is clean, and the same request then succeeds.
"""
import os
import sqlite3
import threading
import time

from harness import E2E, Server, hit_body

OPS = ("AcceptWork", "SubmitAssignment", "ApproveAssignment", "SendBonus", "CreateBatch")
MAX_N = 400

ROWS = "text,id\nhello world,1\nsecond,2\n"


class StoreFaults(E2E):
    def setUp(self):
        # As E2E.setUp, with the control file in the server's directory.
        self.srv = Server()
        self.addCleanup(self.srv.cleanup)
        self.ctl = os.path.join(self.srv.dir, "fault")
        os.environ["TESSERA_FAULT_FILE"] = self.ctl
        try:
            self.srv.start()
        finally:
            del os.environ["TESSERA_FAULT_FILE"]
        if "store fault injection is on" not in self.srv.log():
            self.skipTest("not a test build (compiled without -DTESSERA_FAULTS)")

    # -- the control file -------------------------------------------------------------
    def arm(self, line):
        tmp = self.ctl + ".tmp"
        with open(tmp, "w") as f:
            f.write(line + "\n")
        os.replace(tmp, self.ctl)  # a new inode: the shim sees the change at once

    def fired(self):
        try:
            with open(self.ctl + ".fired") as f:
                return f.read().splitlines()
        except OSError:
            return []

    def dump(self):
        """Every row of every table, for "nothing changed"."""
        db = sqlite3.connect("file:%s?mode=ro" % self.srv.db, uri=True, timeout=30)
        try:
            out = {}
            names = [r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
            for t in names:
                out[t] = sorted(repr(r) for r in db.execute('SELECT * FROM "%s"' % t))
            return out
        finally:
            db.close()

    # -- what each operation needs --------------------------------------------------------
    def prepare(self, op, i):
        """(body, token) of a request of op that succeeds on the current state."""
        R = self.R
        if op == "CreateBatch":
            return ({"Title": "Label", "Description": "d", "Reward": "0.10",
                     "AssignmentDurationInSeconds": 600, "LifetimeInSeconds": 3600,
                     "MaxAssignments": 1, "Question": hit_body()["Question"],
                     "Format": "csv", "Rows": ROWS}, R)
        hid = self.create_hit(R, MaxAssignments=1)["HITId"]
        if op == "AcceptWork":
            return {"HITId": hid}, self.W
        aid = self.accept(self.W, hit_id=hid)["AssignmentId"]
        if op == "SubmitAssignment":
            return {"AssignmentId": aid, "Answers": {"label": "cat"}}, self.W
        self.submit(self.W, aid)
        if op == "ApproveAssignment":
            return {"AssignmentId": aid}, R
        pseud = self.ok("ListAssignmentsForHIT", {"HITId": hid}, R)["Assignments"][0]["WorkerId"]
        return ({"WorkerId": pseud, "BonusAmount": "0.05", "AssignmentId": aid,
                 "Reason": "thanks", "UniqueRequestToken": "tok-%d" % i}, R)

    def one(self, op, kind, cls, n, i):
        """One request of op with a fault at its n-th write (or read); True if the fault
        hit."""
        body, token = self.prepare(op, i)
        if cls == "read":
            # Another connection's commit: the executor's page cache is stale, so the
            # request reads pages inside its job, where a failure is an I/O error in a
            # statement (SQLite then rolls the whole transaction back).
            self.srv.deposit(self.rid, "0.01")
        before, fired0 = self.dump(), len(self.fired())
        self.arm("%s %s %d" % (kind, cls, n))
        status, doc = self.call(op, body, token)
        self.arm("off")
        hit = len(self.fired()) > fired0
        where = "%s, %s at %s %d" % (op, kind, cls, n)
        if not hit:
            self.assertEqual(status, 200, "%s: no fault hit, yet %d %s" % (where, status, doc))
            return False
        self.outcomes[status] = self.outcomes.get(status, 0) + 1
        if status == 200:
            # The fault hit a write that was not the request's (a checkpoint after its
            # commit, say): the request's own outcome stands, and a bonus is not paid twice.
            if op == "SendBonus":
                self.assertEqual(self.call(op, body, token)[0], 409, "%s: paid twice" % where)
            return True
        self.assertEqual(status, 503, "%s: %d %s" % (where, status, doc))
        msg = doc["error"]["message"]
        self.assertIn("try again", msg, where)
        self.assertTrue("disk I/O error" in msg or "disk is full" in msg, msg)
        self.assertEqual(self.dump(), before, "%s: the failed request changed the database"
                         % where)
        ok, out = self.srv.check()
        self.assertTrue(ok, "%s: admin check: %s" % (where, out))
        # The fault is gone: the same request now succeeds, once.
        again, doc2 = self.call(op, body, token)
        self.assertEqual(again, 200, "%s: the retry got %d %s" % (where, again, doc2))
        if op == "SendBonus":
            self.assertEqual(self.call(op, body, token)[0], 409, "%s: paid twice" % where)
        return True

    def test_each_write_of_each_hot_operation(self):
        rq = self.srv.requester("R", deposit="1000.00")
        self.R, self.rid = rq["token"], rq["id"]
        self.W = self.srv.worker("w")["token"]
        self.outcomes = {}
        injected = {}
        i = 0
        t0 = time.time()
        for op in OPS:
            for kind, cls in (("ioerr", "write"), ("full", "write"), ("ioerr", "read")):
                n = 1
                while n <= MAX_N:
                    i += 1
                    if not self.one(op, kind, cls, n, i):
                        break
                    n += 1
                self.assertGreater(n, 1, "%s: no fault reached the operation" % op)
                self.assertLessEqual(n, MAX_N, "%s: more than %d calls?" % (op, MAX_N))
                injected["%s/%s-%s" % (op, kind, cls)] = n - 1
        # A disk that stays full: everything that writes is refused, reads still answer,
        # and once there is room again the server goes on as before.
        body, token = self.prepare("SubmitAssignment", i + 1)
        before = self.dump()
        self.arm("full write 1 persist")
        for _ in range(3):
            status, doc = self.call("SubmitAssignment", body, token)
            self.assertEqual(status, 503, doc)
        self.ok("GetAccountBalance", {}, self.R)
        self.arm("off")
        self.assertEqual(self.dump(), before)
        self.ok("SubmitAssignment", body, token)
        print("\nfaults injected: %d (%s); outcomes %s; %.1f s"
              % (sum(injected.values()), ", ".join("%s %d" % kv for kv in injected.items()),
                 self.outcomes, time.time() - t0))

    def test_a_read_fault_never_gives_a_partial_list(self):
        """A list whose walk meets an I/O error answers 503, never a shorter 200: the
        executor answers the job that lost the transaction with the failure, whatever
        the operation made of it."""
        rq = self.srv.requester("R", deposit="100.00")
        self.R, self.rid = rq["token"], rq["id"]
        W = self.srv.worker("w")["token"]
        for _ in range(6):
            hid = self.create_hit(self.R, MaxAssignments=1)["HITId"]
            self.accept(W, hit_id=hid)
        faults = 0
        for op, token in (("ListHITs", self.R), ("ListMyAssignments", W)):
            full = self.ok(op, {"MaxResults": 100}, token)
            self.assertEqual(full["NumResults"], 6)
            for n in range(1, MAX_N):
                self.srv.deposit(self.rid, "0.01")  # the executor's cache is stale
                fired0 = len(self.fired())
                self.arm("ioerr read %d" % n)
                status, doc = self.call(op, {"MaxResults": 100}, token)
                self.arm("off")
                if len(self.fired()) == fired0:
                    self.assertEqual((status, doc), (200, full))
                    break
                faults += 1
                if status == 200:
                    self.assertEqual(doc, full, "%s, read fault %d: a partial list" % (op, n))
                else:
                    self.assertEqual(status, 503, "%s, read fault %d: %s" % (op, n, doc))
                    self.assertIn("try again", doc["error"]["message"])
                self.assertEqual(self.ok(op, {"MaxResults": 100}, token), full)
            else:
                self.fail("%s: more than %d reads?" % (op, MAX_N))
        self.assertGreater(faults, 2)

    def test_group_commit_under_a_fault(self):
        """Many submissions at once, a fault at a commit: each one is answered 200 and
        saved, or 503 and not saved; those refused then go through."""
        rq = self.srv.requester("R", deposit="100.00")
        self.R = rq["token"]
        workers = [self.srv.worker("w%d" % i)["token"] for i in range(4)]
        refused = []
        for kind in ("ioerr", "full"):
            # Past the first commit's writes, the fault meets a larger group; if the
            # requests all fit in fewer writes, once more with the second write.
            for n_write in (14, 2):
                n = self.submit_all(workers, "%s write %d" % (kind, n_write))
                if n:
                    break
            self.assertGreater(n, 0, "the fault never fired")
            refused.append(n)
            ok, out = self.srv.check()
            self.assertTrue(ok, out)
        print("\ngroup commit: %s of 16 submissions refused together by the failed commit"
              % " and ".join(map(str, refused)))

    def submit_all(self, workers, fault):
        """16 submissions at once with fault armed; how many were refused."""
        jobs = []
        for W in workers:
            for _ in range(4):
                hid = self.create_hit(self.R, MaxAssignments=1)["HITId"]
                jobs.append((W, self.accept(W, hit_id=hid)["AssignmentId"]))
        answers = [None] * len(jobs)
        go = threading.Barrier(len(jobs) + 1)

        def submit(k):
            W, aid = jobs[k]
            c = self.srv.client(W)
            go.wait()
            answers[k] = c.call("SubmitAssignment",
                                {"AssignmentId": aid, "Answers": {"label": "x"}})
            c.close()

        threads = [threading.Thread(target=submit, args=(k,)) for k in range(len(jobs))]
        for t in threads:
            t.start()
        fired0 = len(self.fired())
        self.arm(fault)
        go.wait()
        for t in threads:
            t.join(60)
        self.arm("off")
        n = 0
        for (W, aid), (status, doc) in zip(jobs, answers):
            got = self.ok("GetMyAssignment", {"AssignmentId": aid}, W)["Assignment"]
            if status == 200:
                self.assertEqual(got["AssignmentStatus"], "Submitted")
            else:
                self.assertEqual(status, 503, doc)
                self.assertIn("try again", doc["error"]["message"])
                self.assertEqual(got["AssignmentStatus"], "Accepted",
                                 "%s was answered 503 but saved" % aid)
                self.submit(W, aid)
                n += 1
        if len(self.fired()) == fired0:
            self.assertEqual(n, 0, "refused without a fault")
        return n

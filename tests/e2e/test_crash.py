"""Crash test: a server under concurrent load is killed with SIGKILL at random moments.

Each round, several client threads drive their own worker through accept, submit,
approve (as the requester) and a bonus with a UniqueRequestToken, while another thread
makes deposits with `tessera admin deposit`; at a random moment the server gets SIGKILL.
Every write answered 200 (every deposit that exited 0) is recorded as acknowledged; the
one each thread had in flight when the server died is recorded as unknown. After the
restart:

- every acknowledged write is there, and what is there beyond them is explained by the
  writes in flight (at most one step each): assignments, their statuses, bonuses;
- each bonus token of the round is sent again and pays nothing a second time; each
  token's bonus is there exactly once;
- the requester's balance and every worker's earnings equal the sum of the movements
  now on record (deposits, escrow, approvals, bonuses);
- `tessera admin check` passes.

TESSERA_CRASH_ROUNDS (default 5) and TESSERA_CRASH_SEED change the run; bench/crash.sh
runs more rounds. The figures are printed at the end.
"""
import http.client
import json
import os
import random
import subprocess
import threading
import time
from decimal import Decimal as D

from harness import BIN, E2E, SAMPLE_QUESTION, fee_of

ROUNDS = int(os.environ.get("TESSERA_CRASH_ROUNDS", "5"))
SEED = int(os.environ.get("TESSERA_CRASH_SEED", str(int(time.time() * 1000) % 1000000)))
THREADS = 4
POOL_LOW = 600  # the pool of free HITs is topped up to this before each round
REWARD, BONUS = D("0.50"), D("0.05")
ESCROW = REWARD + fee_of(REWARD)
BONUS_COST = BONUS + fee_of(BONUS)
DEPOSIT = D("1.00")
LEVEL = {"Accepted": 1, "Submitted": 2, "Approved": 3}


class Died(Exception):
    """The connection failed: the server is gone (or going)."""


class Conn:
    """One keep-alive connection that never re-sends a request (a re-sent write could
    take effect twice and spoil the count)."""

    def __init__(self, port, token):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token = token

    def call(self, op, body):
        try:
            self.c.request("POST", "/api/v1/" + op, body=json.dumps(body).encode(),
                           headers={"Content-Type": "application/json",
                                    "Authorization": "Bearer " + self.token})
            r = self.c.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException) as e:
            raise Died(str(e))
        return r.status, json.loads(data) if data else None

    def close(self):
        self.c.close()


class Worker:
    """A worker account and what the client knows of its assignments."""

    def __init__(self, acct):
        self.id = acct["id"]
        self.token = acct["token"]
        self.pseudonym = None  # as the requester sees it
        self.asg = {}  # aid -> {"hid", "level", "bonus": 0 none, 1 acked}
        self.maybe = None  # (step, key) in flight when the server died


class CrashRounds(E2E):
    def test_kill_under_load(self):
        rnd = random.Random(SEED)
        srv = self.srv
        rq = srv.requester("R", deposit="100000.00")
        self.R, self.rid = rq["token"], rq["id"]
        self.deposits = D("100000.00")
        self.workers = [Worker(srv.worker("w%d" % i)) for i in range(THREADS)]
        self.free, self.pool = [], 0
        self.stats = {"acked": 0, "found": 0, "inflight": 0, "inflight_done": 0,
                      "bonus_retries": 0, "deposits": 0}
        t0 = time.time()
        for r in range(ROUNDS):
            self.refill()
            self.round(rnd, r)
            srv.restart()
            self.verify(r)
        s = self.stats
        print("\ncrash: seed %d, %d rounds, %d acknowledged writes (%d deposits), %d found; "
              "%d in flight at the kill, %d of them took effect; %d bonus tokens re-sent, "
              "none paid twice; %.1f s" % (SEED, ROUNDS, s["acked"], s["deposits"],
                                           s["found"], s["inflight"], s["inflight_done"],
                                           s["bonus_retries"], time.time() - t0))
        self.assertEqual(s["found"], s["acked"])

    # -- load ---------------------------------------------------------------------------
    def refill(self):
        """Tops the pool of free HITs up to POOL_LOW, 100 at a time (CreateBatch lists
        at most 100 HITIds)."""
        while len(self.free) + 100 <= POOL_LOW:
            rows = "text\n" + "".join("row %d\n" % (self.pool + i) for i in range(100))
            b = self.ok("CreateBatch", {
                "Title": "Label", "Description": "d", "Reward": str(REWARD),
                "AssignmentDurationInSeconds": 3600, "LifetimeInSeconds": 86400,
                "MaxAssignments": 1, "Question": SAMPLE_QUESTION, "Format": "csv",
                "Rows": rows}, self.R)
            self.assertEqual((b["NumHITs"], len(b["HITIds"])), (100, 100))
            self.free.extend(b["HITIds"])
            self.pool += 100

    def round(self, rnd, r):
        stop = threading.Event()
        errors = []
        lock = threading.Lock()
        port = self.srv.port
        self.round_acked = []
        self.round_deposits = 0

        def drive(w):
            wc, rc = Conn(port, w.token), Conn(port, self.R)
            try:
                while not stop.is_set():
                    self.step(w, wc, rc, lock)
            except Died:
                pass
            except Exception as e:  # a wrong answer: fail the test
                errors.append("%s: %r" % (w.id, e))
            finally:
                wc.close()
                rc.close()

        def deposit():
            while not stop.is_set():
                p = subprocess.run([BIN, "admin", "--db", self.srv.db, "deposit",
                                    str(self.rid), str(DEPOSIT)], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                   timeout=60)
                if p.returncode != 0:
                    errors.append("admin deposit: %s" % p.stderr.decode(errors="replace"))
                    return
                self.deposits += DEPOSIT
                self.round_deposits += 1

        threads = [threading.Thread(target=drive, args=(w,)) for w in self.workers]
        threads.append(threading.Thread(target=deposit))
        for t in threads:
            t.start()
        time.sleep(rnd.uniform(0.2, 1.2))
        self.srv.kill()
        stop.set()
        for t in threads:
            t.join(60)
        self.stats["acked"] += len(self.round_acked) + self.round_deposits
        self.stats["deposits"] += self.round_deposits
        self.round_bonus_aids = {aid for _, kind, aid in self.round_acked if kind == "bonus"}
        self.assertFalse(errors, "round %d: %s" % (r, errors[:5]))

    def step(self, w, wc, rc, lock):
        """One write of w's pipeline: the next step of its oldest unfinished assignment."""
        todo = [(aid, a) for aid, a in w.asg.items() if a["level"] < 3 or not a["bonus"]]
        if not todo:
            with lock:
                if not self.free:
                    time.sleep(0.01)
                    return
                hid = self.free.pop()
            w.maybe = ("accept", hid)
            st, doc = wc.call("AcceptWork", {"HITId": hid})
            self.expect(st, doc, "AcceptWork")
            aid = doc["Assignment"]["AssignmentId"]
            w.asg[aid] = {"hid": hid, "level": 1, "bonus": 0}
            done = ("accept", aid)
        else:
            aid, a = todo[0]
            if a["level"] == 1:
                w.maybe = ("submit", aid)
                st, doc = wc.call("SubmitAssignment",
                                  {"AssignmentId": aid, "Answers": {"label": "x"}})
                self.expect(st, doc, "SubmitAssignment")
                a["level"] = 2
            elif a["level"] == 2:
                w.maybe = ("approve", aid)
                st, doc = rc.call("ApproveAssignment", {"AssignmentId": aid})
                self.expect(st, doc, "ApproveAssignment")
                a["level"] = 3
            else:
                if w.pseudonym is None:
                    st, doc = rc.call("ListAssignmentsForHIT", {"HITId": a["hid"]})
                    self.expect(st, doc, "ListAssignmentsForHIT")
                    w.pseudonym = doc["Assignments"][0]["WorkerId"]
                w.maybe = ("bonus", aid)
                st, doc = rc.call("SendBonus", self.bonus_body(w, aid))
                self.expect(st, doc, "SendBonus")
                a["bonus"] = 1
            done = (w.maybe[0], aid)
        w.maybe = None
        with lock:
            self.round_acked.append((w,) + done)

    def bonus_body(self, w, aid):
        return {"WorkerId": w.pseudonym, "BonusAmount": str(BONUS), "AssignmentId": aid,
                "Reason": "b-" + aid, "UniqueRequestToken": "b-" + aid}

    @staticmethod
    def expect(status, doc, op):
        if status != 200:
            raise AssertionError("%s -> %d %s" % (op, status, doc))

    # -- after the restart ----------------------------------------------------------------
    def list_mine(self, w):
        """aid -> (hid, level) of every assignment of w, from the server."""
        out, tok = {}, None
        while True:
            body = {"MaxResults": 100}
            if tok:
                body["NextToken"] = tok
            doc = self.ok("ListMyAssignments", body, w.token)
            for a in doc["Assignments"]:
                out[a["AssignmentId"]] = (a["HITId"], LEVEL[a["AssignmentStatus"]])
            tok = doc.get("NextToken")
            if not tok:
                return out

    def bonuses_of(self, aid):
        doc = self.ok("ListBonusPayments", {"AssignmentId": aid}, self.R)
        return [b for b in doc["BonusPayments"]]

    def verify(self, r):
        """Checks the restarted server against the client's record; then adopts what the
        writes in flight did, so the record is the server's state again."""
        where = "round %d" % r
        truth = {w.id: self.list_mine(w) for w in self.workers}
        # 1. Every write acknowledged this round is there.
        need = {"accept": 1, "submit": 2, "approve": 3}
        for w, kind, aid in self.round_acked:
            got = truth[w.id]
            self.assertIn(aid, got, "%s: the acknowledged accept of %s is lost" % (where, aid))
            if kind == "bonus":
                n = len(self.bonuses_of(aid))
                self.assertEqual(n, 1, "%s: acknowledged bonus of %s found %d times"
                                 % (where, aid, n))
            else:
                self.assertGreaterEqual(got[aid][1], need[kind],
                                        "%s: the acknowledged %s of %s is lost"
                                        % (where, kind, aid))
            self.stats["found"] += 1
        acked_deposits = self.round_deposits
        # 2. Everything there is explained: the record, or one step of a write in flight.
        approved = bonuses = 0
        for w in self.workers:
            step, key = w.maybe or (None, None)
            got = truth[w.id]
            if w.maybe:
                self.stats["inflight"] += 1
            for aid, a in w.asg.items():
                self.assertIn(aid, got, "%s: %s of an earlier round is lost" % (where, aid))
                lvl = got[aid][1]
                nxt = {"submit": 2, "approve": 3}.get(step) if key == aid else None
                self.assertTrue(lvl == a["level"] or lvl == nxt,
                                "%s: %s is at level %d, acknowledged %d (in flight: %s)"
                                % (where, aid, lvl, a["level"], w.maybe))
                if lvl != a["level"]:
                    self.stats["inflight_done"] += 1
                    a["level"] = lvl
            extra = [aid for aid in got if aid not in w.asg]
            if extra:
                self.assertEqual(len(extra), 1, "%s: unexplained %s" % (where, extra))
                self.assertEqual((step, got[extra[0]]), ("accept", (key, 1)),
                                 "%s: %s appeared without its accept in flight"
                                 % (where, extra[0]))
                w.asg[extra[0]] = {"hid": key, "level": 1, "bonus": 0}
                self.stats["inflight_done"] += 1
            elif step == "accept":
                self.free.append(key)  # it did not take effect: the HIT is still free
            # 3. Every bonus token of the round (and the one in flight) sent again: it
            # pays once in all.
            for aid, a in w.asg.items():
                if not (a["bonus"] and aid in self.round_bonus_aids) and \
                        not (step == "bonus" and key == aid):
                    continue
                before = len(self.bonuses_of(aid))
                self.assertLessEqual(before, 1, "%s: %s paid %d times" % (where, aid, before))
                st, doc = self.call("SendBonus", self.bonus_body(w, aid), self.R)
                self.stats["bonus_retries"] += 1
                self.assertEqual(st, 409 if before else 200,
                                 "%s: bonus token b-%s re-sent: %d %s" % (where, aid, st, doc))
                if before and not a["bonus"]:
                    self.stats["inflight_done"] += 1
                a["bonus"] = 1
                after = len(self.bonuses_of(aid))
                self.assertEqual(after, 1, "%s: %s paid %d times" % (where, aid, after))
            w.maybe = None
            # 4. Earnings: the rewards of the approved assignments plus the bonuses.
            n_appr = sum(1 for a in w.asg.values() if a["level"] == 3)
            n_bon = sum(a["bonus"] for a in w.asg.values())
            e = self.ok("GetMyEarnings", {}, w.token)
            self.assertEqual((D(e["ApprovedEarnings"]), D(e["Bonuses"]), D(e["Balance"])),
                             (n_appr * REWARD, n_bon * BONUS, n_appr * REWARD + n_bon * BONUS),
                             "%s: earnings of worker %s" % (where, w.id))
            approved += n_appr
            bonuses += n_bon
        # 5. The requester: the deposits, less what approvals and bonuses paid out; the
        # escrow of every HIT of the pool not yet approved is on hold.
        avail, hold = self.balance(self.R)
        self.assertEqual(hold, (self.pool - approved) * ESCROW, "%s: on hold" % where)
        self.assertEqual(avail + hold, self.deposits - approved * ESCROW - bonuses * BONUS_COST,
                         "%s: the requester's balance" % where)
        self.stats["found"] += acked_deposits  # all of them, or the balance would differ
        ok, out = self.srv.check()
        self.assertTrue(ok, "%s: admin check: %s" % (where, out))

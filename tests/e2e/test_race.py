"""50 workers race for 30 slots (10 HITs x 3 assignments)."""
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

from harness import E2E

WORKERS = 50
HITS = 10
PER_HIT = 3


class Race(E2E):
    def test_fifty_workers_thirty_slots(self):
        srv = self.srv
        rq = srv.requester("Racer", deposit="100.00")
        R = rq["token"]
        hit_ids = []
        type_id = None
        for i in range(HITS):
            h = self.create_hit(R, Reward="0.10", MaxAssignments=PER_HIT,
                                RequesterAnnotation="hit %d" % i)
            hit_ids.append(h["HITId"])
            type_id = type_id or h["HITTypeId"]
            self.assertEqual(h["HITTypeId"], type_id, "same parameters, same HIT type")
        # 30 * (0.10 + 0.02) = 3.60
        self.assertEqual(self.balance(R), (D("96.40"), D("3.60")))

        with ThreadPoolExecutor(8) as pool:
            workers = list(pool.map(lambda i: srv.worker("racer%02d" % i), range(WORKERS)))

        start = threading.Barrier(WORKERS)
        lock = threading.Lock()
        submitted = []  # (worker index, hit id, assignment id)
        problems = []
        unexpected = Counter()

        def run(i):
            c = srv.client(workers[i]["token"])
            try:
                start.wait()
                k = 0
                while True:
                    k += 1
                    # Alternate between taking by type and by a chosen HIT id, so both
                    # paths race; the by-id guess may be a HIT this worker already has.
                    if k % 2:
                        st, doc = c.call("AcceptWork", {"HITTypeId": type_id})
                    else:
                        st, doc = c.call("AcceptWork", {"HITId": hit_ids[(i + k) % HITS]})
                    if st == 200:
                        a = doc["Assignment"]
                        st2, doc2 = c.call("SubmitAssignment", {
                            "AssignmentId": a["AssignmentId"],
                            "Answers": {"label": "w%d" % i}})
                        if st2 != 200:
                            with lock:
                                problems.append("submit %s -> %d %s" % (a["AssignmentId"],
                                                                        st2, doc2))
                            return
                        with lock:
                            submitted.append((i, a["HITId"], a["AssignmentId"]))
                        continue
                    code = (doc or {}).get("error", {}).get("code")
                    if st == 404 and code == "NoWorkAvailable" and k % 2:
                        return  # nothing left that this worker may take
                    if (st, code) in ((409, "NoWorkAvailable"), (409, "AlreadyWorkedOn")):
                        continue
                    with lock:
                        unexpected[(st, code)] += 1
                    if k > 200:
                        return
            except Exception as e:  # noqa: BLE001 - reported below
                with lock:
                    problems.append("worker %d: %r" % (i, e))
            finally:
                c.close()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertFalse(any(t.is_alive() for t in threads), "workers still running")
        self.assertEqual(problems, [])
        self.assertEqual(dict(unexpected), {})

        self.assertEqual(len(submitted), HITS * PER_HIT)
        per_hit = Counter(h for _, h, _ in submitted)
        self.assertEqual(set(per_hit), set(hit_ids))
        self.assertEqual(set(per_hit.values()), {PER_HIT})
        pairs = Counter((w, h) for w, h, _ in submitted)
        self.assertEqual(max(pairs.values()), 1, "a worker got the same HIT twice")

        # The server's view agrees: 3 distinct pseudonyms per HIT, all Submitted.
        all_asg = set()
        for hid in hit_ids:
            lst = self.ok("ListAssignmentsForHIT", {"HITId": hid, "MaxResults": 100}, R)
            asgs = lst["Assignments"]
            self.assertEqual(len(asgs), PER_HIT, hid)
            self.assertEqual(len({a["WorkerId"] for a in asgs}), PER_HIT,
                             "worker twice on HIT %s" % hid)
            self.assertEqual({a["AssignmentStatus"] for a in asgs}, {"Submitted"})
            all_asg |= {a["AssignmentId"] for a in asgs}
            self.assertEqual(self.counters(hid, R), ("Reviewable", 0, 0, 0))
        self.assertEqual(all_asg, {a for _, _, a in submitted})
        # Accepting moved no money.
        self.assertEqual(self.balance(R), (D("96.40"), D("3.60")))

        # Approve everything concurrently from a few connections.
        ids = sorted(all_asg)

        def approve(chunk):
            c = srv.client(R)
            try:
                return [c.call("ApproveAssignment", {"AssignmentId": a})[0] for a in chunk]
            finally:
                c.close()
        with ThreadPoolExecutor(5) as pool:
            statuses = sum(pool.map(approve, [ids[j::5] for j in range(5)]), [])
        self.assertEqual(statuses, [200] * len(ids))

        # Approving one assignment many times at once still pays it once.
        with ThreadPoolExecutor(5) as pool:
            again = list(pool.map(lambda a: approve([a])[0], [ids[0]] * 10))
        self.assertEqual(again, [200] * 10)

        avail, hold = self.balance(R)
        paid = sum((self.earnings(w["token"]) for w in workers), D("0"))
        self.assertEqual(paid, D("3.00"))
        self.assertEqual(hold, D("0.00"))
        fees = D("0.02") * HITS * PER_HIT
        self.assertEqual(avail + hold + paid + fees, D("100.00"), "money was not conserved")
        by_worker = Counter(w for w, _, _ in submitted)
        for i, w in enumerate(workers):
            self.assertEqual(self.earnings(w["token"]), D("0.10") * by_worker[i], w["name"])
        ok, out = srv.check()
        self.assertTrue(ok, out)

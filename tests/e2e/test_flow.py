"""The whole requester/worker flow, rejection and override, returns, and who may see what."""
import re
from decimal import Decimal as D

from harness import E2E, fee_of, money


class WholeFlow(E2E):
    def test_create_accept_submit_approve(self):
        rq = self.srv.requester("Acme Labs", deposit="10.00")
        w1 = self.srv.worker("alice")
        w2 = self.srv.worker("bob")
        R = rq["token"]

        # 0.33 * 20% = 0.066 -> fee 0.07, so one slot costs 0.40.
        hit = self.create_hit(R, Reward="0.33", MaxAssignments=2)
        hid, tid = hit["HITId"], hit["HITTypeId"]
        self.assertEqual(hit["Reward"], "0.33")
        self.assertEqual(hit["Fee"], "0.07")
        self.assertEqual(fee_of("0.33"), D("0.07"))
        self.assertEqual(hit["MaxAssignments"], 2)
        self.assertEqual(hit["HITStatus"], "Assignable")
        self.assertEqual(self.balance(R), (D("9.20"), D("0.80")))
        self.assertEqual(self.counters(hid, R), ("Assignable", 0, 2, 0))

        work = self.ok("ListAvailableWork", {}, w1["token"])["HITTypes"]
        mine = [t for t in work if t["HITTypeId"] == tid]
        self.assertEqual(len(mine), 1, work)
        self.assertEqual(mine[0]["RequesterName"], "Acme Labs")
        self.assertEqual(mine[0]["Reward"], "0.33")
        self.assertEqual(mine[0]["HITsAvailable"], 1)
        self.assertEqual(mine[0]["Title"], "Label the text")

        a1 = self.accept(w1["token"], hit_type_id=tid)
        self.assertEqual(a1["HITId"], hid)
        self.assertEqual(a1["AssignmentStatus"], "Accepted")
        self.assertEqual(a1["Deadline"] - a1["AcceptTime"], 600)
        self.assertEqual(self.counters(hid, R), ("Assignable", 1, 1, 0))

        # w1 has taken the only HIT of the type: it is no longer offered to w1.
        work = self.ok("ListAvailableWork", {}, w1["token"])["HITTypes"]
        self.assertEqual([t for t in work if t["HITTypeId"] == tid], [])

        a2 = self.accept(w2["token"], hit_id=hid)
        self.assertEqual(self.counters(hid, R), ("Unassignable", 2, 0, 0))
        # Accepting moves no money.
        self.assertEqual(self.balance(R), (D("9.20"), D("0.80")))

        got = self.ok("GetMyAssignment", {"AssignmentId": a1["AssignmentId"]}, w1["token"])
        task, asg = got["Task"], got["Assignment"]
        self.assertEqual(task["QuestionType"], "HTMLQuestion")
        self.assertIn('<input name="label">', task["Content"])
        self.assertEqual(task["RequesterName"], "Acme Labs")
        self.assertEqual(task["Reward"], "0.33")
        self.assertEqual(task["FrameHeight"], 400)
        self.assertEqual(asg["Deadline"], a1["Deadline"])
        self.assertEqual(asg["AssignmentStatus"], "Accepted")

        self.submit(w1["token"], a1["AssignmentId"], {"label": "cat"})
        self.assertEqual(self.counters(hid, R), ("Unassignable", 1, 0, 0))
        got = self.ok("GetMyAssignment", {"AssignmentId": a1["AssignmentId"]}, w1["token"])
        self.assertEqual(got["Assignment"]["AssignmentStatus"], "Submitted")
        self.assertEqual(got["Assignment"]["Answers"], {"label": "cat"})
        # Submitting twice is refused.
        self.err("SubmitAssignment", {"AssignmentId": a1["AssignmentId"],
                                      "Answers": {"label": "x"}}, w1["token"], 409)

        self.submit(w2["token"], a2["AssignmentId"], {"label": "dog"})
        self.assertEqual(self.counters(hid, R), ("Reviewable", 0, 0, 0))

        lst = self.ok("ListAssignmentsForHIT", {"HITId": hid}, R)
        self.assertEqual(lst["NumResults"], 2)
        by_id = {a["AssignmentId"]: a for a in lst["Assignments"]}
        self.assertEqual(set(by_id), {a1["AssignmentId"], a2["AssignmentId"]})
        r1, r2 = by_id[a1["AssignmentId"]], by_id[a2["AssignmentId"]]
        for r, label in ((r1, "cat"), (r2, "dog")):
            self.assertEqual(r["AssignmentStatus"], "Submitted")
            self.assertIn("<QuestionFormAnswers", r["Answer"])
            self.assertIn("<QuestionIdentifier>label</QuestionIdentifier>", r["Answer"])
            self.assertIn("<FreeText>%s</FreeText>" % label, r["Answer"])
        for r, w in ((r1, w1), (r2, w2)):
            self.assertTrue(r["WorkerId"].startswith("A"), r["WorkerId"])
            self.assertNotEqual(r["WorkerId"], str(w["id"]))
        self.assertNotEqual(r1["WorkerId"], r2["WorkerId"])

        # Approve: the worker gets the reward, escrow drops by reward + fee.
        self.ok("ApproveAssignment", {"AssignmentId": a1["AssignmentId"]}, R)
        self.assertEqual(self.earnings(w1["token"]), D("0.33"))
        self.assertEqual(self.balance(R), (D("9.20"), D("0.40")))
        self.assertEqual(self.counters(hid, R), ("Reviewable", 0, 0, 1))
        # Approving again succeeds and pays nothing more.
        self.ok("ApproveAssignment", {"AssignmentId": a1["AssignmentId"]}, R)
        self.assertEqual(self.earnings(w1["token"]), D("0.33"))
        self.assertEqual(self.balance(R), (D("9.20"), D("0.40")))
        self.assertEqual(self.earnings(w2["token"]), D("0.00"))

        self.ok("ApproveAssignment", {"AssignmentId": a2["AssignmentId"],
                                      "RequesterFeedback": "thanks"}, R)
        self.assertEqual(self.earnings(w2["token"]), D("0.33"))
        self.assertEqual(self.balance(R), (D("9.20"), D("0.00")))
        self.assertEqual(self.counters(hid, R), ("Reviewable", 0, 0, 2))

        g = self.ok("GetAssignment", {"AssignmentId": a2["AssignmentId"]}, R)
        self.assertEqual(g["Assignment"]["AssignmentStatus"], "Approved")
        self.assertEqual(g["Assignment"]["RequesterFeedback"], "thanks")
        self.assertEqual(g["HIT"]["HITId"], hid)
        e = self.ok("GetMyEarnings", {}, w1["token"])
        self.assertEqual(e["ApprovedAssignments"], 1)
        self.assertEqual(e["ApprovedEarnings"], "0.33")


class Reject(E2E):
    def test_reject_then_override(self):
        rq = self.srv.requester("R", deposit="10.00")
        w = self.srv.worker("w")
        R = rq["token"]
        hit = self.create_hit(R, Reward="0.50")
        self.assertEqual(self.balance(R), (D("9.40"), D("0.60")))
        a = self.accept(w["token"], hit_id=hit["HITId"])
        aid = a["AssignmentId"]
        # Not submitted yet: neither approve nor reject.
        self.err("RejectAssignment", {"AssignmentId": aid, "RequesterFeedback": "no"}, R, 409)
        self.err("ApproveAssignment", {"AssignmentId": aid}, R, 409)
        self.submit(w["token"], aid, {"label": "spam"})

        self.err("RejectAssignment", {"AssignmentId": aid}, R, 400)
        self.err("RejectAssignment", {"AssignmentId": aid, "RequesterFeedback": ""}, R, 400)
        self.assertEqual(self.ok("GetAssignment", {"AssignmentId": aid}, R)
                         ["Assignment"]["AssignmentStatus"], "Submitted")
        self.assertEqual(self.balance(R), (D("9.40"), D("0.60")))

        self.ok("RejectAssignment", {"AssignmentId": aid, "RequesterFeedback": "off topic"}, R)
        self.assertEqual(self.balance(R), (D("10.00"), D("0.00")))
        self.assertEqual(self.earnings(w["token"]), D("0.00"))
        g = self.ok("GetAssignment", {"AssignmentId": aid}, R)["Assignment"]
        self.assertEqual(g["AssignmentStatus"], "Rejected")
        self.assertEqual(g["RequesterFeedback"], "off topic")
        self.assertEqual(self.counters(hit["HITId"], R), ("Reviewable", 0, 0, 1))
        # Rejecting again changes nothing.
        self.ok("RejectAssignment", {"AssignmentId": aid, "RequesterFeedback": "again"}, R)
        self.assertEqual(self.balance(R), (D("10.00"), D("0.00")))

        # Approving a rejected assignment needs OverrideRejection.
        self.err("ApproveAssignment", {"AssignmentId": aid}, R, 409)
        self.assertEqual(self.balance(R), (D("10.00"), D("0.00")))
        self.ok("ApproveAssignment", {"AssignmentId": aid, "OverrideRejection": True}, R)
        self.assertEqual(self.balance(R), (D("9.40"), D("0.00")))
        self.assertEqual(self.earnings(w["token"]), D("0.50"))
        self.assertEqual(self.ok("GetAssignment", {"AssignmentId": aid}, R)
                         ["Assignment"]["AssignmentStatus"], "Approved")
        # And once approved, nothing pays twice.
        self.ok("ApproveAssignment", {"AssignmentId": aid, "OverrideRejection": True}, R)
        self.assertEqual(self.balance(R), (D("9.40"), D("0.00")))
        self.assertEqual(self.earnings(w["token"]), D("0.50"))
        self.err("RejectAssignment", {"AssignmentId": aid, "RequesterFeedback": "x"}, R, 409)

    def test_override_needs_available_balance(self):
        rq = self.srv.requester("R", deposit="0.60")
        w = self.srv.worker("w")
        R = rq["token"]
        hit = self.create_hit(R, Reward="0.50")
        a = self.accept(w["token"], hit_id=hit["HITId"])
        self.submit(w["token"], a["AssignmentId"])
        self.ok("RejectAssignment", {"AssignmentId": a["AssignmentId"],
                                     "RequesterFeedback": "bad"}, R)
        self.assertEqual(self.balance(R), (D("0.60"), D("0.00")))
        # Spend the money elsewhere, then the override cannot be paid.
        self.create_hit(R, Reward="0.50", Title="another")
        self.assertEqual(self.balance(R), (D("0.00"), D("0.60")))
        self.err("ApproveAssignment", {"AssignmentId": a["AssignmentId"],
                                       "OverrideRejection": True}, R, 402, "InsufficientFunds")
        self.assertEqual(self.balance(R), (D("0.00"), D("0.60")))
        self.assertEqual(self.earnings(w["token"]), D("0.00"))


class ReturnAndIsolation(E2E):
    def test_return_frees_the_slot(self):
        rq = self.srv.requester("R", deposit="10.00")
        w1, w2 = self.srv.worker("w1"), self.srv.worker("w2")
        R = rq["token"]
        hit = self.create_hit(R, MaxAssignments=2)
        hid = hit["HITId"]
        a = self.accept(w1["token"], hit_id=hid)
        self.assertEqual(self.counters(hid, R), ("Assignable", 1, 1, 0))
        # The same worker cannot take the same HIT twice, by id or by type.
        self.err("AcceptWork", {"HITId": hid}, w1["token"], 409, "AlreadyWorkedOn")
        self.err("AcceptWork", {"HITTypeId": hit["HITTypeId"]}, w1["token"], 404,
                 "NoWorkAvailable")
        self.assertEqual(self.counters(hid, R), ("Assignable", 1, 1, 0))

        self.ok("ReturnAssignment", {"AssignmentId": a["AssignmentId"]}, w1["token"])
        self.assertEqual(self.counters(hid, R), ("Assignable", 0, 2, 0))
        self.assertEqual(self.balance(R), (D("8.80"), D("1.20")))
        g = self.ok("GetMyAssignment", {"AssignmentId": a["AssignmentId"]}, w1["token"])
        self.assertEqual(g["Assignment"]["AssignmentStatus"], "Returned")
        # A returned assignment can be neither submitted nor returned again.
        self.err("SubmitAssignment", {"AssignmentId": a["AssignmentId"],
                                      "Answers": {"label": "x"}}, w1["token"], 409)
        self.err("ReturnAssignment", {"AssignmentId": a["AssignmentId"]}, w1["token"], 409)
        # Both slots can be filled by others.
        self.accept(w2["token"], hit_id=hid)
        self.assertEqual(self.counters(hid, R), ("Assignable", 1, 1, 0))

    def test_workers_and_requesters_see_only_their_own(self):
        ra = self.srv.requester("RA", deposit="10.00")
        rb = self.srv.requester("RB", deposit="10.00")
        wa, wb = self.srv.worker("wa"), self.srv.worker("wb")
        hit = self.create_hit(ra["token"], MaxAssignments=2)
        hid = hit["HITId"]
        aa = self.accept(wa["token"], hit_id=hid)["AssignmentId"]
        ab = self.accept(wb["token"], hit_id=hid)["AssignmentId"]

        # Worker A cannot touch worker B's assignment.
        self.err("GetMyAssignment", {"AssignmentId": ab}, wa["token"], 404,
                 "AssignmentDoesNotExist")
        self.err("SubmitAssignment", {"AssignmentId": ab, "Answers": {"label": "x"}},
                 wa["token"], 404, "AssignmentDoesNotExist")
        self.err("ReturnAssignment", {"AssignmentId": ab}, wa["token"], 404,
                 "AssignmentDoesNotExist")
        mine = self.ok("ListMyAssignments", {}, wa["token"])["Assignments"]
        self.assertEqual([m["AssignmentId"] for m in mine], [aa])
        # B's assignment is untouched.
        g = self.ok("GetMyAssignment", {"AssignmentId": ab}, wb["token"])
        self.assertEqual(g["Assignment"]["AssignmentStatus"], "Accepted")
        self.submit(wb["token"], ab)
        self.assertEqual(self.counters(hid, ra["token"]), ("Unassignable", 1, 0, 0))

        # Requester B cannot see or act on requester A's HIT and assignment.
        RB = rb["token"]
        self.err("GetHIT", {"HITId": hid}, RB, 404, "HITDoesNotExist")
        self.err("ListAssignmentsForHIT", {"HITId": hid}, RB, 404)
        self.err("GetAssignment", {"AssignmentId": ab}, RB, 404)
        self.err("ApproveAssignment", {"AssignmentId": ab}, RB, 404)
        self.err("RejectAssignment", {"AssignmentId": ab, "RequesterFeedback": "x"}, RB, 404)
        self.err("UpdateExpirationForHIT", {"HITId": hid, "ExpireAt": 0}, RB, 404)
        self.err("DeleteHIT", {"HITId": hid}, RB, 404)
        self.err("CreateAdditionalAssignmentsForHIT",
                 {"HITId": hid, "NumberOfAdditionalAssignments": 1}, RB, 404)
        self.err("CreateHITWithHITType", {"HITTypeId": hit["HITTypeId"],
                                          "LifetimeInSeconds": 3600,
                                          "Question": hit["Question"]}, RB, 404)
        self.assertEqual(self.ok("ListHITs", {}, RB)["NumResults"], 0)
        self.assertEqual(self.balance(RB), (D("10.00"), D("0.00")))
        # Nothing happened to A's HIT or money.
        self.assertEqual(self.counters(hid, ra["token"]), ("Unassignable", 1, 0, 0))
        self.assertEqual(self.balance(ra["token"]), (D("8.80"), D("1.20")))
        self.assertEqual(self.ok("GetAssignment", {"AssignmentId": ab}, ra["token"])
                         ["Assignment"]["AssignmentStatus"], "Submitted")
        self.assertEqual(self.earnings(wb["token"]), D("0.00"))
        self.assertEqual(money(self.ok("GetMyEarnings", {}, wa["token"])["Balance"]), D("0"))


class Pseudonyms(E2E):
    def test_pseudonym_is_stable_and_per_requester(self):
        ra = self.srv.requester("RA", deposit="10.00")
        rb = self.srv.requester("RB", deposit="10.00")
        w = self.srv.worker("w")
        seen = {}
        for r in (ra, rb):
            for n in range(2):
                hid = self.create_hit(r["token"], Title="t%d" % n)["HITId"]
                aid = self.accept(w["token"], hit_id=hid)["AssignmentId"]
                self.submit(w["token"], aid)
                a = self.ok("GetAssignment", {"AssignmentId": aid}, r["token"])["Assignment"]
                self.assertRegex(a["WorkerId"], r"^A[A-Z0-9]{13}$")
                seen.setdefault(r["id"], set()).add(a["WorkerId"])
        self.assertEqual(len(seen[ra["id"]]), 1, "not stable for one requester")
        self.assertEqual(len(seen[rb["id"]]), 1, "not stable for one requester")
        self.assertNotEqual(seen[ra["id"]], seen[rb["id"]],
                            "two requesters can link the same worker")


class LoginOffTheWriter(E2E):
    # Six wrong passwords at once from one address: within the limits, which
    # test_login_limits.py tests.
    serve_args = ("--login-free-failures", "10", "--login-queue-per-address", "10")

    def test_password_checks_do_not_hold_up_other_operations(self):
        """Password checks (argon2id, slow on purpose) run beside the writer: while a queue
        of logins is being checked, other operations are answered at once."""
        import threading
        import time

        rq = self.srv.requester("Acme Labs", deposit="5.00")
        self.srv.worker("w")
        done = []

        def login(pw):
            status, _ = self.srv.client().call("Login", {"Name": "w", "Password": pw})
            done.append((time.monotonic(), status))

        threads = [threading.Thread(target=login, args=("wrong %d" % i,)) for i in range(6)]
        for t in threads:
            t.start()
        time.sleep(0.05)
        fast = []
        c = self.srv.client(rq["token"])
        for _ in range(10):
            status, _ = c.call("GetAccountBalance", {})
            self.assertEqual(status, 200)
            fast.append(time.monotonic())
        for t in threads:
            t.join()
        self.assertEqual(sorted(s for _, s in done), [401] * 6)
        # The six checks run one after another; the ten balance reads do not wait for them.
        self.assertLess(fast[-1], max(t for t, _ in done),
                        "GetAccountBalance waited for the password checks")
        tok = self.ok("Login", {"Name": "w", "Password": "correct horse battery"})["token"]
        self.assertEqual(self.ok("GetMyEarnings", {}, tok)["AcceptedAssignments"], 0)

"""Escrow: insufficient funds, idempotent creation, expiry and extension, deletion,
auto-approval, additional assignments, bonuses."""
import time
from decimal import Decimal as D

from harness import E2E


class Funds(E2E):
    def test_insufficient_funds_changes_nothing(self):
        rq = self.srv.requester("R", deposit="1.00")
        R = rq["token"]
        # 2 * (0.50 + 0.10) = 1.20 > 1.00
        e = self.err("CreateHIT", {**self._body(), "MaxAssignments": 2}, R, 402,
                     "InsufficientFunds")
        self.assertTrue(e["message"])
        self.assertEqual(self.balance(R), (D("1.00"), D("0.00")))
        self.assertEqual(self.ok("ListHITs", {}, R)["NumResults"], 0)
        self.assertEqual(self.ok("ListHITs", {}, R)["HITs"], [])
        # Exactly enough works and leaves nothing.
        self.ok("CreateHIT", {**self._body(), "Reward": "0.83", "MaxAssignments": 1}, R)
        # 0.83 + 0.17 (0.166 rounded half up) = 1.00
        self.assertEqual(self.balance(R), (D("0.00"), D("1.00")))
        self.err("CreateHIT", {**self._body(), "Reward": "0.01"}, R, 402, "InsufficientFunds")
        self.assertEqual(self.ok("ListHITs", {}, R)["NumResults"], 1)

    @staticmethod
    def _body():
        from harness import hit_body
        return hit_body()

    def test_failed_create_does_not_use_up_its_token(self):
        rq = self.srv.requester("R", deposit="0.50")
        R = rq["token"]
        from harness import hit_body
        body = hit_body(UniqueRequestToken="tok-1")
        self.err("CreateHIT", body, R, 402, "InsufficientFunds")
        self.srv.deposit(rq["id"], "0.10")
        hit = self.ok("CreateHIT", body, R)["HIT"]
        self.assertEqual(self.balance(R), (D("0.00"), D("0.60")))
        e = self.err("CreateHIT", body, R, 409, "HitAlreadyExists")
        self.assertIn(hit["HITId"], e["message"])

    def test_unique_request_token(self):
        rq = self.srv.requester("R", deposit="10.00")
        R = rq["token"]
        from harness import hit_body
        body = hit_body(MaxAssignments=3, UniqueRequestToken="batch-7-row-1")
        first = self.ok("CreateHIT", body, R)["HIT"]
        self.assertEqual(self.balance(R), (D("8.20"), D("1.80")))
        e = self.err("CreateHIT", body, R, 409, "HitAlreadyExists")
        self.assertIn(first["HITId"], e["message"])
        # Also with another HIT type: the token is the requester's.
        e = self.err("CreateHIT", {**body, "Title": "different"}, R, 409, "HitAlreadyExists")
        self.assertIn(first["HITId"], e["message"])
        hits = self.ok("ListHITs", {}, R)
        self.assertEqual(hits["NumResults"], 1)
        self.assertEqual(hits["HITs"][0]["HITId"], first["HITId"])
        self.assertEqual(self.balance(R), (D("8.20"), D("1.80")))
        # Another requester may use the same token.
        other = self.srv.requester("R2", deposit="1.00")
        self.ok("CreateHIT", hit_body(UniqueRequestToken="batch-7-row-1"), other["token"])
        self.assertEqual(self.balance(other["token"]), (D("0.40"), D("0.60")))


class Expiry(E2E):
    def test_expire_extend_delete(self):
        rq = self.srv.requester("R", deposit="10.00")
        w1, w2 = self.srv.worker("w1"), self.srv.worker("w2")
        R = rq["token"]
        hit = self.create_hit(R, MaxAssignments=3)  # 3 * 0.60 = 1.80
        hid = hit["HITId"]
        self.assertEqual(self.balance(R), (D("8.20"), D("1.80")))
        # An Assignable HIT cannot be deleted.
        self.err("DeleteHIT", {"HITId": hid}, R, 409, "InvalidHITState")

        a1 = self.accept(w1["token"], hit_id=hid)["AssignmentId"]
        self.submit(w1["token"], a1)

        # ExpireAt 0: expire now. The two free slots' escrow goes back.
        self.ok("UpdateExpirationForHIT", {"HITId": hid, "ExpireAt": 0}, R)
        self.assertEqual(self.balance(R), (D("9.40"), D("0.60")))
        h = self.get_hit(hid, R)
        self.assertEqual(h["HITStatus"], "Reviewable")
        self.assertEqual(h["NumberOfAssignmentsAvailable"], 0)
        self.assertLessEqual(h["Expiration"], int(time.time()) + 1)
        self.err("AcceptWork", {"HITId": hid}, w2["token"], 409, "NoWorkAvailable")
        self.err("AcceptWork", {"HITTypeId": hit["HITTypeId"]}, w2["token"], 404,
                 "NoWorkAvailable")
        work = self.ok("ListAvailableWork", {}, w2["token"])["HITTypes"]
        self.assertEqual([t for t in work if t["HITTypeId"] == hit["HITTypeId"]], [])
        # Expiring again is harmless and releases nothing twice.
        self.ok("UpdateExpirationForHIT", {"HITId": hid, "ExpireAt": 0}, R)
        self.assertEqual(self.balance(R), (D("9.40"), D("0.60")))
        # A submitted, unreviewed assignment blocks deletion.
        self.err("DeleteHIT", {"HITId": hid}, R, 409, "InvalidHITState")

        # Extend into the future: the free slots are reserved again.
        self.ok("UpdateExpirationForHIT", {"HITId": hid, "ExpireAt": int(time.time()) + 3600}, R)
        self.assertEqual(self.balance(R), (D("8.20"), D("1.80")))
        self.assertEqual(self.counters(hid, R), ("Assignable", 0, 2, 0))
        a2 = self.accept(w2["token"], hit_id=hid)["AssignmentId"]

        # Expire with work pending: Unassignable, the pending slot stays held.
        self.ok("UpdateExpirationForHIT", {"HITId": hid, "ExpireAt": 0}, R)
        self.assertEqual(self.balance(R), (D("8.80"), D("1.20")))
        self.assertEqual(self.counters(hid, R), ("Unassignable", 1, 0, 0))
        # The pending worker returns it: its slot's money goes back, not to a free slot.
        self.ok("ReturnAssignment", {"AssignmentId": a2}, w2["token"])
        self.assertEqual(self.balance(R), (D("9.40"), D("0.60")))
        self.assertEqual(self.counters(hid, R), ("Reviewable", 0, 0, 0))

        self.ok("ApproveAssignment", {"AssignmentId": a1}, R)
        self.assertEqual(self.balance(R), (D("9.40"), D("0.00")))
        self.assertEqual(self.earnings(w1["token"]), D("0.50"))

        self.ok("DeleteHIT", {"HITId": hid}, R)
        self.err("GetHIT", {"HITId": hid}, R, 404, "HITDoesNotExist")
        self.err("DeleteHIT", {"HITId": hid}, R, 404)
        self.err("UpdateExpirationForHIT", {"HITId": hid, "ExpireAt": int(time.time()) + 60},
                 R, 404)
        self.err("AcceptWork", {"HITId": hid}, w2["token"], 404)
        self.assertEqual(self.ok("ListHITs", {}, R)["NumResults"], 0)
        self.assertEqual(self.balance(R), (D("9.40"), D("0.00")))

    def test_extend_limits(self):
        rq = self.srv.requester("R", deposit="10.00")
        R = rq["token"]
        hid = self.create_hit(R)["HITId"]
        self.err("UpdateExpirationForHIT",
                 {"HITId": hid, "ExpireAt": int(time.time()) + 400 * 86400}, R, 400)
        self.err("UpdateExpirationForHIT", {"HITId": hid, "ExpireAt": -5}, R, 400)
        self.err("UpdateExpirationForHIT", {"HITId": hid, "ExpireAt": "soon"}, R, 400)
        self.assertEqual(self.counters(hid, R), ("Assignable", 0, 1, 0))
        self.assertEqual(self.balance(R), (D("9.40"), D("0.60")))

    def test_extend_expired_hit_needs_funds(self):
        rq = self.srv.requester("R", deposit="0.60")
        R = rq["token"]
        hid = self.create_hit(R)["HITId"]
        self.ok("UpdateExpirationForHIT", {"HITId": hid, "ExpireAt": 0}, R)
        self.assertEqual(self.balance(R), (D("0.60"), D("0.00")))
        self.create_hit(R, Title="other")
        self.err("UpdateExpirationForHIT", {"HITId": hid, "ExpireAt": int(time.time()) + 600},
                 R, 402, "InsufficientFunds")
        self.assertEqual(self.balance(R), (D("0.00"), D("0.60")))
        self.assertEqual(self.get_hit(hid, R)["HITStatus"], "Reviewable")


    def test_add_assignments_to_expired_hit_then_extend(self):
        rq = self.srv.requester("R", deposit="10.00")
        R = rq["token"]
        hid = self.create_hit(R)["HITId"]
        self.ok("UpdateExpirationForHIT", {"HITId": hid, "ExpireAt": 0}, R)
        self.assertEqual(self.balance(R), (D("10.00"), D("0.00")))
        self.ok("CreateAdditionalAssignmentsForHIT",
                {"HITId": hid, "NumberOfAdditionalAssignments": 2}, R)
        # Nothing can be taken while it is expired, so nothing is held.
        self.assertEqual(self.balance(R), (D("10.00"), D("0.00")))
        h = self.get_hit(hid, R)
        self.assertEqual((h["MaxAssignments"], h["HITStatus"]), (3, "Reviewable"))
        self.ok("UpdateExpirationForHIT", {"HITId": hid, "ExpireAt": int(time.time()) + 600}, R)
        self.assertEqual(self.balance(R), (D("8.20"), D("1.80")))
        self.assertEqual(self.counters(hid, R), ("Assignable", 0, 3, 0))


class AutoApproval(E2E):
    def test_sweep_auto_approves_and_pays(self):
        rq = self.srv.requester("R", deposit="10.00")
        w = self.srv.worker("w")
        R = rq["token"]
        hit = self.create_hit(R, Reward="1.00", AutoApprovalDelayInSeconds=0)
        self.assertEqual(hit["AutoApprovalDelayInSeconds"], 0)
        aid = self.accept(w["token"], hit_id=hit["HITId"])["AssignmentId"]
        self.submit(w["token"], aid)
        deadline = time.time() + 10
        status = None
        while time.time() < deadline:
            status = self.ok("GetAssignment", {"AssignmentId": aid}, R)["Assignment"][
                "AssignmentStatus"]
            if status == "Approved":
                break
            time.sleep(0.2)
        self.assertEqual(status, "Approved", "the sweep did not auto-approve within 10 s")
        self.assertEqual(self.earnings(w["token"]), D("1.00"))
        self.assertEqual(self.balance(R), (D("8.80"), D("0.00")))
        self.assertEqual(self.counters(hit["HITId"], R), ("Reviewable", 0, 0, 1))
        # The requester's approval afterwards is a no-op.
        self.ok("ApproveAssignment", {"AssignmentId": aid}, R)
        self.assertEqual(self.earnings(w["token"]), D("1.00"))

    def test_default_delay_does_not_auto_approve(self):
        rq = self.srv.requester("R", deposit="10.00")
        w = self.srv.worker("w")
        R = rq["token"]
        hit = self.create_hit(R)
        aid = self.accept(w["token"], hit_id=hit["HITId"])["AssignmentId"]
        self.submit(w["token"], aid)
        a = self.ok("GetAssignment", {"AssignmentId": aid}, R)["Assignment"]
        self.assertEqual(a["AutoApprovalTime"] - a["SubmitTime"], 2592000)
        time.sleep(2.5)  # two sweeps
        a = self.ok("GetAssignment", {"AssignmentId": aid}, R)["Assignment"]
        self.assertEqual(a["AssignmentStatus"], "Submitted")
        self.assertEqual(self.earnings(w["token"]), D("0.00"))


class AdditionalAssignments(E2E):
    def test_more_assignments_reserve_more(self):
        rq = self.srv.requester("R", deposit="3.00")
        w1, w2 = self.srv.worker("w1"), self.srv.worker("w2")
        R = rq["token"]
        hit = self.create_hit(R)
        hid = hit["HITId"]
        self.accept(w1["token"], hit_id=hid)
        self.assertEqual(self.counters(hid, R), ("Unassignable", 1, 0, 0))
        self.ok("CreateAdditionalAssignmentsForHIT",
                {"HITId": hid, "NumberOfAdditionalAssignments": 2}, R)
        self.assertEqual(self.balance(R), (D("1.20"), D("1.80")))
        h = self.get_hit(hid, R)
        self.assertEqual(h["MaxAssignments"], 3)
        self.assertEqual(h["NumberOfAssignmentsAvailable"], 2)
        self.assertEqual(h["HITStatus"], "Assignable")
        self.accept(w2["token"], hit_id=hid)
        self.assertEqual(self.counters(hid, R), ("Assignable", 2, 1, 0))

        self.err("CreateAdditionalAssignmentsForHIT",
                 {"HITId": hid, "NumberOfAdditionalAssignments": 0}, R, 400)
        self.err("CreateAdditionalAssignmentsForHIT",
                 {"HITId": hid, "NumberOfAdditionalAssignments": "2"}, R, 400)
        # 3 * 0.60 = 1.80 > 1.20
        self.err("CreateAdditionalAssignmentsForHIT",
                 {"HITId": hid, "NumberOfAdditionalAssignments": 3}, R, 402, "InsufficientFunds")
        self.assertEqual(self.balance(R), (D("1.20"), D("1.80")))
        self.assertEqual(self.get_hit(hid, R)["MaxAssignments"], 3)

        body = {"HITId": hid, "NumberOfAdditionalAssignments": 1, "UniqueRequestToken": "more-1"}
        self.ok("CreateAdditionalAssignmentsForHIT", body, R)
        self.err("CreateAdditionalAssignmentsForHIT", body, R, 409)
        self.assertEqual(self.get_hit(hid, R)["MaxAssignments"], 4)
        self.assertEqual(self.balance(R), (D("0.60"), D("2.40")))


class Bonus(E2E):
    def test_send_bonus(self):
        rq = self.srv.requester("R", deposit="10.00")
        w, other = self.srv.worker("w"), self.srv.worker("other")
        R = rq["token"]
        hit = self.create_hit(R, MaxAssignments=2)
        hid = hit["HITId"]
        aid = self.accept(w["token"], hit_id=hid)["AssignmentId"]
        oid = self.accept(other["token"], hit_id=hid)["AssignmentId"]
        self.submit(w["token"], aid)
        self.submit(other["token"], oid)
        self.ok("ApproveAssignment", {"AssignmentId": aid}, R)
        self.assertEqual(self.balance(R), (D("8.80"), D("0.60")))
        rows = {a["AssignmentId"]: a["WorkerId"]
                for a in self.ok("ListAssignmentsForHIT", {"HITId": hid}, R)["Assignments"]}
        pseud, other_pseud = rows[aid], rows[oid]

        bonus = {"WorkerId": pseud, "BonusAmount": "1.00", "AssignmentId": aid,
                 "Reason": "great work"}
        self.ok("SendBonus", bonus, R)
        # 1.00 + 0.20 fee
        self.assertEqual(self.balance(R), (D("7.60"), D("0.60")))
        e = self.ok("GetMyEarnings", {}, w["token"])
        self.assertEqual(D(e["Balance"]), D("1.50"))
        self.assertEqual(D(e["Bonuses"]), D("1.00"))

        lst = self.ok("ListBonusPayments", {"HITId": hid}, R)
        self.assertEqual(lst["NumResults"], 1)
        b = lst["BonusPayments"][0]
        self.assertEqual((b["WorkerId"], b["BonusAmount"], b["AssignmentId"], b["Reason"]),
                         (pseud, "1.00", aid, "great work"))
        self.assertEqual(self.ok("ListBonusPayments", {"AssignmentId": aid}, R)["NumResults"], 1)
        self.assertEqual(self.ok("ListBonusPayments", {"AssignmentId": oid}, R)["NumResults"], 0)

        # Wrong WorkerId: the numeric id, another worker's pseudonym, nonsense.
        for wrong in (str(w["id"]), other_pseud, "A0000000000000", ""):
            self.err("SendBonus", {**bonus, "WorkerId": wrong}, R, 400)
        self.err("SendBonus", {**bonus, "BonusAmount": "0.00"}, R, 400)
        self.err("SendBonus", {**bonus, "BonusAmount": 1}, R, 400)
        self.err("SendBonus", {**bonus, "Reason": ""}, R, 400)
        self.err("SendBonus", {**bonus, "BonusAmount": "100.00"}, R, 402, "InsufficientFunds")
        self.assertEqual(self.balance(R), (D("7.60"), D("0.60")))
        self.assertEqual(self.earnings(w["token"]), D("1.50"))
        self.assertEqual(self.earnings(other["token"]), D("0.00"))
        self.assertEqual(self.ok("ListBonusPayments", {"HITId": hid}, R)["NumResults"], 1)

        # A bonus on a Submitted (not yet reviewed) assignment is allowed too; with a token,
        # only once.
        ob = {"WorkerId": other_pseud, "BonusAmount": "0.05", "AssignmentId": oid,
              "Reason": "thanks", "UniqueRequestToken": "b-1"}
        self.ok("SendBonus", ob, R)
        self.err("SendBonus", ob, R, 409)
        self.assertEqual(self.earnings(other["token"]), D("0.05"))
        self.assertEqual(self.balance(R), (D("7.54"), D("0.60")))
        self.assertEqual(self.ok("ListBonusPayments", {"HITId": hid}, R)["NumResults"], 2)

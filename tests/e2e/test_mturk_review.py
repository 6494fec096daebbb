"""Review policies through the MTurk door with the real boto3: ScoreMyKnownAnswers/2011-09-01
scores each submission against an answer key and approves, rejects (with its reason) or
extends; SimplePlurality/2011-09-01 finds the agreed answers when the HIT becomes
Reviewable. Work is done through the native worker operations; money is checked to the
cent, and `tessera admin check` runs after every test (harness)."""
import datetime
import unittest

from decimal import Decimal as D

from harness import SAMPLE_QUESTION, free_port
from mturk_case import MTurkCase

KNOWN = "ScoreMyKnownAnswers/2011-09-01"
PLURALITY = "SimplePlurality/2011-09-01"


def param(key, *values):
    return {"Key": key, "Values": [str(v) for v in values]}


def answer_key(**answers):
    return {"Key": "AnswerKey",
            "MapEntries": [{"Key": q, "Values": [a]} for q, a in answers.items()]}


class ReviewPolicies(MTurkCase):
    def hit(self, max_assignments, **kw):
        return self.mt.create_hit(
            Title="Name the colour", Description="Say what you see", Reward="0.10",
            AssignmentDurationInSeconds=600, LifetimeInSeconds=3600,
            MaxAssignments=max_assignments, Question=SAMPLE_QUESTION, **kw)["HIT"]

    def work(self, hit_id, name, answers):
        w = self.srv.worker(name)
        a = self.accept(w["token"], hit_id=hit_id)
        self.submit(w["token"], a["AssignmentId"], answers)
        return w, a["AssignmentId"]

    def status(self, asg_id):
        return self.mt.get_assignment(AssignmentId=asg_id)["Assignment"]["AssignmentStatus"]

    def report(self, hit_id, **kw):
        return self.mt.list_review_policy_results_for_hit(HITId=hit_id, MaxResults=100, **kw)

    @staticmethod
    def results(report, subject=None, key=None):
        return [(r["SubjectId"], r.get("QuestionId"), r["Key"], r["Value"])
                for r in report.get("ReviewResults", [])
                if (subject is None or r["SubjectId"] == subject)
                and (key is None or r["Key"] == key)]

    @staticmethod
    def actions(report, name=None):
        return [(a["ActionName"], a["TargetId"], a["TargetType"], a["Status"])
                for a in report.get("ReviewActions", [])
                if name is None or a["ActionName"] == name]

    def balances(self):
        b = self.mt.get_account_balance()
        return D(b["AvailableBalance"]), D(b["OnHoldBalance"])

    def test_known_answers_approve_reject_extend(self):
        mt = self.mt
        hid = self.hit(2, AssignmentReviewPolicy={"PolicyName": KNOWN, "Parameters": [
            answer_key(color="blue", shape="round"),
            param("ApproveIfKnownAnswerScoreIsAtLeast", 100),
            param("ApproveReason", "all known answers right"),
            param("RejectIfKnownAnswerScoreIsLessThan", 50),
            param("RejectReason", "the known answers were wrong"),
            param("ExtendIfKnownAnswerScoreIsLessThan", 100),
            param("ExtendMaximumAssignments", 3),
            param("ExtendMinimumTimeInSeconds", 7200)]})["HITId"]
        cost = D("0.12")  # reward 0.10 + 20% fee
        self.assertEqual(self.balances(), (D("50.00") - 2 * cost, 2 * cost))

        # Right on both (surrounding white space does not count): approved and paid.
        w1, a1 = self.work(hid, "w1", {"color": " blue\n", "shape": "round", "note": "x"})
        self.assertEqual(self.status(a1), "Approved")
        self.assertEqual(self.earnings(w1["token"]), D("0.10"))
        got = mt.get_assignment(AssignmentId=a1)["Assignment"]
        self.assertEqual(got["RequesterFeedback"], "all known answers right")

        # Wrong on both: rejected with the reason, and the HIT gets one more assignment
        # (held in escrow) that stays open at least ExtendMinimumTimeInSeconds.
        before = mt.get_hit(HITId=hid)["HIT"]["Expiration"]
        w2, a2 = self.work(hid, "w2", {"color": "Blue", "shape": "square"})
        self.assertEqual(self.status(a2), "Rejected")
        self.assertEqual(mt.get_assignment(AssignmentId=a2)["Assignment"]["RequesterFeedback"],
                         "the known answers were wrong")
        hit = mt.get_hit(HITId=hid)["HIT"]
        self.assertEqual(hit["MaxAssignments"], 3)
        self.assertEqual(hit["HITStatus"], "Assignable")
        self.assertGreater(hit["Expiration"], before)
        self.assertEqual(self.earnings(w2["token"]), D("0"))
        mine = self.ok("ListMyAssignments", {}, w2["token"])["Assignments"]
        self.assertEqual(mine[0]["RequesterFeedback"], "the known answers were wrong")

        # Half right: neither approved nor rejected; the extension stops at its maximum.
        w3, a3 = self.work(hid, "w3", {"color": "blue"})
        self.assertEqual(self.status(a3), "Submitted")
        self.assertEqual(mt.get_hit(HITId=hid)["HIT"]["MaxAssignments"], 3)
        # Created 2 slots, added 1; the rejected slot came back, the approved one was paid,
        # the submitted one is still held.
        self.assertEqual(self.balances(), (D("50.00") - 2 * cost, cost))

        rep = self.report(hid)
        self.assertEqual(rep["HITId"], hid)
        self.assertEqual(rep["AssignmentReviewPolicy"]["PolicyName"], KNOWN)
        self.assertNotIn("HITReviewPolicy", rep)
        ar = rep["AssignmentReviewReport"]
        self.assertEqual(self.results(ar, key="KnownAnswerScore"),
                         [(a1, None, "KnownAnswerScore", "100"),
                          (a2, None, "KnownAnswerScore", "0"),
                          (a3, None, "KnownAnswerScore", "50")])
        self.assertEqual(sorted(self.results(ar, subject=a3, key="KnownAnswerCorrect")),
                         [(a3, "color", "KnownAnswerCorrect", "1"),
                          (a3, "shape", "KnownAnswerCorrect", "0")])
        self.assertEqual(self.actions(ar, "approve"), [("approve", a1, "Assignment", "Succeeded")])
        self.assertEqual(self.actions(ar, "reject"), [("reject", a2, "Assignment", "Succeeded")])
        self.assertEqual(self.actions(ar, "extend"), [("extend", hid, "HIT", "Succeeded"),
                                                      ("extend", hid, "HIT", "Succeeded")])
        self.assertEqual(len(self.actions(ar, "review")), 3)
        for a in ar["ReviewActions"]:
            self.assertIsInstance(a["CompleteTime"], datetime.datetime)
            self.assertTrue(a["ActionId"])
        review_ids = {a["ActionId"] for a in ar["ReviewActions"] if a["ActionName"] == "review"}
        self.assertEqual({r["ActionId"] for r in ar["ReviewResults"]}, review_ids)
        self.assertEqual(rep["HITReviewReport"], {"ReviewResults": [], "ReviewActions": []})
        # Subjects and targets are the HIT and its assignments: never a worker.
        ids = {hid, a1, a2, a3}
        self.assertTrue({r["SubjectId"] for r in ar["ReviewResults"]} <= ids)
        self.assertTrue({a["TargetId"] for a in ar["ReviewActions"]} <= ids)

        # A policy's rejection stays appealable: the requester can override it.
        mt.approve_assignment(AssignmentId=a2, OverrideRejection=True)
        self.assertEqual(self.earnings(w2["token"]), D("0.10"))
        self.assertEqual(self.balances(), (D("50.00") - 3 * cost, cost))

    def test_known_answers_blank_key_and_failed_action(self):
        mt = self.mt
        # An empty Values list: the question must be left blank. Extending needs money the
        # requester no longer has, so that action fails and changes nothing.
        rq = self.srv.requester("Small Lab", deposit="0.24")
        small = self.client_for(rq)
        hid = small.create_hit(
            Title="t", Description="d", Reward="0.10", AssignmentDurationInSeconds=600,
            LifetimeInSeconds=3600, MaxAssignments=2, Question=SAMPLE_QUESTION,
            AssignmentReviewPolicy={"PolicyName": KNOWN, "Parameters": [
                {"Key": "AnswerKey", "MapEntries": [{"Key": "trap", "Values": []},
                                                    {"Key": "label", "Values": ["cat"]}]},
                param("ExtendIfKnownAnswerScoreIsLessThan", 101)]})["HIT"]["HITId"]
        _, a1 = self.work(hid, "w1", {"label": "cat", "trap": "  "})
        rep = small.list_review_policy_results_for_hit(HITId=hid)
        ar = rep["AssignmentReviewReport"]
        self.assertEqual(self.results(ar, key="KnownAnswerScore"),
                         [(a1, None, "KnownAnswerScore", "100")])
        ext = [a for a in ar["ReviewActions"] if a["ActionName"] == "extend"]
        self.assertEqual(len(ext), 1)
        self.assertEqual(ext[0]["Status"], "Failed")
        self.assertEqual(ext[0]["ErrorCode"], "AWS.MechanicalTurk.InsufficientFunds")
        self.assertEqual(small.get_hit(HITId=hid)["HIT"]["MaxAssignments"], 2)
        self.assertEqual(small.get_assignment(AssignmentId=a1)["Assignment"]
                         ["AssignmentStatus"], "Submitted")
        # The owner alone sees the results.
        err = self.error_of(mt.list_review_policy_results_for_hit, HITId=hid)
        self.assertEqual(err["TurkErrorCode"], "AWS.MechanicalTurk.HITDoesNotExist")

    def plurality_policy(self, **extra):
        params = [param("QuestionIds", "color", "size"),
                  param("QuestionAgreementThreshold", 50),
                  param("DisregardAssignmentIfRejected", "true"),
                  param("ApproveIfWorkerAgreementScoreIsAtLeast", 100),
                  param("RejectIfWorkerAgreementScoreIsLessThan", 50),
                  param("RejectReason", "your answers disagreed with the other workers'")]
        params += [param(k, v) for k, v in extra.items()]
        return {"PolicyName": PLURALITY, "Parameters": params}

    def test_plurality_when_reviewable(self):
        mt = self.mt
        hid = self.hit(3, HITReviewPolicy=self.plurality_policy())["HITId"]
        w1, a1 = self.work(hid, "w1", {"color": "blue", "size": "large"})
        w2, a2 = self.work(hid, "w2", {"color": "blue ", "size": "small"})
        # Not Reviewable yet: the policy has not run.
        rep = self.report(hid)
        self.assertEqual(rep["HITReviewPolicy"]["PolicyName"], PLURALITY)
        self.assertEqual(rep["HITReviewReport"], {"ReviewResults": [], "ReviewActions": []})
        w3, a3 = self.work(hid, "w3", {"color": "green", "size": "large"})
        self.assertEqual(mt.get_hit(HITId=hid)["HIT"]["HITStatus"], "Reviewable")
        hr = self.report(hid)["HITReviewReport"]
        q = {(r[1], r[2]): r[3] for r in self.results(hr, subject=hid)}
        self.assertEqual(q[("color", "AgreedAnswerFound")], "true")
        self.assertEqual(q[("color", "AgreedAnswer")], "blue")
        self.assertEqual(q[("color", "AnswerAgreementScore")], "66")
        self.assertEqual(q[("size", "AgreedAnswer")], "large")
        self.assertEqual(q[(None, "HitAgreementScore")], "100")
        scores = {r[0]: r[3] for r in self.results(hr, key="WorkerAgreementScore")}
        self.assertEqual(scores, {a1: "100", a2: "50", a3: "50"})
        self.assertEqual(self.results(hr, subject=a2, key="PluralityAnswersIncorrect"),
                         [(a2, None, "PluralityAnswersIncorrect", "1")])
        self.assertEqual(self.actions(hr, "approve"), [("approve", a1, "Assignment", "Succeeded")])
        self.assertEqual(self.actions(hr, "reject"), [])
        self.assertEqual(self.actions(hr, "extend"), [])
        self.assertEqual([self.status(a) for a in (a1, a2, a3)],
                         ["Approved", "Submitted", "Submitted"])
        self.assertEqual(self.earnings(w1["token"]), D("0.10"))
        self.assertEqual(self.balances(), (D("50.00") - 3 * D("0.12"), 2 * D("0.12")))
        # Reading again does not run the policy again.
        self.assertEqual(self.report(hid)["HITReviewReport"], hr)

    def test_plurality_extends_then_decides(self):
        mt = self.mt
        hid = self.hit(2, HITReviewPolicy=self.plurality_policy(
            ExtendIfHITAgreementScoreIsLessThan=100, ExtendMaximumAssignments=3,
            ExtendMinimumTimeInSeconds=600))["HITId"]
        _, a1 = self.work(hid, "w1", {"color": "red", "size": "big"})
        w2, a2 = self.work(hid, "w2", {"color": "blue", "size": "big"})
        # color is tied (no plurality), size agreed: HIT agreement 50 < 100, so one more
        # assignment is added and the HIT is Assignable again.
        hit = mt.get_hit(HITId=hid)["HIT"]
        self.assertEqual((hit["MaxAssignments"], hit["HITStatus"]), (3, "Assignable"))
        hr = self.report(hid)["HITReviewReport"]
        self.assertIn((hid, "color", "AgreedAnswerFound", "false"), self.results(hr))
        self.assertIn((hid, None, "HitAgreementScore", "50"), self.results(hr))
        self.assertEqual(self.actions(hr, "extend"), [("extend", hid, "HIT", "Succeeded")])
        # The workers' scores rest on size alone: both agreed, both approved.
        self.assertEqual([self.status(a) for a in (a1, a2)], ["Approved", "Approved"])
        _, a3 = self.work(hid, "w3", {"color": "red", "size": "small"})
        hr = self.report(hid)["HITReviewReport"]
        self.assertEqual(len(self.actions(hr, "review")), 2)  # it ran again
        self.assertEqual(self.results(hr, key="HitAgreementScore")[-1][3], "100")
        # Second run: color agreed "red", size agreed "big". a3 has 1 of 2: 50, neither
        # approved nor rejected; a2 (1 of 2) was approved already and stays so.
        scores = {r[0]: r[3] for r in self.results(hr, key="WorkerAgreementScore")[-3:]}
        self.assertEqual(scores, {a1: "100", a2: "50", a3: "50"})
        self.assertEqual(self.status(a3), "Submitted")
        self.assertEqual(mt.get_hit(HITId=hid)["HIT"]["HITStatus"], "Reviewable")
        self.assertEqual(self.balances(), (D("50.00") - 3 * D("0.12"), D("0.12")))

    def test_plurality_rejects_and_disregards(self):
        mt = self.mt
        # The known-answer policy rejects w3; the plurality then disregards that assignment
        # (DisregardAssignmentIfRejected) and rejects the one that disagreed.
        hid = self.hit(4, AssignmentReviewPolicy={"PolicyName": KNOWN, "Parameters": [
            answer_key(gold="yes"), param("RejectIfKnownAnswerScoreIsLessThan", 100),
            param("RejectReason", "the check question was wrong")]},
            HITReviewPolicy=self.plurality_policy())["HITId"]
        w1, a1 = self.work(hid, "w1", {"gold": "yes", "color": "red", "size": "s"})
        w2, a2 = self.work(hid, "w2", {"gold": "yes", "color": "red", "size": "s"})
        w3, a3 = self.work(hid, "w3", {"gold": "no", "color": "blue", "size": "m"})
        w4, a4 = self.work(hid, "w4", {"gold": "yes", "color": "blue", "size": "m"})
        hr = self.report(hid, PolicyLevels=["HIT"])
        self.assertNotIn("AssignmentReviewReport", hr)
        self.assertNotIn("AssignmentReviewPolicy", hr)
        hr = hr["HITReviewReport"]
        self.assertIn((hid, "color", "AgreedAnswer", "red"), self.results(hr))
        self.assertIn((hid, "color", "AnswerAgreementScore", "66"), self.results(hr))
        subjects = {r[0] for r in self.results(hr)}
        self.assertNotIn(a3, subjects)
        self.assertEqual(sorted(self.actions(hr, "approve")),
                         sorted([("approve", a1, "Assignment", "Succeeded"),
                                 ("approve", a2, "Assignment", "Succeeded")]))
        self.assertEqual(self.actions(hr, "reject"), [("reject", a4, "Assignment", "Succeeded")])
        self.assertEqual([self.status(a) for a in (a1, a2, a3, a4)],
                         ["Approved", "Approved", "Rejected", "Rejected"])
        self.assertEqual(mt.get_assignment(AssignmentId=a4)["Assignment"]["RequesterFeedback"],
                         "your answers disagreed with the other workers'")
        self.assertEqual(self.balances(), (D("50.00") - 2 * D("0.12"), D("0")))

    def test_plurality_on_expiry(self):
        mt = self.mt
        hid = self.hit(3, HITReviewPolicy=self.plurality_policy())["HITId"]
        _, a1 = self.work(hid, "w1", {"color": "red", "size": "s"})
        _, a2 = self.work(hid, "w2", {"color": "red", "size": "s"})
        self.assertEqual(self.report(hid)["HITReviewReport"]["ReviewActions"], [])
        mt.update_expiration_for_hit(HITId=hid, ExpireAt=datetime.datetime(2015, 1, 1))
        self.assertEqual(mt.get_hit(HITId=hid)["HIT"]["HITStatus"], "Reviewable")
        hr = self.report(hid)["HITReviewReport"]
        self.assertEqual(self.actions(hr, "review"), [("review", hid, "HIT", "Succeeded")])
        self.assertEqual([self.status(a) for a in (a1, a2)], ["Approved", "Approved"])
        self.assertEqual(self.balances(), (D("50.00") - 2 * D("0.12"), D("0")))

    def test_plurality_when_the_last_pending_assignment_is_returned(self):
        mt = self.mt
        hid = self.hit(2, HITReviewPolicy=self.plurality_policy())["HITId"]
        _, a1 = self.work(hid, "w1", {"color": "red", "size": "s"})
        w2 = self.srv.worker("w2")
        a2 = self.accept(w2["token"], hit_id=hid)["AssignmentId"]
        mt.update_expiration_for_hit(HITId=hid, ExpireAt=datetime.datetime(2015, 1, 1))
        # Expired, but w2 still holds an assignment: not Reviewable, nothing run.
        self.assertEqual(mt.get_hit(HITId=hid)["HIT"]["HITStatus"], "Unassignable")
        self.assertEqual(self.report(hid)["HITReviewReport"]["ReviewActions"], [])
        self.ok("ReturnAssignment", {"AssignmentId": a2}, w2["token"])
        hr = self.report(hid)["HITReviewReport"]
        self.assertEqual(self.actions(hr, "review"), [("review", hid, "HIT", "Succeeded")])
        self.assertIn((hid, "color", "AgreedAnswer", "red"), self.results(hr))
        self.assertEqual(self.actions(hr, "approve"), [("approve", a1, "Assignment", "Succeeded")])
        self.assertEqual(self.balances(), (D("50.00") - D("0.12"), D("0")))

    def test_plurality_disregards_low_known_scores(self):
        hid = self.hit(3, AssignmentReviewPolicy={"PolicyName": KNOWN, "Parameters": [
            answer_key(gold="yes")]},
            HITReviewPolicy={"PolicyName": PLURALITY, "Parameters": [
                param("QuestionIds", "color"), param("QuestionAgreementThreshold", 60),
                param("DisregardAssignmentIfKnownAnswerScoreIsLessThan", 100)]})["HITId"]
        _, a1 = self.work(hid, "w1", {"gold": "yes", "color": "red"})
        _, a2 = self.work(hid, "w2", {"gold": "no", "color": "blue"})
        _, a3 = self.work(hid, "w3", {"gold": "no", "color": "blue"})
        hr = self.report(hid, PolicyLevels=["HIT"])["HITReviewReport"]
        # Counted alone, w1 agrees with itself: 100% on "red"; w2 and w3 take no part.
        self.assertIn((hid, "color", "AgreedAnswer", "red"), self.results(hr))
        self.assertIn((hid, "color", "AnswerAgreementScore", "100"), self.results(hr))
        self.assertEqual({r[0] for r in self.results(hr)} - {hid}, {a1})
        # No approve or reject parameters: everything stays Submitted, still held.
        self.assertEqual([self.status(a) for a in (a1, a2, a3)], ["Submitted"] * 3)
        self.assertEqual(self.balances(), (D("50.00") - 3 * D("0.12"), 3 * D("0.12")))

    def test_notifications_see_the_policy_act(self):
        mt = self.mt
        # Messages are queued in the transaction of the change; where they go (a closed
        # port here) does not matter for their order.
        tid = mt.create_hit_type(Title="Rate", Description="Rate one result", Reward="0.10",
                                 AssignmentDurationInSeconds=300)["HITTypeId"]
        mt.update_notification_settings(HITTypeId=tid, Active=True, Notification={
            "Destination": "http://127.0.0.1:%d/hook" % free_port(), "Transport": "HTTP",
            "Version": "2006-05-05",
            "EventTypes": ["AssignmentSubmitted", "HITReviewable", "AssignmentApproved",
                           "AssignmentRejected", "HITExtended"]})
        hid = mt.create_hit_with_hit_type(
            HITTypeId=tid, LifetimeInSeconds=600, MaxAssignments=2, Question=SAMPLE_QUESTION,
            HITReviewPolicy=self.plurality_policy())["HIT"]["HITId"]
        _, a1 = self.work(hid, "w1", {"color": "red", "size": "s"})
        _, a2 = self.work(hid, "w2", {"color": "red", "size": "m"})
        ds = self.ok("ListNotificationDeliveries", {"MaxResults": 100},
                     self.rq["token"])["Deliveries"]
        self.assertEqual([d["EventTypes"] for d in ds],
                         ["AssignmentSubmitted", "AssignmentSubmitted,HITReviewable",
                          "AssignmentApproved", "AssignmentApproved"])
        self.assertEqual([self.status(a) for a in (a1, a2)], ["Approved", "Approved"])

    def test_pagination_and_filters(self):
        mt = self.mt
        hid = self.hit(3, AssignmentReviewPolicy={"PolicyName": KNOWN, "Parameters": [
            answer_key(color="red", size="s"), param("ApproveIfKnownAnswerScoreIsAtLeast", 50)]},
            HITReviewPolicy=self.plurality_policy())["HITId"]
        for i, color in enumerate(("red", "red", "blue")):
            self.work(hid, "w%d" % i, {"color": color, "size": "s"})
        whole = self.report(hid)
        n_items = sum(len(whole[r][k]) for r in ("AssignmentReviewReport", "HITReviewReport")
                      for k in ("ReviewResults", "ReviewActions"))
        self.assertGreater(n_items, 12)
        self.assertNotIn("NextToken", whole)
        got = {r: {"ReviewResults": [], "ReviewActions": []}
               for r in ("AssignmentReviewReport", "HITReviewReport")}
        token, pages = None, 0
        while True:
            kw = {"NextToken": token} if token else {}
            page = mt.list_review_policy_results_for_hit(HITId=hid, MaxResults=5, **kw)
            pages += 1
            self.assertLessEqual(sum(len(page[r][k]) for r in got for k in got[r]), 5)
            for r in got:
                for k in got[r]:
                    got[r][k] += page[r][k]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(pages, (n_items + 4) // 5)
        for r in got:
            self.assertEqual(got[r], whole[r])
        only_results = mt.list_review_policy_results_for_hit(HITId=hid, RetrieveActions=False,
                                                            MaxResults=100)
        self.assertEqual(only_results["AssignmentReviewReport"],
                         {"ReviewResults": whole["AssignmentReviewReport"]["ReviewResults"]})
        only_actions = mt.list_review_policy_results_for_hit(
            HITId=hid, RetrieveResults=False, PolicyLevels=["Assignment"], MaxResults=100)
        self.assertEqual(only_actions["AssignmentReviewReport"],
                         {"ReviewActions": whole["AssignmentReviewReport"]["ReviewActions"]})
        self.assertNotIn("HITReviewReport", only_actions)
        self.assertEqual(only_actions["AssignmentReviewPolicy"]["Parameters"][0]["Key"],
                         "AnswerKey")
        err = self.error_of(mt.list_review_policy_results_for_hit, HITId=hid,
                            NextToken="garbage")
        self.assertEqual(err["Error"]["Code"], "ParameterValidationError")
        err = self.error_of(mt.list_review_policy_results_for_hit, HITId=hid,
                            PolicyLevels=["Worker"])
        self.assertEqual(err["Error"]["Code"], "ParameterValidationError")
        self.assertIn("PolicyLevels", err["Error"]["Message"])
        err = self.error_of(mt.list_review_policy_results_for_hit,
                            HITId="NOSUCHHIT0000000000000000000000")
        self.assertEqual(err["TurkErrorCode"], "AWS.MechanicalTurk.HITDoesNotExist")
        # A HIT without policies has empty reports.
        plain = self.hit(1)["HITId"]
        rep = mt.list_review_policy_results_for_hit(HITId=plain)
        self.assertEqual(rep["AssignmentReviewReport"], {"ReviewResults": [], "ReviewActions": []})
        self.assertNotIn("AssignmentReviewPolicy", rep)

    def test_with_hit_type(self):
        mt = self.mt
        tid = mt.create_hit_type(Title="Rate", Description="Rate one result", Reward="0.10",
                                 AssignmentDurationInSeconds=300)["HITTypeId"]
        hid = mt.create_hit_with_hit_type(
            HITTypeId=tid, LifetimeInSeconds=600, Question=SAMPLE_QUESTION,
            AssignmentReviewPolicy={"PolicyName": KNOWN, "Parameters": [
                answer_key(label="cat"), param("ApproveIfKnownAnswerScoreIsAtLeast", 100)]}
        )["HIT"]["HITId"]
        w, a = self.work(hid, "w1", {"label": "cat"})
        self.assertEqual(self.status(a), "Approved")
        self.assertEqual(self.earnings(w["token"]), D("0.10"))

    def test_validation_errors_change_nothing(self):
        mt = self.mt
        cases = [
            ({"AssignmentReviewPolicy": {"PolicyName": "ScoreMyKnownAnswers/2012-01-01"}},
             "unknown policy"),
            ({"HITReviewPolicy": {"PolicyName": KNOWN, "Parameters": [answer_key(a="b")]}},
             "give it as AssignmentReviewPolicy"),
            ({"AssignmentReviewPolicy": {"PolicyName": PLURALITY}},
             "give it as HITReviewPolicy"),
            ({"AssignmentReviewPolicy": {"PolicyName": KNOWN}}, "AnswerKey"),
            ({"AssignmentReviewPolicy": {"PolicyName": KNOWN, "Parameters": [
                answer_key(a="b"), param("ApproveIfScoreIsAtLeast", 5)]}},
             "no parameter \"ApproveIfScoreIsAtLeast\""),
            ({"AssignmentReviewPolicy": {"PolicyName": KNOWN, "Parameters": [
                answer_key(a="b"), param("ApproveIfKnownAnswerScoreIsAtLeast", 102)]}},
             "from 0 to 101"),
            ({"AssignmentReviewPolicy": {"PolicyName": KNOWN, "Parameters": [
                answer_key(a="b"), param("ExtendMaximumAssignments", 1)]}}, "from 2 to 25"),
            ({"AssignmentReviewPolicy": {"PolicyName": KNOWN, "Parameters": [
                answer_key(a="b"), param("ExtendMinimumTimeInSeconds", 60)]}},
             "from 3600 to 31536000"),
            ({"AssignmentReviewPolicy": {"PolicyName": KNOWN, "Parameters": [
                answer_key(a="b"), param("ApproveIfKnownAnswerScoreIsAtLeast", "high")]}},
             "whole number"),
            ({"AssignmentReviewPolicy": {"PolicyName": KNOWN, "Parameters": [
                answer_key(a="b"), param("RejectIfKnownAnswerScoreIsLessThan", 50)]}},
             "needs a RejectReason"),
            ({"AssignmentReviewPolicy": {"PolicyName": KNOWN, "Parameters": [
                answer_key(a="b"), param("RejectIfKnownAnswerScoreIsLessThan", 80),
                param("RejectReason", "r"), param("ApproveIfKnownAnswerScoreIsAtLeast", 60)]}},
             "may not be above"),
            ({"AssignmentReviewPolicy": {"PolicyName": KNOWN, "Parameters": [
                answer_key(a="b"), param("ApproveIfKnownAnswerScoreIsAtLeast", 5, 6)]}},
             "exactly one"),
            ({"AssignmentReviewPolicy": {"PolicyName": KNOWN, "Parameters": [
                answer_key(a="b"), param("RejectReason", "x"), param("RejectReason", "y")]}},
             "given twice"),
            ({"AssignmentReviewPolicy": {"PolicyName": KNOWN, "Parameters": [
                {"Key": "AnswerKey", "MapEntries": [{"Key": "a", "Values": ["b"]},
                                                    {"Key": "a", "Values": ["c"]}]}]}},
             "twice"),
            ({"AssignmentReviewPolicy": {"PolicyName": KNOWN, "Parameters": [
                {"Key": "AnswerKey", "MapEntries": [{"Key": "a", "Values": ["b", "c"]}]}]}},
             "one answer"),
            ({"AssignmentReviewPolicy": {"PolicyName": KNOWN, "Parameters": [
                param("AnswerKey", "a")]}}, "MapEntries"),
            ({"HITReviewPolicy": {"PolicyName": PLURALITY, "Parameters": [
                param("QuestionAgreementThreshold", 50)]}}, "QuestionIds"),
            ({"HITReviewPolicy": {"PolicyName": PLURALITY, "Parameters": [
                param("QuestionIds", "a")]}}, "QuestionAgreementThreshold"),
            ({"HITReviewPolicy": {"PolicyName": PLURALITY, "Parameters": [
                param("QuestionIds", "a"), param("QuestionAgreementThreshold", 50),
                param("ExtendIfHITAgreementScoreIsLessThan", 50)]}},
             "needs ExtendMaximumAssignments"),
            ({"HITReviewPolicy": {"PolicyName": PLURALITY, "Parameters": [
                param("QuestionIds", *["q%d" % i for i in range(16)]),
                param("QuestionAgreementThreshold", 50)]}}, "at most 15"),
            ({"HITReviewPolicy": {"PolicyName": PLURALITY, "Parameters": [
                param("QuestionIds", "a,,b"), param("QuestionAgreementThreshold", 50)]}},
             "empty"),
            ({"HITReviewPolicy": {"PolicyName": PLURALITY, "Parameters": [
                param("QuestionIds", "a"), param("QuestionAgreementThreshold", 50),
                param("DisregardAssignmentIfRejected", "maybe")]}}, "true or false"),
            ({"HITReviewPolicy": {"PolicyName": PLURALITY, "Parameters": [
                param("QuestionIds", "a"), param("QuestionAgreementThreshold", 101)]}},
             "from 0 to 100"),
            ({"HITReviewPolicy": {"PolicyName": PLURALITY, "Parameters": [
                param("QuestionIds", "a"), param("QuestionAgreementThreshold", 50),
                param("RejectIfWorkerAgreementScoreIsLessThan", 50)]}}, "needs a RejectReason"),
        ]
        for extra, words in cases:
            with self.subTest(words=words):
                err = self.error_of(mt.create_hit, Title="t", Description="d", Reward="0.10",
                                    AssignmentDurationInSeconds=60, LifetimeInSeconds=600,
                                    Question=SAMPLE_QUESTION, **extra)
                self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
                self.assertEqual(err["Error"]["Code"], "ParameterValidationError")
                self.assertIn(words, err["Error"]["Message"])
        self.assertEqual(mt.list_hits()["NumResults"], 0)
        self.assertEqual(self.balances(), (D("50.00"), D("0")))
        # The native door takes the same members and gives the same refusals.
        body = {"Title": "t", "Description": "d", "Reward": "0.10",
                "AssignmentDurationInSeconds": 60, "LifetimeInSeconds": 600,
                "Question": SAMPLE_QUESTION,
                "AssignmentReviewPolicy": {"PolicyName": KNOWN, "Parameters": [
                    answer_key(a="b"), param("Bogus", 1)]}}
        e = self.err("CreateHIT", body, self.rq["token"], 400, "ParameterValidationError")
        self.assertIn("Bogus", e["message"])
        self.assertEqual(mt.list_hits()["NumResults"], 0)


if __name__ == "__main__":
    unittest.main()

"""Qualification tests (Test, AnswerKey, TestDurationInSeconds, RetryDelayInSeconds) made
through the real boto3 and taken by workers through the native operations
GetQualificationTest and SubmitQualificationTest; and the system qualification types
Worker_Adult, Masters and Worker_Locale with subdivisions, enforced when work is found
and accepted."""
import time
import unittest

from harness import hit_body
from mturk_case import MTurkCase

NS_QF = ("http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/"
         "QuestionForm.xsd")
NS_AK = ("http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/"
         "AnswerKey.xsd")
ADULT = "00000000000000000060"
MASTERS = "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH"
MASTERS_SANDBOX = "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6"
LOCALE = "00000000000000000071"


def selection(qid, ids, max_sel=1):
    sels = "".join("<Selection><SelectionIdentifier>%s</SelectionIdentifier>"
                   "<Text>%s</Text></Selection>" % (i, i.upper()) for i in ids)
    return ("<Question><QuestionIdentifier>%s</QuestionIdentifier><IsRequired>true"
            "</IsRequired><QuestionContent><Text>Pick for %s</Text></QuestionContent>"
            "<AnswerSpecification><SelectionAnswer><MinSelectionCount>1</MinSelectionCount>"
            "<MaxSelectionCount>%d</MaxSelectionCount><Selections>%s</Selections>"
            "</SelectionAnswer></AnswerSpecification></Question>" % (qid, qid, max_sel, sels))


TEST = ('<QuestionForm xmlns="%s"><Overview><Title>Bird quiz</Title></Overview>%s%s'
        "<Question><QuestionIdentifier>why</QuestionIdentifier><QuestionContent><Text>Why?"
        "</Text></QuestionContent><AnswerSpecification><FreeTextAnswer/>"
        "</AnswerSpecification></Question></QuestionForm>"
        % (NS_QF, selection("q1", ["a", "b", "c"]), selection("q2", ["x", "y", "z"], 3)))

KEY_BODY = ("<Question><QuestionIdentifier>q1</QuestionIdentifier><AnswerOption>"
            "<SelectionIdentifier>a</SelectionIdentifier><AnswerScore>10</AnswerScore>"
            "</AnswerOption></Question>"
            "<Question><QuestionIdentifier>q2</QuestionIdentifier><AnswerOption>"
            "<SelectionIdentifier>x</SelectionIdentifier><SelectionIdentifier>y"
            "</SelectionIdentifier><AnswerScore>10</AnswerScore></AnswerOption><AnswerOption>"
            "<SelectionIdentifier>x</SelectionIdentifier><AnswerScore>5</AnswerScore>"
            "</AnswerOption><DefaultScore>0</DefaultScore></Question>")
KEY = ('<AnswerKey xmlns="%s">%s<QualificationValueMapping><PercentageMapping>'
       "<MaximumSummedScore>20</MaximumSummedScore></PercentageMapping>"
       "</QualificationValueMapping></AnswerKey>" % (NS_AK, KEY_BODY))


class QualificationTests(MTurkCase):
    def make_type(self, name="Bird quiz", **kw):
        args = dict(Name=name, Description="Knows birds", QualificationTypeStatus="Active",
                    Test=TEST, TestDurationInSeconds=600)
        args.update(kw)
        return self.mt.create_qualification_type(**args)["QualificationType"]

    def take(self, worker, qid, answers, status=200, code=None):
        self.ok("GetQualificationTest", {"QualificationTypeId": qid}, worker["token"])
        body = {"QualificationTypeId": qid, "Answers": answers}
        if status == 200:
            return self.ok("SubmitQualificationTest", body, worker["token"])
        return self.err("SubmitQualificationTest", body, worker["token"], status, code)

    def score_of(self, qid):
        """{WorkerId: IntegerValue} of the type's granted scores."""
        return {q["WorkerId"]: q["IntegerValue"] for q in
                self.mt.list_workers_with_qualification_type(
                    QualificationTypeId=qid, Status="Granted")["Qualifications"]}

    def test_scored_test_grants_the_mapped_value(self):
        qt = self.make_type(AnswerKey=KEY)
        qid = qt["QualificationTypeId"]
        self.assertEqual((qt["Test"], qt["AnswerKey"], qt["TestDurationInSeconds"]),
                         (TEST, KEY, 600))
        self.assertNotIn("RetryDelayInSeconds", qt)
        got = self.mt.get_qualification_type(QualificationTypeId=qid)["QualificationType"]
        self.assertEqual((got["Test"], got["AnswerKey"]), (TEST, KEY))

        ann, bob = self.srv.worker("ann"), self.srv.worker("bob")
        t = self.ok("GetQualificationTest", {"QualificationTypeId": qid}, ann["token"])
        self.assertEqual(t["Test"], TEST)
        self.assertEqual(t["TestDurationInSeconds"], 600)
        self.assertIn('name="q1"', t["TestHTML"])
        self.assertLessEqual(t["Deadline"], time.time() + 601)
        again = self.ok("GetQualificationTest", {"QualificationTypeId": qid}, ann["token"])
        self.assertEqual((again["QualificationRequestId"], again["Deadline"]),
                         (t["QualificationRequestId"], t["Deadline"]))
        # Answers that do not fit the form are refused and the test keeps running.
        e = self.err("SubmitQualificationTest", {"QualificationTypeId": qid,
                     "Answers": {"q1": "nope", "q2": ["x"]}}, ann["token"], 400,
                     "ParameterValidationError")
        self.assertIn("q1", e["message"])
        self.err("SubmitQualificationTest", {"QualificationTypeId": qid,
                 "Answers": {"q2": ["x"]}}, ann["token"], 400, "ParameterValidationError")
        self.err("SubmitQualificationTest", {"QualificationTypeId": qid, "Answers": ["a"]},
                 ann["token"], 400, "ParameterValidationError")
        res = self.ok("SubmitQualificationTest", {"QualificationTypeId": qid,
                      "Answers": {"q1": "a", "q2": ["x"], "why": "I like birds"}},
                      ann["token"])
        self.assertEqual((res["Status"], res["Score"], res["IntegerValue"]),
                         ("Granted", 15, 75))
        self.err("SubmitQualificationTest", {"QualificationTypeId": qid,
                 "Answers": {"q1": "a", "q2": ["x"]}}, ann["token"], 409, "NoTestInProgress")
        low = self.take(bob, qid, {"q1": "b", "q2": ["z"]})
        self.assertEqual((low["Score"], low["IntegerValue"]), (0, 0))
        scores = self.score_of(qid)
        self.assertEqual(sorted(scores.values()), [0, 75])
        ann_id = [w for w, v in scores.items() if v == 75][0]
        q = self.mt.get_qualification_score(QualificationTypeId=qid, WorkerId=ann_id)
        self.assertEqual((q["Qualification"]["IntegerValue"], q["Qualification"]["Status"]),
                         (75, "Granted"))
        # Scored requests are not waiting for the requester.
        self.assertEqual(self.mt.list_qualification_requests(
            QualificationTypeId=qid)["NumResults"], 0)
        # Without RetryDelayInSeconds a test is taken once.
        e = self.err("GetQualificationTest", {"QualificationTypeId": qid}, bob["token"], 409,
                     "AlreadyRequested")
        self.assertIn("once", e["message"])
        self.err("RequestQualification", {"QualificationTypeId": qid}, bob["token"], 409,
                 "QualificationTestRequired")
        # The score is a requirement like any other.
        hit = self.mt.create_hit(**self.hit_args([{"QualificationTypeId": qid,
                                                   "Comparator": "GreaterThanOrEqualTo",
                                                   "IntegerValues": [70]}]))["HIT"]
        self.accept(ann["token"], hit_id=hit["HITId"])
        self.err("AcceptWork", {"HITId": hit["HITId"]}, bob["token"], 403,
                 "QualificationNotMet")

    def hit_args(self, reqs):
        b = hit_body(QualificationRequirements=reqs, MaxAssignments=5)
        return b

    def test_taken_in_a_browser(self):
        """GetQualificationTest's TestURL shows the test to a browser, which posts it to
        TestURL/submit: the same scoring as SubmitQualificationTest, and the link is only
        good for that one running test."""
        qid = self.make_type(AnswerKey=KEY)["QualificationTypeId"]
        ann = self.srv.worker("ann")
        got = self.ok("GetQualificationTest", {"QualificationTypeId": qid}, ann["token"])
        url = got["TestURL"]
        self.assertRegex(url, r"^http://127\.0\.0\.1:\d+/q/[0-9A-Z]+\.[A-Za-z0-9_-]{43}$")
        code, hdrs, page = self.http("GET", url)
        self.assertEqual(code, 200, page[:300])
        self.assertIn("sandbox", hdrs["content-security-policy"])
        page = page.decode()
        self.assertIn('action="%s/submit"' % url, page)
        self.assertIn('name="q1" value="a"', page)
        # A tampered link shows nothing; an unknown answer is refused and the test goes on.
        bad = url[:-1] + ("A" if url[-1] != "A" else "B")
        self.assertEqual(self.http("GET", bad)[0], 403)
        code, _, page = self.http("GET", "/q/not-a-link")
        self.assertEqual(code, 403)
        self.assertEqual(page, self.http("GET", bad)[2], "a malformed link reads as a forged one")
        form = "q1=d&q2=x&q2=y&why=because"
        code, _, page = self.http("POST", url + "/submit", form.encode(),
                                  {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(code, 400, page[:300])
        self.assertEqual(self.score_of(qid), {})
        code, _, page = self.http("POST", url + "/submit", form.replace("q1=d", "q1=a").encode(),
                                  {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(code, 200, page[:300])
        self.assertIn("the value 100", page.decode())
        self.assertEqual(list(self.score_of(qid).values()), [100])
        # Handed in: the link is spent.
        code, _, page = self.http("GET", url)
        self.assertEqual(code, 409, page[:300])
        self.assertIn("this test is over", page.decode())

    def test_test_without_answer_key_goes_to_the_requester(self):
        qid = self.make_type(RetryDelayInSeconds=3600)["QualificationTypeId"]
        ann, bob = self.srv.worker("ann"), self.srv.worker("bob")
        res = self.take(ann, qid, {"q1": "c", "q2": ["y", "z"], "why": "a <b> & c"})
        self.assertEqual(res["Status"], "Pending")
        self.assertNotIn("IntegerValue", res)
        self.take(bob, qid, {"q1": "a", "q2": ["x"]})
        reqs = self.mt.list_qualification_requests(
            QualificationTypeId=qid)["QualificationRequests"]
        self.assertEqual(len(reqs), 2)
        by_id = {r["QualificationRequestId"]: r for r in reqs}
        mine = by_id[res["QualificationRequestId"]]
        self.assertEqual(mine["Test"], TEST)
        answer = mine["Answer"]
        self.assertIn("QuestionFormAnswers", answer)
        self.assertIn("<QuestionIdentifier>q2</QuestionIdentifier>", answer)
        self.assertIn("<SelectionIdentifier>y</SelectionIdentifier>", answer)
        self.assertIn("<SelectionIdentifier>z</SelectionIdentifier>", answer)
        self.assertIn("a &lt;b&gt; &amp; c", answer)
        self.mt.accept_qualification_request(QualificationRequestId=mine["QualificationRequestId"],
                                             IntegerValue=3)
        self.assertEqual(self.mt.get_qualification_score(
            QualificationTypeId=qid, WorkerId=mine["WorkerId"])
            ["Qualification"]["IntegerValue"], 3)
        other = [r for r in reqs if r is not mine][0]
        self.mt.reject_qualification_request(
            QualificationRequestId=other["QualificationRequestId"], Reason="not yet")
        # The retry delay has not passed for the rejected worker; the granted one is done.
        e = self.err("GetQualificationTest", {"QualificationTypeId": qid}, bob["token"], 409,
                     "RetryTooSoon")
        self.assertIn("seconds", e["message"])
        self.err("GetQualificationTest", {"QualificationTypeId": qid}, ann["token"], 409,
                 "AlreadyRequested")
        err = self.error_of(self.mt.accept_qualification_request,
                            QualificationRequestId=other["QualificationRequestId"])
        self.assertEqual(err["TurkErrorCode"],
                         "AWS.MechanicalTurk.InvalidQualificationRequestState")

    def test_retry_delay_and_its_update(self):
        qt = self.make_type(AnswerKey=KEY, RetryDelayInSeconds=0)
        qid = qt["QualificationTypeId"]
        self.assertEqual(qt["RetryDelayInSeconds"], 0)
        ann = self.srv.worker("ann")
        self.assertEqual(self.take(ann, qid, {"q1": "b", "q2": ["z"]})["IntegerValue"], 0)
        self.assertEqual(self.take(ann, qid, {"q1": "a", "q2": ["x", "y"]})["IntegerValue"],
                         100)
        self.assertEqual(list(self.score_of(qid).values()), [100])
        up = self.mt.update_qualification_type(QualificationTypeId=qid,
                                               RetryDelayInSeconds=3600)["QualificationType"]
        self.assertEqual(up["RetryDelayInSeconds"], 3600)
        self.err("GetQualificationTest", {"QualificationTypeId": qid}, ann["token"], 409,
                 "RetryTooSoon")
        # A new AnswerKey through UpdateQualificationType scores the next takers.
        key2 = KEY.replace("<MaximumSummedScore>20</MaximumSummedScore>",
                           "<MaximumSummedScore>40</MaximumSummedScore>")
        self.mt.update_qualification_type(QualificationTypeId=qid, AnswerKey=key2)
        self.assertEqual(self.mt.get_qualification_type(QualificationTypeId=qid)
                         ["QualificationType"]["AnswerKey"], key2)
        bob = self.srv.worker("bob")
        self.assertEqual(self.take(bob, qid, {"q1": "a", "q2": ["x", "y"]})["IntegerValue"],
                         50)

    def test_late_answers_are_refused(self):
        qid = self.make_type(AnswerKey=KEY, TestDurationInSeconds=1)["QualificationTypeId"]
        ann = self.srv.worker("ann")
        t = self.ok("GetQualificationTest", {"QualificationTypeId": qid}, ann["token"])
        while time.time() <= t["Deadline"] + 1.2:
            time.sleep(0.2)
        e = self.err("SubmitQualificationTest", {"QualificationTypeId": qid,
                     "Answers": {"q1": "a", "q2": ["x"]}}, ann["token"], 409,
                     "TestTimeExceeded")
        self.assertIn("ran out", e["message"])
        self.assertEqual(self.score_of(qid), {})
        e = self.err("GetQualificationTest", {"QualificationTypeId": qid}, ann["token"], 409,
                     "AlreadyRequested")
        self.assertIn("ran out of time", e["message"])

    def test_bad_tests_and_keys_change_nothing(self):
        doctype = ('<?xml version="1.0"?><!DOCTYPE AnswerKey [<!ENTITY e "q1">]>'
                   '<AnswerKey xmlns="%s"><Question><QuestionIdentifier>&e;'
                   "</QuestionIdentifier></Question></AnswerKey>" % NS_AK)
        cases = [
            ("malformed key", dict(AnswerKey="<AnswerKey xmlns='%s'><Question>" % NS_AK),
             "well-formed"),
            ("DOCTYPE and entity", dict(AnswerKey=doctype), "DOCTYPE"),
            ("key question not in the test",
             dict(AnswerKey=KEY.replace(">q2<", ">q9<")), "q9"),
            ("key on a free-text question",
             dict(AnswerKey=KEY.replace(">q2<", ">why<")), "SelectionAnswer"),
            ("key selection not in the question",
             dict(AnswerKey=KEY.replace(">y<", ">w<")), "w"),
            ("key in another namespace", dict(AnswerKey=KEY.replace(NS_AK, "urn:x")),
             "AnswerKey"),
            ("score not a number", dict(AnswerKey=KEY.replace(">10<", ">ten<", 1)), "ten"),
            ("unknown mapping",
             dict(AnswerKey=KEY.replace("PercentageMapping", "MagicMapping")), "MagicMapping"),
            ("key without a test", dict(Test=None, TestDurationInSeconds=None, AnswerKey=KEY),
             "needs a Test"),
            ("test without a duration", dict(TestDurationInSeconds=None),
             "TestDurationInSeconds"),
            ("auto-granted with a test", dict(AutoGranted=True), "AutoGranted"),
            ("test not a QuestionForm",
             dict(Test="<HTMLQuestion xmlns='urn:x'/>"), "Test"),
            ("test with a DOCTYPE",
             dict(Test='<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">' + TEST), "Test"),
        ]
        for name, kw, words in cases:
            with self.subTest(name):
                args = dict(Name="Quiz", Description="d", QualificationTypeStatus="Active",
                            Test=TEST, TestDurationInSeconds=60)
                args.update(kw)
                args = {k: v for k, v in args.items() if v is not None}
                err = self.error_of(self.mt.create_qualification_type, **args)
                self.assertEqual(err["Error"]["Code"], "ParameterValidationError")
                self.assertIn(words, err["Error"]["Message"])
        self.assertEqual(self.mt.list_qualification_types(
            MustBeRequestable=False)["NumResults"], 0)
        # An update with a bad key leaves the type as it was.
        qid = self.make_type(AnswerKey=KEY)["QualificationTypeId"]
        err = self.error_of(self.mt.update_qualification_type, QualificationTypeId=qid,
                            Description="changed", AnswerKey=doctype)
        self.assertEqual(err["Error"]["Code"], "ParameterValidationError")
        err = self.error_of(self.mt.update_qualification_type, QualificationTypeId=qid,
                            AutoGranted=True)
        self.assertEqual(err["Error"]["Code"], "ParameterValidationError")
        got = self.mt.get_qualification_type(QualificationTypeId=qid)["QualificationType"]
        self.assertEqual((got["Description"], got["AnswerKey"], got["AutoGranted"]),
                         ("Knows birds", KEY, False))

    # -- system types ---------------------------------------------------------------------

    def hit_for(self, reqs):
        return self.mt.create_hit(**self.hit_args(reqs))["HIT"]["HITId"]

    def visible(self, worker, hit_id):
        work = self.ok("ListAvailableWork", {}, worker["token"])
        text = repr(work)
        return hit_id in text or self.mt.get_hit(HITId=hit_id)["HIT"]["HITTypeId"] in text

    def test_adult_consent(self):
        hid = self.hit_for([{"QualificationTypeId": ADULT, "Comparator": "EqualTo",
                             "IntegerValues": [1],
                             "ActionsGuarded": "DiscoverPreviewAndAccept"}])
        ann = self.srv.worker("ann")
        self.assertFalse(self.visible(ann, hid))
        self.err("AcceptWork", {"HITId": hid}, ann["token"], 403, "QualificationNotMet")
        prof = self.ok("UpdateMyProfile", {"Adult": True}, ann["token"])
        self.assertEqual((prof["Adult"], prof["Country"]), (True, "US"))
        self.assertTrue(self.visible(ann, hid))
        self.accept(ann["token"], hit_id=hid)
        self.ok("UpdateMyProfile", {"Adult": False}, ann["token"])
        self.assertFalse(self.ok("UpdateMyProfile", {}, ann["token"])["Adult"])
        err = self.error_of(self.mt.create_hit_type, Title="t", Description="d",
                            Reward="0.10", AssignmentDurationInSeconds=60,
                            QualificationRequirements=[{"QualificationTypeId": ADULT,
                                                        "Comparator": "Exists"}])
        self.assertEqual(err["Error"]["Code"], "ParameterValidationError")

    def test_masters_by_the_operator_thresholds(self):
        self.srv.stop()
        r = self.srv.admin("--masters-approved", "1", "--masters-percent", "100", "check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.srv.start()
        self.mt = self.client_for(self.rq)  # the server listens on a new port
        ann, bob = self.srv.worker("ann"), self.srv.worker("bob")
        work = self.mt.create_hit(**hit_body(MaxAssignments=2))["HIT"]["HITId"]
        for w in (ann, bob):
            a = self.accept(w["token"], hit_id=work)
            self.submit(w["token"], a["AssignmentId"])
        for a in self.mt.list_assignments_for_hit(HITId=work)["Assignments"]:
            if a["WorkerId"] == self.pseudonym_of(ann, a):
                self.mt.approve_assignment(AssignmentId=a["AssignmentId"])
            else:
                self.mt.reject_assignment(AssignmentId=a["AssignmentId"],
                                          RequesterFeedback="no")
        for mid in (MASTERS, MASTERS_SANDBOX):
            hid = self.hit_for([{"QualificationTypeId": mid, "Comparator": "Exists"}])
            self.accept(ann["token"], hit_id=hid)
            self.err("AcceptWork", {"HITId": hid}, bob["token"], 403, "QualificationNotMet")
        listed = self.mt.list_hits_for_qualification_type(QualificationTypeId=MASTERS_SANDBOX)
        self.assertEqual(listed["NumResults"], 1)
        hid = self.hit_for([{"QualificationTypeId": MASTERS, "Comparator": "DoesNotExist"}])
        self.accept(bob["token"], hit_id=hid)
        self.err("AcceptWork", {"HITId": hid}, ann["token"], 403, "QualificationNotMet")
        err = self.error_of(self.mt.create_hit_type, Title="t", Description="d",
                            Reward="0.10", AssignmentDurationInSeconds=60,
                            QualificationRequirements=[{"QualificationTypeId": MASTERS,
                                                        "Comparator": "EqualTo",
                                                        "IntegerValues": [1]}])
        self.assertEqual(err["Error"]["Code"], "ParameterValidationError")
        # The legacy rejected percentage is computed from the same counts.
        hid = self.hit_for([{"QualificationTypeId": "000000000000000000S0",
                             "Comparator": "LessThan", "IntegerValues": [50]}])
        self.accept(ann["token"], hit_id=hid)
        self.err("AcceptWork", {"HITId": hid}, bob["token"], 403, "QualificationNotMet")
        for legacy in ("00000000000000000000", "00000000000000000070", "000000000000000000E0"):
            err = self.error_of(self.mt.create_hit_type, Title="t", Description="d",
                                Reward="0.10", AssignmentDurationInSeconds=60,
                                QualificationRequirements=[{"QualificationTypeId": legacy,
                                                            "Comparator": "Exists"}])
            self.assertEqual(err["TurkErrorCode"], "AWS.MechanicalTurk.UnsupportedParameter")
            self.assertIn("not computed", err["Error"]["Message"])

    def pseudonym_of(self, worker, asg):
        mine = self.ok("ListMyAssignments", {}, worker["token"])["Assignments"]
        return asg["WorkerId"] if any(m["AssignmentId"] == asg["AssignmentId"]
                                      for m in mine) else None

    def test_locale_subdivisions(self):
        wa = self.srv.admin_json("worker-create", "wa", "--country", "US", "--subdivision",
                                 "WA", "--password", "correct horse battery")
        us = self.srv.worker("us")
        de = self.srv.worker("de", country="DE")
        r = self.srv.admin("worker-create", "bad", "--country", "US", "--subdivision", "w-a",
                           "--password", "correct horse battery")
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"subdivision", r.stderr)
        eq = self.hit_for([{"QualificationTypeId": LOCALE, "Comparator": "EqualTo",
                            "LocaleValues": [{"Country": "US", "Subdivision": "WA"}]}])
        notin = self.hit_for([{"QualificationTypeId": LOCALE, "Comparator": "NotIn",
                               "LocaleValues": [{"Country": "US", "Subdivision": "WA"},
                                                {"Country": "DE"}]}])
        country = self.hit_for([{"QualificationTypeId": LOCALE, "Comparator": "In",
                                 "LocaleValues": [{"Country": "US"}]}])
        self.accept(wa["token"], hit_id=eq)
        self.accept(wa["token"], hit_id=country)
        self.err("AcceptWork", {"HITId": notin}, wa["token"], 403, "QualificationNotMet")
        self.err("AcceptWork", {"HITId": eq}, us["token"], 403, "QualificationNotMet")
        self.err("AcceptWork", {"HITId": notin}, de["token"], 403, "QualificationNotMet")
        self.accept(us["token"], hit_id=notin)
        self.err("UpdateMyProfile", {"Subdivision": "wa"}, us["token"], 400,
                 "ParameterValidationError")
        self.assertEqual(self.ok("UpdateMyProfile", {"Subdivision": "WA"}, us["token"])
                         ["Subdivision"], "WA")
        self.accept(us["token"], hit_id=eq)
        self.assertEqual(self.ok("UpdateMyProfile", {"Subdivision": ""}, us["token"])
                         ["Subdivision"], "")


if __name__ == "__main__":
    unittest.main()

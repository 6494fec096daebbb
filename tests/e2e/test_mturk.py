"""The MTurk door (POST / with X-Amz-Target and SigV4), driven by the real boto3 from
Debian's python3-boto3, plus raw requests signed here, independently of the server's
own SigV4 code, for the refusals."""
import datetime
import hashlib
import hmac
import http.client
import json
import time
from email.utils import parsedate_to_datetime

from decimal import Decimal as D

from harness import SAMPLE_QUESTION
from mturk_case import MTurkCase

TARGET = "MTurkRequesterServiceV20170117."


def sign(port, key_id, secret, op, body, amz_date=None, region="us-east-1",
         tamper=None):
    """A request signed as boto3 signs (content-type;host;x-amz-date;x-amz-target)."""
    amz_date = amz_date or datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    host = "127.0.0.1:%d" % port
    headers = {"content-type": "application/x-amz-json-1.1", "host": host,
               "x-amz-date": amz_date, "x-amz-target": TARGET + op}
    names = sorted(headers)
    canonical = "\n".join(["POST", "/", "",
                           "".join("%s:%s\n" % (n, headers[n]) for n in names),
                           ";".join(names), hashlib.sha256(body).hexdigest()])
    scope = "%s/%s/mturk-requester/aws4_request" % (date, region)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (date, region, "mturk-requester", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, "
                                "Signature=%s" % (key_id, scope, ";".join(names), sig))
    if tamper:
        body = tamper(body)
    return headers, body


def post(port, headers, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", "/", body=body, headers={k: v for k, v in headers.items()
                                                 if k != "host"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r, json.loads(data) if data else None


class MTurkDoor(MTurkCase):
    def test_whole_flow_through_boto3(self):
        mt = self.mt
        bal = mt.get_account_balance()
        self.assertEqual(bal["AvailableBalance"], "50.00")
        hit = mt.create_hit(
            Title="Label the animal", Description="Pick the animal shown.",
            Reward="0.10", AssignmentDurationInSeconds=600, LifetimeInSeconds=3600,
            MaxAssignments=2, AutoApprovalDelayInSeconds=3600, Keywords="image, label",
            Question=SAMPLE_QUESTION.replace("${text}", "a cat"),
            UniqueRequestToken="item-1")["HIT"]
        hid = hit["HITId"]
        self.assertEqual(hit["HITStatus"], "Assignable")
        self.assertIsInstance(hit["CreationTime"], datetime.datetime)
        self.assertEqual(hit["NumberOfAssignmentsAvailable"], 2)
        self.assertEqual(mt.get_hit(HITId=hid)["HIT"]["Title"], "Label the animal")
        # A retried CreateHIT with the same token creates nothing.
        err = self.error_of(mt.create_hit, Title="Label the animal",
                            Description="Pick the animal shown.", Reward="0.10",
                            AssignmentDurationInSeconds=600, LifetimeInSeconds=3600,
                            Question=SAMPLE_QUESTION, UniqueRequestToken="item-1")
        self.assertEqual(err["Error"]["Code"], "RequestError")
        self.assertEqual(err["TurkErrorCode"], "AWS.MechanicalTurk.HitAlreadyExists")
        self.assertIn(hid, err["Error"]["Message"])

        # Workers do the HIT through the native door.
        w1, w2 = self.srv.worker("w1"), self.srv.worker("w2")
        a1 = self.accept(w1["token"], hit_id=hid)
        self.submit(w1["token"], a1["AssignmentId"], {"label": "cat"})
        a2 = self.accept(w2["token"], hit_id=hid)
        self.submit(w2["token"], a2["AssignmentId"], {"label": "dog"})

        asgs = mt.list_assignments_for_hit(HITId=hid)["Assignments"]
        self.assertEqual(len(asgs), 2)
        for a in asgs:
            self.assertTrue(a["WorkerId"].startswith("A"))
            self.assertIn("<QuestionIdentifier>label</QuestionIdentifier>", a["Answer"])
            self.assertIsInstance(a["SubmitTime"], datetime.datetime)
        mine = {a["AssignmentId"]: a for a in asgs}
        mt.approve_assignment(AssignmentId=a1["AssignmentId"], RequesterFeedback="thanks")
        mt.approve_assignment(AssignmentId=a1["AssignmentId"])  # again: no second payment
        mt.reject_assignment(AssignmentId=a2["AssignmentId"],
                             RequesterFeedback="the picture shows a cat")
        got = mt.get_assignment(AssignmentId=a2["AssignmentId"])
        self.assertEqual(got["Assignment"]["AssignmentStatus"], "Rejected")
        self.assertEqual(got["HIT"]["HITId"], hid)
        mt.send_bonus(WorkerId=mine[a1["AssignmentId"]]["WorkerId"], BonusAmount="0.25",
                      AssignmentId=a1["AssignmentId"], Reason="careful work",
                      UniqueRequestToken="bonus-1")
        bonuses = mt.list_bonus_payments(HITId=hid)["BonusPayments"]
        self.assertEqual([b["BonusAmount"] for b in bonuses], ["0.25"])
        self.assertEqual(self.earnings(w1["token"]), D("0.35"))  # reward + bonus
        self.assertEqual(self.earnings(w2["token"]), D("0"))
        # 50 - 2 * 0.12 + 0.12 (rejected slot back) - 0.25 - 0.05 (bonus fee)
        self.assertEqual(mt.get_account_balance()["AvailableBalance"], "49.58")

        self.assertEqual([h["HITId"] for h in
                          mt.list_reviewable_hits()["HITs"]], [hid])
        mt.update_hit_review_status(HITId=hid)
        self.assertEqual(mt.get_hit(HITId=hid)["HIT"]["HITStatus"], "Reviewing")
        mt.update_hit_review_status(HITId=hid, Revert=True)
        mt.delete_hit(HITId=hid)
        err = self.error_of(mt.get_hit, HITId=hid)
        self.assertEqual(err["TurkErrorCode"], "AWS.MechanicalTurk.HITDoesNotExist")

    def test_hit_types_expiry_and_pagination(self):
        mt = self.mt
        tid = mt.create_hit_type(Title="Rate", Description="Rate one result",
                                 Reward="0.05", AssignmentDurationInSeconds=300)["HITTypeId"]
        self.assertEqual(mt.create_hit_type(
            Title="Rate", Description="Rate one result", Reward="0.05",
            AssignmentDurationInSeconds=300)["HITTypeId"], tid)  # reused by value
        ids = [mt.create_hit_with_hit_type(
            HITTypeId=tid, LifetimeInSeconds=600,
            Question=SAMPLE_QUESTION.replace("${text}", "r%d" % i))["HIT"]["HITId"]
            for i in range(7)]
        seen = []
        for page in mt.get_paginator("list_hits").paginate(PaginationConfig={"PageSize": 3}):
            self.assertLessEqual(page["NumResults"], 3)
            seen += [h["HITId"] for h in page["HITs"]]
        self.assertEqual(sorted(seen), sorted(ids))
        # Another type with the same reward: the HIT moves; another reward: refused.
        tid2 = mt.create_hit_type(Title="Rate carefully", Description="Rate one result",
                                  Reward="0.05", AssignmentDurationInSeconds=900)["HITTypeId"]
        mt.update_hit_type_of_hit(HITId=ids[1], HITTypeId=tid2)
        moved = mt.get_hit(HITId=ids[1])["HIT"]
        self.assertEqual((moved["HITTypeId"], moved["Title"],
                          moved["AssignmentDurationInSeconds"]), (tid2, "Rate carefully", 900))
        dear = mt.create_hit_type(Title="Rate", Description="Rate one result", Reward="0.07",
                                  AssignmentDurationInSeconds=300)["HITTypeId"]
        err = self.error_of(mt.update_hit_type_of_hit, HITId=ids[2], HITTypeId=dear)
        self.assertEqual(err["TurkErrorCode"], "AWS.MechanicalTurk.InvalidHITType")
        mt.create_additional_assignments_for_hit(HITId=ids[0],
                                                 NumberOfAdditionalAssignments=2)
        self.assertEqual(mt.get_hit(HITId=ids[0])["HIT"]["MaxAssignments"], 3)
        # The usual "expire now" idiom: a date long past.
        mt.update_expiration_for_hit(HITId=ids[0],
                                     ExpireAt=datetime.datetime(2015, 1, 1))
        h = mt.get_hit(HITId=ids[0])["HIT"]
        self.assertEqual(h["HITStatus"], "Reviewable")
        self.assertLessEqual(h["Expiration"].timestamp(), time.time() + 1)

    def test_every_operation_of_the_sdk_model_is_served(self):
        """Each operation botocore's model of the service names is served: called with an
        empty body it is done, or refused as ParameterValidationError naming a missing
        member, never UnknownOperationException; a native-only name is unknown here."""
        ops = self.mt.meta.service_model.operation_names
        self.assertEqual(len(ops), 39)
        for op in ops:
            model = self.mt.meta.service_model.operation_model(op)
            required = set(model.input_shape.required_members) if model.input_shape else set()
            r, doc = post(self.srv.port, *sign(self.srv.port, self.rq["access_key_id"],
                                               self.rq["secret_access_key"], op, b"{}"))
            if r.status == 200 and not required:
                continue
            self.assertEqual(r.status, 400, (op, doc))
            self.assertEqual(doc["__type"], "ParameterValidationError", (op, doc))
            if required:
                self.assertTrue(any(m in doc["Message"] for m in required), (op, doc))
            else:  # ListBonusPayments: one of two members, which the model cannot say
                self.assertEqual(op, "ListBonusPayments", doc)
        r, doc = post(self.srv.port, *sign(self.srv.port, self.rq["access_key_id"],
                                           self.rq["secret_access_key"], "CreateHITLayout",
                                           b"{}"))
        self.assertEqual((r.status, doc["__type"]), (400, "UnknownOperationException"))

    def test_errors_have_aws_shapes(self):
        mt = self.mt
        err = self.error_of(mt.get_hit, HITId="NOSUCHHIT0000000000000000000000")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(err["Error"]["Code"], "RequestError")
        self.assertEqual(err["TurkErrorCode"], "AWS.MechanicalTurk.HITDoesNotExist")
        self.assertRegex(err["Error"]["Message"], r"does not exist\. \(\d{13}\)$|"
                                                  r"does not exist \(\d{13}\)$")
        err = self.error_of(mt.create_hit, Title="x", Description="y", Reward="-1",
                            AssignmentDurationInSeconds=600, LifetimeInSeconds=600,
                            Question=SAMPLE_QUESTION)
        self.assertIn(err["Error"]["Code"], ("ParameterValidationError", "RequestError"))
        err = self.error_of(self.client_for(self.rq, secret="x" * 40).get_account_balance)
        self.assertEqual(err["Error"]["Code"], "InvalidSignatureException")
        # Headers every answer carries.
        r, doc = post(self.srv.port, *sign(self.srv.port, self.rq["access_key_id"],
                                           self.rq["secret_access_key"],
                                           "GetAccountBalance", b"{}"))
        self.assertEqual(r.status, 200, doc)
        self.assertEqual(r.getheader("Content-Type"), "application/x-amz-json-1.1")
        self.assertRegex(r.getheader("x-amzn-RequestId"), r"^[0-9a-f-]{36}$")
        skew = abs(parsedate_to_datetime(r.getheader("Date")).timestamp() - time.time())
        self.assertLess(skew, 5)

    def test_refusals_change_nothing(self):
        port, key, secret = (self.srv.port, self.rq["access_key_id"],
                             self.rq["secret_access_key"])
        body = json.dumps({"Title": "x", "Description": "y", "Reward": "0.10",
                           "AssignmentDurationInSeconds": 600}).encode()
        stale = (datetime.datetime.now(datetime.timezone.utc)
                 - datetime.timedelta(minutes=16)).strftime("%Y%m%dT%H%M%SZ")
        cases = [
            ("wrong secret", sign(port, key, "y" * 40, "CreateHITType", body),
             "InvalidSignatureException"),
            ("stale date", sign(port, key, secret, "CreateHITType", body, amz_date=stale),
             "InvalidSignatureException"),
            ("tampered body", sign(port, key, secret, "CreateHITType", body,
                                   tamper=lambda b: b.replace(b'"x"', b'"z"')),
             "InvalidSignatureException"),
            ("unknown key", sign(port, "TKNOSUCHKEY000000000", secret, "CreateHITType", body),
             "UnrecognizedClientException"),
            # An operation Tessera lacks is still refused for its signature first.
            ("unsupported operation, wrong secret", sign(port, key, "y" * 40,
                                                         "ListReviewPolicyResultsForHIT",
                                                         b"{}"),
             "InvalidSignatureException"),
        ]
        for name, (headers, raw), code in cases:
            with self.subTest(name):
                r, doc = post(port, headers, raw)
                self.assertEqual(r.status, 400, doc)
                self.assertEqual(doc["__type"], code, doc)
                self.assertTrue(r.getheader("Date"))
        h, raw = sign(port, key, secret, "CreateHITType", body)
        del h["authorization"]
        r, doc = post(port, h, raw)
        self.assertEqual((r.status, doc["__type"]), (400, "MissingAuthenticationTokenException"))
        r, doc = post(port, *sign(port, key, secret, "NoSuchOperation", b"{}"))
        self.assertEqual((r.status, doc["__type"]), (400, "UnknownOperationException"))
        r, doc = post(port, *sign(port, key, secret, "GetAccountBalance", b"{not json"))
        self.assertEqual((r.status, doc["__type"]), (400, "SerializationException"))
        # Members the operation does not know are ignored, as AWS does.
        r, doc = post(port, *sign(port, key, secret, "GetAccountBalance",
                                  b'{"Extra": 1}'))
        self.assertEqual(r.status, 200, doc)
        # Any region name the client signs with is accepted.
        r, doc = post(port, *sign(port, key, secret, "GetAccountBalance", b"{}",
                                  region="sandbox"))
        self.assertEqual(r.status, 200, doc)
        self.assertEqual(self.mt.list_hits()["NumResults"], 0)
        self.assertEqual(self.mt.get_account_balance()["AvailableBalance"], "50.00")

    def test_system_qualification_requirements(self):
        mt = self.mt
        # As an MTurk script sends them: approval rate >= 95, and US or Ontario.
        reqs = [{"QualificationTypeId": "000000000000000000L0",
                 "Comparator": "GreaterThanOrEqualTo", "IntegerValues": [95]},
                {"QualificationTypeId": "00000000000000000071", "Comparator": "In",
                 "LocaleValues": [{"Country": "US"}, {"Country": "CA", "Subdivision": "ON"}],
                 "ActionsGuarded": "DiscoverPreviewAndAccept"}]
        hit = mt.create_hit(Title="Label", Description="Label one picture", Reward="0.10",
                            AssignmentDurationInSeconds=600, LifetimeInSeconds=3600,
                            MaxAssignments=5, QualificationRequirements=reqs,
                            Question=SAMPLE_QUESTION)["HIT"]
        self.assertEqual(len(hit["QualificationRequirements"]), 2)
        us, de, low = (self.srv.worker("us"), self.srv.worker("de", country="DE"),
                       self.srv.worker("low"))
        # low has one of two reviewed assignments rejected elsewhere: 50%.
        plain = mt.create_hit(Title="Other", Description="No requirements", Reward="0.05",
                              AssignmentDurationInSeconds=600, LifetimeInSeconds=3600,
                              MaxAssignments=1, Question=SAMPLE_QUESTION)["HIT"]["HITTypeId"]
        for verdict in ("approve", "reject"):
            h = mt.create_hit_with_hit_type(HITTypeId=plain, LifetimeInSeconds=600,
                                            Question=SAMPLE_QUESTION)["HIT"]["HITId"]
            a = self.accept(low["token"], hit_id=h)
            self.submit(low["token"], a["AssignmentId"], {"label": "x"})
            if verdict == "approve":
                mt.approve_assignment(AssignmentId=a["AssignmentId"])
            else:
                mt.reject_assignment(AssignmentId=a["AssignmentId"], RequesterFeedback="empty")

        def offered(w):
            return {t["HITTypeId"]: t
                    for t in self.ok("ListAvailableWork", {}, w["token"])["HITTypes"]}

        self.assertTrue(offered(us)[hit["HITTypeId"]]["Qualified"])  # new workers count as 100%
        # The locale requirement guards discovery: de does not even see the type. The
        # approval-rate one guards only Accept (MTurk's default): low sees it, marked.
        self.assertNotIn(hit["HITTypeId"], offered(de))
        seen = offered(low)[hit["HITTypeId"]]
        self.assertFalse(seen["Qualified"])
        self.assertIn("000000000000000000L0", seen["QualificationNotMet"])
        self.accept(us["token"], hit_id=hit["HITId"])
        for w in (de, low):
            e = self.err("AcceptWork", {"HITId": hit["HITId"]}, w["token"], 403,
                         "QualificationNotMet")
            self.assertIn("QualificationTypeId", e["message"])
        self.err("AcceptWork", {"HITTypeId": hit["HITTypeId"]}, de["token"], 403,
                 "QualificationNotMet")
        # A custom qualification type is refused, not stored and ignored.
        err = self.error_of(mt.create_hit_type, Title="t", Description="d", Reward="0.10",
                            AssignmentDurationInSeconds=60, QualificationRequirements=[
                                {"QualificationTypeId": "3MYOWNTYPE", "Comparator": "Exists"}])
        self.assertEqual(err["TurkErrorCode"], "AWS.MechanicalTurk.UnsupportedParameter")

    def test_actions_guarded(self):
        """Each ActionsGuarded value (and the deprecated RequiredToPreview) decides what an
        unqualified worker may do: find the HIT, preview it, accept it."""
        mt = self.mt
        qid = mt.create_qualification_type(
            Name="Vetted", Description="Passed our check",
            QualificationTypeStatus="Active")["QualificationType"]["QualificationTypeId"]
        intro = mt.create_hit(Title="Intro", Description="Say hello", Reward="0.05",
                              AssignmentDurationInSeconds=600, LifetimeInSeconds=3600,
                              MaxAssignments=2, Question=SAMPLE_QUESTION)["HIT"]["HITId"]
        yes, no = self.srv.worker("vetted"), self.srv.worker("unvetted")
        for w in (yes, no):
            a = self.accept(w["token"], hit_id=intro)
            self.submit(w["token"], a["AssignmentId"], {"label": "hi"})
            if w is yes:
                mt.associate_qualification_with_worker(
                    QualificationTypeId=qid, IntegerValue=1, SendNotification=False,
                    WorkerId=mt.get_assignment(AssignmentId=a["AssignmentId"])
                    ["Assignment"]["WorkerId"])
        hits = {}
        for name, extra in (("default", {}), ("Accept", {"ActionsGuarded": "Accept"}),
                            ("PreviewAndAccept", {"ActionsGuarded": "PreviewAndAccept"}),
                            ("RequiredToPreview", {"RequiredToPreview": True}),
                            ("DiscoverPreviewAndAccept",
                             {"ActionsGuarded": "DiscoverPreviewAndAccept"})):
            req = dict({"QualificationTypeId": qid, "Comparator": "Exists"}, **extra)
            hits[name] = mt.create_hit(
                Title="Guarded " + name, Description="d", Reward="0.10",
                AssignmentDurationInSeconds=600, LifetimeInSeconds=3600,
                QualificationRequirements=[req], Question=SAMPLE_QUESTION)["HIT"]

        def listed(w):
            return {t["HITTypeId"]: t["Qualified"]
                    for t in self.ok("ListAvailableWork", {}, w["token"])["HITTypes"]}

        mine, theirs = listed(yes), listed(no)
        for name, h in hits.items():
            # The qualified worker may do everything.
            self.assertTrue(mine[h["HITTypeId"]], name)
            got = self.ok("PreviewWork", {"HITId": h["HITId"]}, yes["token"])["Task"]
            self.assertEqual((got["HITId"], got["QuestionType"], got["Title"]),
                             (h["HITId"], "HTMLQuestion", "Guarded " + name))
            discover = name == "DiscoverPreviewAndAccept"
            preview = name in ("default", "Accept")
            # The other: found unless discovery is guarded, and never qualified.
            if discover:
                self.assertNotIn(h["HITTypeId"], theirs, name)
            else:
                self.assertFalse(theirs[h["HITTypeId"]], name)
            if preview:
                got = self.ok("PreviewWork", {"HITTypeId": h["HITTypeId"]}, no["token"])
                self.assertEqual(got["Task"]["Title"], "Guarded " + name)
            else:
                self.err("PreviewWork", {"HITId": h["HITId"]}, no["token"], 403,
                         "QualificationNotMet")
            # Anyone, unsigned, may preview only what no requirement guards from preview.
            code, hdrs, page = self.http("GET", "/preview/" + h["HITId"])
            if preview:
                self.assertEqual(code, 303, (name, page[:300]))
                self.assertIn("ASSIGNMENT_ID_NOT_AVAILABLE", hdrs["location"])
                self.assertEqual(self.http("GET", hdrs["location"])[0], 200, name)
            else:
                self.assertEqual(code, 403, (name, page[:300]))
            self.err("AcceptWork", {"HITId": h["HITId"]}, no["token"], 403,
                     "QualificationNotMet")
        self.accept(yes["token"], hit_id=hits["DiscoverPreviewAndAccept"]["HITId"])

    def test_own_qualification_types(self):
        mt = self.mt
        qt = mt.create_qualification_type(
            Name="Bird expert", Description="Knows birds", Keywords="birds, experts",
            QualificationTypeStatus="Active")["QualificationType"]
        qid = qt["QualificationTypeId"]
        self.assertEqual((qt["Name"], qt["QualificationTypeStatus"], qt["AutoGranted"]),
                         ("Bird expert", "Active", False))
        self.assertEqual(mt.get_qualification_type(QualificationTypeId=qid)
                         ["QualificationType"]["Description"], "Knows birds")
        err = self.error_of(mt.create_qualification_type, Name="Bird expert",
                            Description="again", QualificationTypeStatus="Active")
        self.assertEqual(err["TurkErrorCode"],
                         "AWS.MechanicalTurk.QualificationTypeAlreadyExists")
        err = self.error_of(mt.create_qualification_type, Name="Quiz", Description="q",
                            QualificationTypeStatus="Active", Test="<QuestionForm/>",
                            AnswerKey="<AnswerKey/>")
        self.assertEqual(err["Error"]["Code"], "ParameterValidationError")
        self.assertIn("TestDurationInSeconds", err["Error"]["Message"])
        auto = mt.create_qualification_type(
            Name="Everyone", Description="Given to all", QualificationTypeStatus="Active",
            AutoGranted=True, AutoGrantedValue=7)["QualificationType"]["QualificationTypeId"]
        names = [t["Name"] for t in mt.list_qualification_types(
            MustBeRequestable=False, Query="bird")["QualificationTypes"]]
        self.assertEqual(names, ["Bird expert"])

        # Two workers this requester knows (each accepted a HIT).
        intro = mt.create_hit(Title="Intro", Description="Say hello", Reward="0.05",
                              AssignmentDurationInSeconds=600, LifetimeInSeconds=3600,
                              MaxAssignments=2, Question=SAMPLE_QUESTION)["HIT"]["HITId"]
        ann, bob = self.srv.worker("ann"), self.srv.worker("bob")
        ids = {}
        for name, w in (("ann", ann), ("bob", bob)):
            a = self.accept(w["token"], hit_id=intro)
            self.submit(w["token"], a["AssignmentId"], {"label": "hi"})
            ids[name] = mt.get_assignment(
                AssignmentId=a["AssignmentId"])["Assignment"]["WorkerId"]
        mt.associate_qualification_with_worker(QualificationTypeId=qid, WorkerId=ids["ann"],
                                               IntegerValue=90, SendNotification=False)
        mt.associate_qualification_with_worker(QualificationTypeId=qid, WorkerId=ids["bob"],
                                               IntegerValue=40)
        score = mt.get_qualification_score(QualificationTypeId=qid,
                                           WorkerId=ids["ann"])["Qualification"]
        self.assertEqual((score["IntegerValue"], score["Status"]), (90, "Granted"))
        self.assertEqual(mt.get_qualification_score(QualificationTypeId=auto,
                                                    WorkerId=ids["bob"])
                         ["Qualification"]["IntegerValue"], 7)
        workers = mt.list_workers_with_qualification_type(QualificationTypeId=qid)
        self.assertEqual(sorted(q["WorkerId"] for q in workers["Qualifications"]),
                         sorted(ids.values()))

        hit = mt.create_hit(
            Title="Birds", Description="Name the bird", Reward="0.20",
            AssignmentDurationInSeconds=600, LifetimeInSeconds=3600, MaxAssignments=3,
            Question=SAMPLE_QUESTION, QualificationRequirements=[
                {"QualificationTypeId": qid, "Comparator": "GreaterThanOrEqualTo",
                 "IntegerValues": [80]},
                {"QualificationTypeId": auto, "Comparator": "Exists"}])["HIT"]
        self.err("AcceptWork", {"HITId": hit["HITId"]}, bob["token"], 403,
                 "QualificationNotMet")
        listed = mt.list_hits_for_qualification_type(QualificationTypeId=qid)
        self.assertEqual([h["HITId"] for h in listed["HITs"]], [hit["HITId"]])
        self.assertEqual(mt.list_hits_for_qualification_type(
            QualificationTypeId="000000000000000000L0")["NumResults"], 0)
        mt.disassociate_qualification_from_worker(QualificationTypeId=qid,
                                                  WorkerId=ids["ann"], Reason="retest")
        self.assertEqual(mt.list_workers_with_qualification_type(
            QualificationTypeId=qid, Status="Revoked")["NumResults"], 1)
        self.err("AcceptWork", {"HITId": hit["HITId"]}, ann["token"], 403,
                 "QualificationNotMet")
        mt.associate_qualification_with_worker(QualificationTypeId=qid, WorkerId=ids["ann"],
                                               IntegerValue=85)
        self.accept(ann["token"], hit_id=hit["HITId"])

        mt.update_qualification_type(QualificationTypeId=qid, QualificationTypeStatus="Inactive",
                                     Description="Knows birds well")
        err = self.error_of(mt.create_hit_type, Title="t", Description="d", Reward="0.10",
                            AssignmentDurationInSeconds=60, QualificationRequirements=[
                                {"QualificationTypeId": qid, "Comparator": "Exists"}])
        self.assertIn("Inactive", err["Error"]["Message"])
        mt.delete_qualification_type(QualificationTypeId=qid)
        err = self.error_of(mt.get_qualification_type, QualificationTypeId=qid)
        self.assertEqual(err["TurkErrorCode"], "AWS.MechanicalTurk.QualificationTypeDoesNotExist")
        # Nobody meets a requirement on a deleted type any more: the HIT type is still
        # found (its requirements guard only Accept), but nobody may accept it.
        listed = {t["HITTypeId"]: t for t in self.ok("ListAvailableWork", {},
                                                     bob["token"])["HITTypes"]}
        self.assertFalse(listed[hit["HITTypeId"]]["Qualified"])
        self.err("AcceptWork", {"HITId": hit["HITId"]}, bob["token"], 403,
                 "QualificationNotMet")

    def test_qualification_requests(self):
        mt = self.mt
        qid = mt.create_qualification_type(
            Name="Transcriber", Description="Transcribes receipts",
            QualificationTypeStatus="Active")["QualificationType"]["QualificationTypeId"]
        auto = mt.create_qualification_type(
            Name="Open", Description="For everyone", QualificationTypeStatus="Active",
            AutoGranted=True, AutoGrantedValue=3)["QualificationType"]["QualificationTypeId"]
        ann, bob = self.srv.worker("ann"), self.srv.worker("bob")
        got = self.ok("RequestQualification", {"QualificationTypeId": qid}, ann["token"])
        self.assertEqual(got["Status"], "Pending")
        self.ok("RequestQualification", {"QualificationTypeId": qid}, bob["token"])
        self.err("RequestQualification", {"QualificationTypeId": qid}, ann["token"], 409,
                 "AlreadyRequested")
        reqs = mt.list_qualification_requests(QualificationTypeId=qid)["QualificationRequests"]
        self.assertEqual(len(reqs), 2)
        by_id = {r["QualificationRequestId"]: r for r in reqs}
        ann_req = by_id[got["QualificationRequestId"]]
        self.assertTrue(ann_req["WorkerId"].startswith("A"))
        mt.accept_qualification_request(QualificationRequestId=ann_req["QualificationRequestId"],
                                        IntegerValue=5)
        self.assertEqual(mt.get_qualification_score(QualificationTypeId=qid,
                                                    WorkerId=ann_req["WorkerId"])
                         ["Qualification"]["IntegerValue"], 5)
        other = [r for r in reqs if r is not ann_req][0]
        mt.reject_qualification_request(QualificationRequestId=other["QualificationRequestId"],
                                        Reason="we need native speakers")
        e = self.err("RequestQualification", {"QualificationTypeId": qid}, bob["token"], 409,
                     "AlreadyRequested")
        self.assertIn("we need native speakers", e["message"])
        err = self.error_of(mt.accept_qualification_request,
                            QualificationRequestId=other["QualificationRequestId"])
        self.assertEqual(err["TurkErrorCode"],
                         "AWS.MechanicalTurk.InvalidQualificationRequestState")
        self.assertEqual(mt.list_qualification_requests()["NumResults"], 0)
        self.assertEqual(self.ok("RequestQualification", {"QualificationTypeId": auto},
                                 bob["token"])["Status"], "Granted")
        # The requester may now name bob (a pseudonym it has been shown) and write to him.
        mt.create_worker_block(WorkerId=other["WorkerId"], Reason="testing the name")

    def test_notify_workers(self):
        mt = self.mt
        hid = mt.create_hit(Title="Hello", Description="Say hello", Reward="0.05",
                            AssignmentDurationInSeconds=600, LifetimeInSeconds=3600,
                            MaxAssignments=2, Question=SAMPLE_QUESTION)["HIT"]["HITId"]
        done, pending = self.srv.worker("done"), self.srv.worker("pending")
        a = self.accept(done["token"], hit_id=hid)
        self.submit(done["token"], a["AssignmentId"], {"label": "hi"})
        mt.approve_assignment(AssignmentId=a["AssignmentId"])
        b = self.accept(pending["token"], hit_id=hid)
        wid = {"done": mt.get_assignment(AssignmentId=a["AssignmentId"])
               ["Assignment"]["WorkerId"]}
        self.submit(pending["token"], b["AssignmentId"], {"label": "hi"})
        wid["pending"] = mt.get_assignment(AssignmentId=b["AssignmentId"])["Assignment"]["WorkerId"]
        out = mt.notify_workers(Subject="Thank you", MessageText="A bonus batch comes Monday.",
                                WorkerIds=[wid["done"], wid["pending"], "ANOSUCHWORKER1"])
        failed = {f["WorkerId"]: f["NotifyWorkersFailureCode"]
                  for f in out["NotifyWorkersFailureStatuses"]}
        self.assertEqual(failed, {wid["pending"]: "HardFailure", "ANOSUCHWORKER1": "HardFailure"})
        msgs = self.ok("ListMyMessages", {}, done["token"])
        self.assertEqual(msgs["NumResults"], 1)
        m = msgs["Messages"][0]
        self.assertEqual((m["Subject"], m["MessageText"], m["RequesterName"]),
                         ("Thank you", "A bonus batch comes Monday.", "Acme Research"))
        self.assertEqual(self.ok("ListMyMessages", {}, pending["token"])["NumResults"], 0)
        err = self.error_of(mt.notify_workers, Subject="x" * 201, MessageText="m",
                            WorkerIds=[wid["done"]])
        self.assertEqual(err["Error"]["Code"], "ParameterValidationError")

    def test_worker_blocks(self):
        mt = self.mt
        tid = mt.create_hit_type(Title="Rate", Description="Rate one result", Reward="0.05",
                                 AssignmentDurationInSeconds=300)["HITTypeId"]
        hids = [mt.create_hit_with_hit_type(
            HITTypeId=tid, LifetimeInSeconds=600, MaxAssignments=2,
            Question=SAMPLE_QUESTION.replace("${text}", "r%d" % i))["HIT"]["HITId"]
            for i in range(3)]
        w, other = self.srv.worker("w"), self.srv.worker("other")
        a = self.accept(w["token"], hit_type_id=tid)
        self.submit(w["token"], a["AssignmentId"], {"label": "spam"})
        wid = mt.get_assignment(AssignmentId=a["AssignmentId"])["Assignment"]["WorkerId"]
        err = self.error_of(mt.create_worker_block, WorkerId="ANOSUCHWORKER1", Reason="x")
        self.assertEqual(err["TurkErrorCode"], "AWS.MechanicalTurk.WorkerDoesNotExist")
        mt.create_worker_block(WorkerId=wid, Reason="answers do not match the pictures")
        blocks = mt.list_worker_blocks()
        self.assertEqual((blocks["NumResults"], blocks["WorkerBlocks"]),
                         (1, [{"WorkerId": wid, "Reason": "answers do not match the pictures"}]))
        # The blocked worker is offered none of this requester's HITs, and is told why
        # when trying one by id; other workers are not affected.
        self.assertEqual(self.ok("ListAvailableWork", {}, w["token"])["HITTypes"], [])
        self.err("AcceptWork", {"HITTypeId": tid}, w["token"], 404, "NoWorkAvailable")
        e = self.err("AcceptWork", {"HITId": hids[2]}, w["token"], 403, "WorkerBlocked")
        self.assertIn("answers do not match the pictures", e["message"])
        self.accept(other["token"], hit_type_id=tid)
        mt.delete_worker_block(WorkerId=wid, Reason="appeal accepted")
        mt.delete_worker_block(WorkerId=wid)  # not blocked any more: nothing to do
        self.assertEqual(mt.list_worker_blocks()["NumResults"], 0)
        self.accept(w["token"], hit_type_id=tid)

    def test_bearer_tokens_do_not_open_the_door(self):
        """Only SigV4 with a requester's access key opens the MTurk door: a bearer token
        (a worker's or the requester's own) is refused, and nothing runs."""
        w = self.srv.worker("w")
        for token in (w["token"], self.rq["token"]):
            h, raw = sign(self.srv.port, self.rq["access_key_id"],
                          self.rq["secret_access_key"], "CreateHITType",
                          json.dumps({"Title": "x", "Description": "y", "Reward": "0.10",
                                      "AssignmentDurationInSeconds": 600}).encode())
            h["authorization"] = "Bearer " + token
            r, doc = post(self.srv.port, h, raw)
            self.assertEqual(r.status, 400, doc)
            self.assertIn(doc["__type"], ("IncompleteSignatureException",
                                          "InvalidSignatureException"), doc)
        self.assertEqual(self.mt.list_hits()["NumResults"], 0)
